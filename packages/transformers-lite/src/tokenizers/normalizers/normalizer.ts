import type { JsonObject } from '../config.js';

/** Stage 1: rewrites the raw text (case, Unicode form, accents, spacing) before it is split. */
export interface Normalizer {
  normalize(text: string): string;
  toJSON(): JsonObject;
}
