import { warn as warnInChannel } from '@lumen/tensor';

/** Errors name the call and the argument, what was expected and what came (@lumen/tensor's helpers). */
export { describe, FileFormatError, fail, ShapeError } from '@lumen/tensor';

export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Warnings (as transformers' logger.warning) go through @lumen/tensor's one warning channel as
 * UserWarnings: console.warn by default; `setWarningHandler` (the same function as tensor's,
 * re-exported) routes them, and tensor's `simpleFilter` silences, deduplicates or raises them.
 */
export function warn(message: string): void {
  warnInChannel('UserWarning', message);
}
