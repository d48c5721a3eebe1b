import { describe, expect, it } from 'vitest';
import {
  DataFrame,
  DataLoader,
  parseCsv,
  RandomSampler,
  TensorDataset,
  trainTestSplit,
} from '../src/index.js';
import { suggest } from '../src/options.js';

describe('options are never silently ignored', () => {
  it('snake_case keys get the camelCase name', () => {
    expect(() => parseCsv('a\n1\n', { keep_default_na: false } as never)).toThrow(
      /parseCsv: unknown option "keep_default_na" \(did you mean `keepDefaultNa`\?\); the options are sep, header/,
    );
    expect(() => trainTestSplit([1, 2, 3, 4], { test_size: 0.5 } as never)).toThrow(
      /did you mean `testSize`\?/,
    );
  });

  it('typos get the nearest name, unrelated words only the list', () => {
    expect(() => parseCsv('a;b\n1;2\n', { sepp: ';' } as never)).toThrow(
      /unknown option "sepp" \(did you mean `sep`\?\)/,
    );
    expect(suggest('colour', ['sep', 'header'])).toBeNull();
    expect(suggest('batch_size', ['batchSize', 'shuffle'])).toBe('batchSize');
  });

  it('every entry point checks its bag', () => {
    const df = new DataFrame({ a: [1, 2, 3] });
    expect(() => new DataLoader(new TensorDataset(df.toTensor()), { batch_size: 2 } as never)).toThrow(
      /DataLoader: unknown option "batch_size" \(did you mean `batchSize`\?\)/,
    );
    expect(() => new RandomSampler({ length: 3 }, { num_samples: 2 } as never)).toThrow(/numSamples/);
    expect(() => df.toCsv({ na_rep: '' } as never)).toThrow(/did you mean `naRep`/);
    expect(() => df.toTensor({ dtpye: 'float32' } as never)).toThrow(/did you mean `dtype`/);
    expect(() => df.toString({ max_rows: 5 } as never)).toThrow(/did you mean `maxRows`/);
    expect(() => df.sum({ numeric_only: true } as never)).toThrow(/did you mean `numericOnly`/);
    expect(() => df.info({ show_counts: true } as never)).toThrow(/did you mean `showCounts`/);
    expect(() => df.describe({ inclde: 'all' } as never)).toThrow(
      /DataFrame.describe: unknown option "inclde" \(did you mean `include`\?\); the options are percentiles, include, exclude/,
    );
    expect(() => df.sample({ random_state: 1 } as never)).toThrow(/did you mean `randomState`/);
    expect(() => df.dropna({ subst: ['a'] } as never)).toThrow(/did you mean `subset`/);
    expect(() => df.col('a').valueCounts({ normalise: true } as never)).toThrow(/did you mean `normalize`/);
    expect(() => df.nunique({ drop_na: false } as never)).toThrow(/did you mean `dropna`/);
    expect(() =>
      df
        .col('a')
        .astype('string')
        .str.contains('x', { flags: 2 } as never),
    ).toThrow(/unknown option "flags"; the options are case, regex, na/);
  });
});
