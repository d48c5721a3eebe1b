import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * Draws a Vega-Lite spec (the same specs the Node demos save as files) into an element as SVG,
 * replacing what was there. Cheap enough to call on every training epoch.
 */
export async function draw(el: HTMLElement, spec: TopLevelSpec): Promise<void> {
  const holder = el as HTMLElement & { lumenView?: View };
  holder.lumenView?.finalize(); // the new view reuses the <svg> element, so nothing flickers
  holder.lumenView = new View(parse(compile(spec).spec), { renderer: 'svg', container: el, hover: false });
  await holder.lumenView.runAsync();
}

/** Lets the browser paint before the next chunk of work. */
export const nextFrame = (): Promise<void> =>
  new Promise((resolve) => requestAnimationFrame(() => resolve()));
