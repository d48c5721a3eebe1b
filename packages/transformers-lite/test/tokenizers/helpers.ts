import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const GENERATED = `${FIXTURES}generated/`;
export const CORPUS: string[] = JSON.parse(readFileSync(`${FIXTURES}corpus.json`, 'utf8'));
export function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}
