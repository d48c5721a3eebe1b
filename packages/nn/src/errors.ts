import { LumenError } from '@lumen/tensor';

export function fail(op: string, message: string): never {
  throw new LumenError(`${op}: ${message}`);
}

export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
