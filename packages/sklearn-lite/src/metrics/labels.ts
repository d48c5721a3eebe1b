import { fail } from '../base/errors.js';
import { checkSameLength, type LabelsLike, toLabels, uniqueLabels } from '../base/input.js';

export type Label = number | string;

/** y_true and y_pred as label arrays of one kind, plus the sorted labels present in either. */
export interface LabelPair {
  yTrue: Label[];
  yPred: Label[];
  present: Label[];
}

export function labelPair(op: string, yTrue: LabelsLike, yPred: LabelsLike): LabelPair {
  const t = toLabels(op, 'yTrue', yTrue);
  const p = toLabels(op, 'yPred', yPred);
  checkSameLength(op, ['yTrue', 'yPred'], t, p);
  if (t.length > 0 && p.length > 0 && typeof t[0] !== typeof p[0]) {
    fail(
      op,
      `yTrue and yPred must both hold numbers or both hold strings, got ${typeof t[0]}s and ${typeof p[0]}s`,
    );
  }
  return { yTrue: t, yPred: p, present: uniqueLabels(t, p) };
}

/** How Python's "%s" prints a label: integers without a decimal point, strings as they are. */
export function labelName(l: Label): string {
  return String(l);
}
