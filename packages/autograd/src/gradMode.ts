/**
 * Whether ops are being recorded. PyTorch keeps this per thread; JS has one thread, so it is one
 * flag. A callback that returns a promise keeps the mode until the promise settles — code that runs
 * concurrently in the meantime sees the same mode.
 */
let enabled = true;

export function isGradEnabled(): boolean {
  return enabled;
}

function withMode<T>(mode: boolean, fn: () => T): T {
  if (typeof fn !== 'function') throw new TypeError(`expected a callback function, got ${typeof fn}`);
  const previous = enabled;
  enabled = mode;
  let result: T;
  try {
    result = fn();
  } catch (e) {
    enabled = previous;
    throw e;
  }
  if (result instanceof Promise) {
    return result.finally(() => {
      enabled = previous;
    }) as T;
  }
  enabled = previous;
  return result;
}

/** Runs fn without recording ops (torch.no_grad()); returns fn's value. */
export function noGrad<T>(fn: () => T): T {
  return withMode(false, fn);
}

/** Runs fn with recording on, also inside noGrad (torch.enable_grad()). */
export function enableGrad<T>(fn: () => T): T {
  return withMode(true, fn);
}

/** Switches recording on or off until switched again (torch.set_grad_enabled). */
export function setGradEnabled(mode: boolean): void {
  if (typeof mode !== 'boolean')
    throw new TypeError(`setGradEnabled: mode must be a boolean, got ${typeof mode}`);
  enabled = mode;
}
