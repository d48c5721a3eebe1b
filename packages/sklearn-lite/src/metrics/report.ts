import { checkOptions, warn } from '@lumen/tensor';
import { fail } from '../base/errors.js';
import { checkInt, optionKeys } from '../base/estimator.js';
import type { LabelsLike } from '../base/input.js';
import { prfs, type ZeroDivision } from './classification.js';
import { type Label, labelName, labelPair } from './labels.js';
import { formatFixed, padLeft } from './pyFormat.js';

export interface ReportRow {
  precision: number;
  recall: number;
  'f1-score': number;
  support: number;
}

/** classificationReport's `outputDict: true` result: one row per label, 'accuracy', 'macro avg', 'weighted avg'. */
export type ClassificationReportDict = Record<string, ReportRow | number>;

export interface ClassificationReportOptions {
  labels?: readonly Label[];
  targetNames?: readonly string[];
  /** Digits after the decimal point (default 2). */
  digits?: number;
  zeroDivision?: ZeroDivision;
}

/**
 * scikit-learn's classification_report. The text is byte-for-byte what scikit-learn prints for
 * the same labels (integer-valued number labels print without a decimal point, as an int array's
 * labels do in Python).
 */
export function classificationReport(
  yTrue: LabelsLike,
  yPred: LabelsLike,
  opts?: ClassificationReportOptions & { outputDict?: false },
): string;
export function classificationReport(
  yTrue: LabelsLike,
  yPred: LabelsLike,
  opts: ClassificationReportOptions & { outputDict: true },
): ClassificationReportDict;
export function classificationReport(
  yTrue: LabelsLike,
  yPred: LabelsLike,
  opts: ClassificationReportOptions & { outputDict?: boolean } = {},
): string | ClassificationReportDict {
  const op = 'classificationReport';
  checkOptions(
    op,
    opts,
    optionKeys<typeof opts>({
      labels: true,
      targetNames: true,
      digits: true,
      zeroDivision: true,
      outputDict: true,
    }),
  );
  const digits = checkInt(op, 'digits', opts.digits ?? 2, 0, 50);
  const zeroDivision = opts.zeroDivision ?? 'warn';
  const pair = labelPair(op, yTrue, yPred);
  const labelsGiven = opts.labels !== undefined;
  const labels = labelsGiven ? [...opts.labels!] : pair.present;
  const presentSet = new Set<Label>(pair.present);
  const microIsAccuracy =
    !labelsGiven || (new Set(labels).size === presentSet.size && labels.every((l) => presentSet.has(l)));
  let targetNames = opts.targetNames ? [...opts.targetNames] : undefined;
  if (targetNames && targetNames.length !== labels.length) {
    if (labelsGiven) {
      warn(
        'UserWarning',
        `${op}: labels size, ${labels.length}, does not match size of targetNames, ${targetNames.length}`,
      );
    } else {
      fail(
        op,
        `number of classes, ${labels.length}, does not match size of targetNames, ${targetNames.length}; try specifying the labels option`,
      );
    }
  }
  targetNames ??= labels.map(labelName);
  const per = prfs(op, pair.yTrue as LabelsLike, pair.yPred as LabelsLike, {
    labels,
    average: null,
    zeroDivision,
  }) as {
    precision: Float64Array;
    recall: Float64Array;
    fScore: Float64Array;
    support: Float64Array;
  };
  // zip() in Python stops at the shorter of names and scores.
  const nRows = Math.min(targetNames.length, labels.length);
  const totalSupport = per.support.reduce((a, b) => a + b, 0);
  const averages = (['micro', 'macro', 'weighted'] as const).map((average) => {
    const heading = average === 'micro' && microIsAccuracy ? 'accuracy' : `${average} avg`;
    const r = prfs(op, pair.yTrue as LabelsLike, pair.yPred as LabelsLike, { labels, average, zeroDivision });
    return { heading, p: r.precision as number, r: r.recall as number, f: r.fScore as number };
  });

  if (opts.outputDict) {
    const out: ClassificationReportDict = {};
    for (let i = 0; i < nRows; i++) {
      out[targetNames[i]!] = {
        precision: per.precision[i]!,
        recall: per.recall[i]!,
        'f1-score': per.fScore[i]!,
        support: per.support[i]!,
      };
    }
    for (const a of averages) {
      out[a.heading] =
        a.heading === 'accuracy'
          ? a.p
          : { precision: a.p, recall: a.r, 'f1-score': a.f, support: totalSupport };
    }
    return out;
  }

  const headers = ['precision', 'recall', 'f1-score', 'support'];
  const nameWidth = Math.max(...targetNames.map((n) => n.length));
  const width = Math.max(nameWidth, 'weighted avg'.length, digits);
  const num = (x: number) => ` ${padLeft(formatFixed(x, digits), 9)}`;
  const row = (name: string, p: number, r: number, f: number, s: number) =>
    `${padLeft(name, width)} ${num(p)}${num(r)}${num(f)} ${padLeft(String(s), 9)}\n`;
  let report = `${padLeft('', width)} ${headers.map((h) => ` ${padLeft(h, 9)}`).join('')}\n\n`;
  for (let i = 0; i < nRows; i++)
    report += row(targetNames[i]!, per.precision[i]!, per.recall[i]!, per.fScore[i]!, per.support[i]!);
  report += '\n';
  for (const a of averages) {
    if (a.heading === 'accuracy') {
      report += `${padLeft('accuracy', width)}  ${padLeft('', 9)} ${padLeft('', 9)}${num(a.f)} ${padLeft(String(totalSupport), 9)}\n`;
    } else report += row(a.heading, a.p, a.r, a.f, totalSupport);
  }
  return report;
}
