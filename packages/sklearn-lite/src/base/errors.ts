/**
 * @lumen/tensor's one error helper (`fail(op, message, category?)` throws a LumenError or one of its
 * categories), its value summary `describe`, and NotFittedError: thrown when a fitted attribute or a
 * fitted-only method is used before `fit`.
 */
export { describe, fail, NotFittedError, ShapeError } from '@lumen/tensor';
