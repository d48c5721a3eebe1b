/** A task with a known number of steps that reports how far it got (terminal bar or browser widget). */
export interface Progress {
  /** Advances by `n` steps (default 1); `info` is shown after the bar, e.g. `{ loss: 0.31 }`. */
  tick(n?: number, info?: Record<string, number | string>): void;
  /** Marks the task finished (possibly early) and prints the final line with the total time. */
  done(info?: Record<string, number | string>): void;
}

export type ProgressFactory = (label: string, total: number, unit?: string) => Progress;

/** `12.3s`, `2m05s`, `1h02m`: short enough for a bar. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m${String(Math.floor(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

function formatInfo(info: Record<string, number | string> | undefined): string {
  if (!info) return '';
  return Object.entries(info)
    .map(([k, v]) => `${k} ${typeof v === 'number' ? (Number.isInteger(v) ? v : v.toPrecision(4)) : v}`)
    .join('  ');
}

/** The text of one progress line: label, bar, count, rate and ETA (or total time once done). */
export function progressLine(
  label: string,
  done: number,
  total: number,
  unit: string,
  elapsedSeconds: number,
  info?: Record<string, number | string>,
  finished = done >= total,
  width = 24,
): string {
  const frac = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(frac * width);
  const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
  const rate = elapsedSeconds > 0 ? done / elapsedSeconds : 0;
  const rateText = rate >= 10 ? rate.toFixed(0) : rate.toFixed(2);
  const timing = finished
    ? `${formatDuration(elapsedSeconds)}`
    : `ETA ${rate > 0 ? formatDuration((total - done) / rate) : '?'}`;
  const extra = formatInfo(info);
  return `${label} ${bar} ${String(Math.round(frac * 100)).padStart(3)}% ${done}/${total} ${unit} [${rateText} ${unit}/s, ${timing}]${extra ? `  ${extra}` : ''}`;
}

/**
 * A bar on stderr. On a terminal it redraws one line in place; elsewhere (CI logs) it prints a
 * line every few seconds, so logs show progress without thousands of lines. Nothing is drawn for
 * the first 0.5 s: tasks shorter than that just print their final line.
 */
export function terminalProgress(
  write: (s: string) => void = (s) => process.stderr.write(s),
  isTTY: boolean = process.stderr.isTTY === true,
): ProgressFactory {
  return (label, total, unit = 'it') => {
    const start = performance.now();
    let count = 0;
    let lastDraw = 0;
    let lastInfo: Record<string, number | string> | undefined;
    let finished = false;
    const draw = (final: boolean) => {
      const elapsed = (performance.now() - start) / 1000;
      const line = progressLine(label, count, total, unit, elapsed, lastInfo, final);
      if (isTTY) write(`\r\x1b[2K${line}${final ? '\n' : ''}`);
      else write(`${line}\n`);
    };
    return {
      tick(n = 1, info) {
        count += n;
        if (info) lastInfo = info;
        const now = performance.now();
        const every = isTTY ? 100 : 5000;
        if (now - start > 500 && now - lastDraw > every) {
          lastDraw = now;
          draw(false);
        }
      },
      done(info) {
        if (finished) return;
        finished = true;
        if (info) lastInfo = info;
        draw(true);
      },
    };
  };
}
