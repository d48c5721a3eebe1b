import { FileFormatError, LumenError } from '@lumen/tensor';
import { describe, expect, it } from 'vitest';
import { readArrow } from '../src/arrow.js';
import { CsvError, parseCsv } from '../src/index.js';

describe('@lumen/data: file parse errors are FileFormatErrors', () => {
  it('readArrow of bytes that are not Arrow IPC', async () => {
    const bytes = new TextEncoder().encode('ARROW1\0\0 not a real file');
    const e = await readArrow(bytes).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(FileFormatError);
    expect(e).toBeInstanceOf(LumenError);
    expect((e as Error).message).toMatch(/^readArrow: .*truncated: no closing "ARROW1"/);
  });

  it('a malformed CSV: CsvError is a FileFormatError, with its line and column', () => {
    let e: unknown;
    try {
      parseCsv('a,b\n1,2,3\n');
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(CsvError);
    expect(e).toBeInstanceOf(FileFormatError);
    expect(e).toBeInstanceOf(LumenError);
    expect((e as CsvError).line).toBe(2);
  });
});
