/**
 * Every error names the function, the argument, what was expected and what came: @lumen/tensor's
 * `fail(op, message, category?)` throws its `LumenError` (or a category such as FileFormatError), so
 * callers can tell Lumen's errors from others with one check; `describe` is its value summary.
 */
export { describe, fail } from '@lumen/tensor';

/** `["a", "b", "c"]`, cut after 20 names so a wide frame does not flood the message. */
export function listNames(names: readonly string[]): string {
  const shown = names.slice(0, 20).map((n) => JSON.stringify(n));
  return `[${shown.join(', ')}${names.length > 20 ? `, … (${names.length} in all)` : ''}]`;
}
