import { readFileSync } from 'node:fs';

/** A reference file from test/fixtures/ (made by scripts/gen-fixtures.py with scikit-learn). */
export function readFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../../test/fixtures/${name}`, import.meta.url), 'utf8')) as T;
}
