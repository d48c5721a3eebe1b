// @lumen/data/arrow: DataFrames to and from apache-arrow Tables and Arrow IPC (Feather v2) files.
// A separate entry because it imports apache-arrow (an optional peer dependency): the main entry
// never does, so apps without Arrow build and install without it. DataFrame.fromArrow, which only
// reads a Table, is in the main entry too.

export type { ArrowDataLike, ArrowTableLike, ArrowTypeLike, FromArrowOptions } from './arrow/fromArrow.js';
export type { ReadArrowOptions, WriteArrowOptions } from './arrow/toArrow.js';
export { fromArrow, readArrow, toArrow, writeArrow } from './arrow/toArrow.js';
