/** @lumen/tensor's one error helper: `fail(op, message, category?)` throws a LumenError (or a subclass). */
export { fail } from '@lumen/tensor';

export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
