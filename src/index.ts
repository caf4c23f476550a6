/**
 * Sluice: export what a web app holds to CSV, TSV, JSON, NDJSON, Parquet or Arrow IPC,
 * in a Web Worker, with progress, cancel and no half-written files.
 *
 * Every module is side-effect free, so a bundler keeps only what an app imports: `exportData`
 * alone stays small on the page (the engine runs in the worker), and Parquet's code and wasm
 * load only when a Parquet export starts.
 */
export { exportStream } from './engine.js';
export { exportData, preload } from './export-data.js';
export { ExportError, isExportError, EXPORT_ERROR_CODES } from './errors.js';
export type { ExportErrorCode, ExportErrorDetails } from './errors.js';
export { FilterBuilder, where, parseFilter, formatFilter, explainFilter, MAX_FILTER_DEPTH, FILTER_OPERATORS } from './filter/index.js';
export type { FilterOperator, FilterLike } from './filter/index.js';
export { fromIndexedDB } from './sources/indexeddb.js';
export type { IndexedDBSourceOptions, IndexedDBSourceDescriptor, IndexedDBRange, IndexedDBKey } from './sources/indexeddb.js';
export { fromURL, URL_FORMATS } from './sources/url.js';
export type { UrlSourceOptions, UrlSourceDescriptor, UrlCsvOptions, UrlFormat } from './sources/url.js';
export { validateExport, validateFilter } from './validate.js';
export type { ValidationProblem, ValidationProblemCode, KnownColumns } from './validate.js';
export { estimateExport } from './estimate.js';
export type { ExportEstimate, EstimateOptions } from './estimate.js';
export { verifyExport } from './integrity.js';
export type { ExpectedExport } from './integrity.js';
export { EXPORT_FORMATS } from './types.js';
export type * from './types.js';
