/** The source layer's public API: listing, reading and generating the Sparkify source files. */
export { listSourceFiles, type ListOptions, type SourceFile } from './walk.js';
export {
  DEFAULT_MAX_LINE_BYTES,
  DEFAULT_READ_BYTES,
  LineSplitter,
  readLineBatches,
  readLines,
  type BadLine,
  type LineItem,
  type LineReaderOptions,
  type TextLine,
} from './lines.js';
export { DEFAULT_BATCH_SIZE, emptyStats, type SourceReadOptions } from './options.js';
export { parseEvent, readEvents } from './events.js';
export { parseSong, readSongs } from './songs.js';
export { generateDataset, type GenerateDatasetOptions, type GeneratedDataset } from './generate.js';
export type { EventRecord, ReadStats, RejectedRecord, SongRecord } from './types.js';
