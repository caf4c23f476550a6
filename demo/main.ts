/**
 * The playground: make sample rows, pick a filter, columns and a format, and export them with
 * `exportData` while a requestAnimationFrame spinner and a frame-gap readout show that the page
 * never stalls.
 */
import {
  EXPORT_FORMATS,
  explainFilter,
  exportData,
  isExportError,
  preload,
  type ColumnSpec,
  type ExportFormat,
  type ExportJob,
  type ExportOptions,
  type Filter,
  type JobSnapshot,
  type ParquetCompression,
  type SavedExportResult,
} from '../src/index.js';
import { FORMAT_SPECS } from '../src/formats/registry.js';
import { SAMPLE_COLUMNS } from './dataset.js';
import { FilterEditor, type FilterState } from './filter-editor.js';
import { FrameMeter } from './frame-meter.js';
import { ExportHistory, formatBytes } from './history.js';
import { SampleStore, type Storage } from './sample-store.js';

function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`index.html has no #${id}`);
  return node as T;
}

const numberFormat = new Intl.NumberFormat('en-US');
/** Formats that outer compression can wrap, from the format registry. */
const TEXT_FORMATS: ReadonlySet<ExportFormat> = new Set(EXPORT_FORMATS.filter((name) => FORMAT_SPECS[name].outerCompression));
/** Rows the preview shows. */
const PREVIEW_ROWS = 20;

const ui = {
  sampleSize: byId<HTMLSelectElement>('sample-size'),
  generate: byId<HTMLButtonElement>('generate'),
  useStored: byId<HTMLButtonElement>('use-stored'),
  generateBar: byId('generate-bar'),
  dataStatus: byId('data-status'),
  filterPlan: byId('filter-plan'),
  columns: byId('columns'),
  format: byId<HTMLSelectElement>('format'),
  parquetCodec: byId<HTMLSelectElement>('parquet-codec'),
  compression: byId<HTMLSelectElement>('compression'),
  delimiter: byId<HTMLSelectElement>('delimiter'),
  bom: byId<HTMLInputElement>('bom'),
  formulaGuard: byId<HTMLInputElement>('formula-guard'),
  target: byId<HTMLSelectElement>('target'),
  fileName: byId<HTMLInputElement>('file-name'),
  exportPanel: byId('export-panel'),
  exportButton: byId<HTMLButtonElement>('export'),
  cancelButton: byId<HTMLButtonElement>('cancel'),
  exportPhase: byId('export-phase'),
  exportBlocked: byId('export-blocked'),
  exportBar: byId('export-bar'),
  exportPercent: byId('export-percent'),
  exportResult: byId('export-result'),
  stats: {
    read: byId('stat-read'),
    written: byId('stat-written'),
    bytes: byId('stat-bytes'),
    rate: byId('stat-rate'),
    eta: byId('stat-eta'),
    elapsed: byId('stat-elapsed'),
  },
  preview: byId<HTMLTableElement>('preview'),
  previewNote: byId('preview-note'),
};

// The format list comes from the registry: a new format shows up here with its label.
for (const name of EXPORT_FORMATS) ui.format.append(new Option(FORMAT_SPECS[name].label, name));

const meter = new FrameMeter({ spinner: byId('spinner'), lastSecond: byId('frame-last'), sinceMark: byId('frame-since'), readout: byId('frame-readout') });
const store = new SampleStore();
const history = new ExportHistory(byId<HTMLTableSectionElement>('history-body'), (message) => showResult(message, 'error'));
let filterState: FilterState = { filter: null, error: null };
const filterEditor = new FilterEditor(byId('filter-editor'), SAMPLE_COLUMNS, (state) => {
  filterState = state;
  showPlan(state.filter);
  updateButtons();
  schedulePreview();
});

let generating = false;
/** Counts Generate clicks: a newer one takes over from an older one still running. */
let generationToken = 0;
/** The running export, if any; its cancel is what the Cancel button calls. */
let running: { cancel(reason?: string): void } | null = null;

// ————— Sample data —————

function setBar(bar: HTMLElement, fraction: number): void {
  const percent = Math.max(0, Math.min(100, fraction * 100));
  (bar.firstElementChild as HTMLElement).style.width = `${percent}%`;
  bar.setAttribute('aria-valuenow', percent.toFixed(0));
}

function selectedStorage(): Storage {
  return document.querySelector<HTMLInputElement>('input[name="storage"]:checked')?.value === 'indexeddb' ? 'indexeddb' : 'memory';
}

function describeSample(): string {
  const where = store.storage === 'memory' ? 'in memory' : 'in IndexedDB (read by the worker)';
  return `${numberFormat.format(store.count)} rows ${where}.`;
}

async function generate(): Promise<void> {
  const count = Number(ui.sampleSize.value);
  const storage = selectedStorage();
  const token = ++generationToken;
  generating = true;
  updateButtons();
  meter.mark();
  byId('frame-mark-label').textContent = 'generating started';
  ui.dataStatus.textContent = `Making ${numberFormat.format(count)} rows…`;
  document.body.dataset['sample'] = 'generating';
  const started = performance.now();
  try {
    await store.generate(count, storage, (done) => {
      setBar(ui.generateBar, done / count);
      ui.dataStatus.textContent = `Making rows: ${numberFormat.format(done)} of ${numberFormat.format(count)}…`;
    });
    if (token !== generationToken) return;
    const seconds = (performance.now() - started) / 1000;
    ui.dataStatus.textContent = `${describeSample()} Made in ${seconds.toFixed(1)} s.`;
    // The next estimate uses what this browser just did (small runs say little about big ones).
    if (storage === 'indexeddb' && count >= 10_000 && seconds > 0) {
      localStorage.setItem(IDB_RATE_KEY, String(count / seconds));
      showSizeHint();
    }
    document.body.dataset['sample'] = 'ready';
    document.body.dataset['sampleCount'] = String(store.count);
  } catch (error) {
    if (token !== generationToken) return;
    ui.dataStatus.textContent = `Could not make rows: ${String(error)}`;
    document.body.dataset['sample'] = 'failed';
  } finally {
    if (token === generationToken) {
      generating = false;
      updateButtons();
      schedulePreview();
    }
  }
}

/** Where the IndexedDB write rate measured on this browser is kept between visits. */
const IDB_RATE_KEY = 'sluice-playground-idb-rows-per-second';
/** Rows written into IndexedDB per second before this browser has been measured (Chromium, 2 cores: 100,000 rows in 15.6 s). */
const DEFAULT_IDB_RATE = 6_400;

/** The IndexedDB write rate: the last one measured here, else the default. */
function idbRate(): { rowsPerSecond: number; measured: boolean } {
  const stored = Number(localStorage.getItem(IDB_RATE_KEY));
  return Number.isFinite(stored) && stored > 0 ? { rowsPerSecond: stored, measured: true } : { rowsPerSecond: DEFAULT_IDB_RATE, measured: false };
}

/** What the chosen size costs (measured: ~400 bytes of V8 heap per row; IndexedDB at the rate last measured here). */
function showSizeHint(): void {
  const count = Number(ui.sampleSize.value);
  let hint: string;
  if (selectedStorage() === 'memory') {
    hint = `about ${formatBytes(count * 400)} of memory`;
  } else {
    const { rowsPerSecond, measured } = idbRate();
    const basis = measured ? `at the ${numberFormat.format(Math.round(rowsPerSecond))} rows/s measured here last time` : 'a first guess until one run is measured';
    hint = `about ${formatDuration((count / rowsPerSecond) * 1000)} to write into IndexedDB (${basis})`;
  }
  byId('size-hint').textContent = `${numberFormat.format(count)} rows: ${hint}.`;
}
ui.sampleSize.addEventListener('change', showSizeHint);
for (const radio of document.querySelectorAll('input[name="storage"]')) radio.addEventListener('change', showSizeHint);
showSizeHint();

ui.generate.addEventListener('click', () => void generate());
ui.useStored.addEventListener('click', () => {
  void store.storedCount().then((count) => {
    store.useStored(count);
    ui.useStored.hidden = true;
    setBar(ui.generateBar, 1);
    ui.dataStatus.textContent = describeSample();
    document.body.dataset['sample'] = 'ready';
    document.body.dataset['sampleCount'] = String(count);
    updateButtons();
    schedulePreview();
  });
});

// ————— Filter plan —————

function showPlan(filter: Filter | null): void {
  if (filter === null) {
    ui.filterPlan.textContent = 'No filter: every row is written.';
    return;
  }
  try {
    ui.filterPlan.textContent = explainFilter(filter);
  } catch (error) {
    ui.filterPlan.textContent = error instanceof Error ? error.message : String(error);
  }
}

// ————— Columns —————

interface ColumnChoice {
  field: string;
  include: HTMLInputElement;
  header: HTMLInputElement;
}

const columnChoices: ColumnChoice[] = SAMPLE_COLUMNS.map(({ name }) => {
  const include = Object.assign(document.createElement('input'), { type: 'checkbox', checked: true, id: `column-${name}` });
  const header = Object.assign(document.createElement('input'), { type: 'text', placeholder: name, spellcheck: false, id: `header-${name}` });
  header.setAttribute('aria-label', `Header for ${name}`);
  const label = Object.assign(document.createElement('label'), { htmlFor: include.id, textContent: name });
  const row = document.createElement('div');
  row.className = 'column-row';
  row.append(include, label, header);
  ui.columns.append(row);
  include.addEventListener('change', () => {
    header.disabled = !include.checked;
    row.classList.toggle('off', !include.checked);
    schedulePreview();
  });
  header.addEventListener('input', () => schedulePreview());
  return { field: name, include, header };
});

/** The `columns` option, or undefined when every column goes out under its own name. */
function columnsOption(): ColumnSpec[] | undefined {
  const chosen = columnChoices.filter((choice) => choice.include.checked);
  const renamed = chosen.some((choice) => choice.header.value.trim() !== '');
  if (chosen.length === columnChoices.length && !renamed) return undefined;
  return chosen.map((choice) => {
    const header = choice.header.value.trim();
    return header === '' ? choice.field : { field: choice.field, header };
  });
}

// ————— Format —————

function currentFormat(): ExportFormat {
  return ui.format.value as ExportFormat;
}

/** Shows the options that apply to the chosen format only. */
function showFormatOptions(): void {
  const format = currentFormat();
  const applies: Record<string, boolean> = {
    parquet: format === 'parquet',
    text: TEXT_FORMATS.has(format),
    csv: format === 'csv',
    delimited: format === 'csv' || format === 'tsv',
  };
  for (const node of document.querySelectorAll<HTMLElement>('[data-for]')) node.hidden = !applies[node.dataset['for'] ?? ''];
  // Parquet and Arrow load their code on first use; fetch it now, so the export starts at once.
  if (format === 'parquet' || format === 'arrow' || format === 'xlsx') void preload({ formats: [format] }).catch(() => undefined);
}
ui.format.addEventListener('change', showFormatOptions);
showFormatOptions();

/** Everything the export needs from the form, read synchronously (the save dialog needs the click's activation). */
function exportOptions(): ExportOptions {
  filterEditor.flush();
  const format = currentFormat();
  const options: ExportOptions = { format, target: ui.target.value as 'auto' | 'picker' | 'download' | 'opfs' | 'blob' };
  if (filterState.filter !== null) options.filter = filterState.filter;
  const columns = columnsOption();
  if (columns !== undefined) options.columns = columns;
  if (TEXT_FORMATS.has(format) && ui.compression.value !== 'none') options.compression = ui.compression.value as 'gzip' | 'deflate';
  if (format === 'csv' || format === 'tsv') {
    options.csv = { bom: ui.bom.checked, escapeFormulae: ui.formulaGuard.checked };
    if (format === 'csv') options.csv.delimiter = ui.delimiter.value === 'tab' ? '\t' : ui.delimiter.value;
  }
  if (format === 'parquet') options.parquet = { compression: ui.parquetCodec.value as ParquetCompression };
  const fileName = ui.fileName.value.trim();
  if (fileName !== '') options.fileName = fileName;
  return options;
}

// ————— Export —————

function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** The phase as the panel names it: a closed save dialog is not a failure. */
function phaseLabel(snapshot: JobSnapshot): { key: string; text: string } {
  if (snapshot.error?.code === 'picker_cancelled') return { key: 'picker_cancelled', text: 'Save dialog closed' };
  if (snapshot.phase === 'aborted') return { key: 'aborted', text: 'Cancelled' };
  return { key: snapshot.phase, text: snapshot.phase };
}

/** Draws a job's state; called on every change of its snapshot (job.subscribe). */
function showSnapshot(snapshot: JobSnapshot): void {
  const { progress } = snapshot;
  const label = phaseLabel(snapshot);
  const fraction = snapshot.phase === 'done' ? 1 : (progress.fraction ?? 0);
  setBar(ui.exportBar, fraction);
  ui.exportPercent.textContent = `${Math.floor(fraction * 100)}%`;
  ui.exportPanel.dataset['phase'] = label.key;
  ui.exportPhase.textContent = label.text;
  const total = progress.totalRows === undefined ? '' : ` / ${numberFormat.format(progress.totalRows)}`;
  ui.stats.read.textContent = `${numberFormat.format(progress.rowsRead)}${total}`;
  ui.stats.elapsed.textContent = formatDuration(progress.elapsedMs);
  if (snapshot.error !== undefined) {
    // A failed or cancelled export leaves no file: its counts of rows and bytes "written" went to
    // a swap file that was thrown away, and there is no time left to estimate.
    ui.stats.written.textContent = '0';
    ui.stats.bytes.textContent = '–';
    ui.stats.rate.textContent = '–';
    ui.stats.eta.textContent = '–';
    return;
  }
  ui.stats.written.textContent = numberFormat.format(progress.rowsWritten);
  ui.stats.bytes.textContent = formatBytes(progress.bytesWritten);
  ui.stats.rate.textContent = numberFormat.format(Math.round(progress.rowsPerSecond));
  ui.stats.eta.textContent = progress.etaMs === undefined ? '–' : formatDuration(progress.etaMs);
}

/** The result line: rows written, and how many were read and filtered out, as the library counted them. */
function describeResult(result: { rowsRead: number; rowsWritten: number; rowsFiltered: number; bytesWritten: number; durationMs: number }, where: string, filter: Filter | undefined): string {
  const wrote = `Wrote ${numberFormat.format(result.rowsWritten)} ${result.rowsWritten === 1 ? 'row' : 'rows'} (${formatBytes(result.bytesWritten)}) to ${where} in ${formatDuration(result.durationMs)}`;
  if (filter === undefined) return `${wrote}.`;
  if (result.rowsWritten === 0 && filterMatchesNothing(filter)) {
    const read = result.rowsRead === 0 ? 'the source was not read' : `only the first ${numberFormat.format(result.rowsRead)} rows were read, to learn the columns`;
    return `${wrote}: no row can match this filter, so ${read}.`;
  }
  return `${wrote}: ${numberFormat.format(result.rowsRead)} read, ${numberFormat.format(result.rowsFiltered)} filtered out.`;
}

/** True when the library's optimizer proves that the filter keeps no row. */
function filterMatchesNothing(filter: Filter): boolean {
  try {
    return explainFilter(filter).startsWith('FALSE');
  } catch {
    return false;
  }
}

function showResult(message: string, kind: 'ok' | 'error' | 'info', link?: HTMLAnchorElement): void {
  ui.exportResult.className = `status ${kind}`;
  ui.exportResult.replaceChildren(message);
  if (link) ui.exportResult.append(' ', link);
}

/** Why Export cannot run now, or null when it can. */
function blockedBecause(): string | null {
  if (generating) return 'Making rows…';
  if (store.count === 0) return 'Generate rows first.';
  if (filterState.error !== null) return `Fix the filter first: ${filterState.error.split('\n')[0] ?? ''}`;
  return null;
}

function updateButtons(): void {
  const blocked = blockedBecause();
  ui.exportButton.disabled = blocked !== null || running !== null;
  ui.cancelButton.disabled = running === null;
  ui.generate.disabled = running !== null;
  ui.exportBlocked.textContent = running === null ? (blocked ?? '') : '';
  ui.exportBlocked.hidden = running !== null || blocked === null;
  ui.exportBlocked.classList.toggle('error', running === null && filterState.error !== null);
  if (blocked === null && running === null && ui.exportPanel.dataset['phase'] === 'idle') ui.exportPhase.textContent = 'Ready.';
  else if (blocked !== null && running === null && ui.exportPanel.dataset['phase'] === 'idle') ui.exportPhase.textContent = '';
}

let blobUrl: string | null = null;

function startExport(): void {
  const options = exportOptions();
  // exportOptions() applies text typed a moment ago: it may have just turned out to be invalid.
  if (blockedBecause() !== null) {
    updateButtons();
    return;
  }
  const target = String(options.target);
  if (previewJob !== null) {
    // The export goes first; the preview is made again when it ends.
    previewJob.cancel('an export started');
    previewJob = null;
    previewDirty = true;
  }
  meter.mark();
  byId('frame-mark-label').textContent = 'export started';
  showResult('', 'info');
  // The bar starts again from zero; it would otherwise show the last export's 100% until the new one reports.
  setBar(ui.exportBar, 0);
  ui.exportPercent.textContent = '0%';
  ui.exportPanel.dataset['phase'] = 'starting';
  // Called in the click handler itself, before any await: the save dialog needs the click.
  const job: ExportJob<SavedExportResult> = exportData(store.source(), options);
  running = job;
  // The panel follows the job's store: one snapshot per change, the last one with the outcome.
  showSnapshot(job.getSnapshot());
  job.subscribe(() => showSnapshot(job.getSnapshot()));
  updateButtons();
  const filter = filterState.filter ?? undefined;
  job.then(
    (result) => {
      const where = result.blob ? 'a Blob' : result.fileName;
      let link: HTMLAnchorElement | undefined;
      if (result.blob) {
        if (blobUrl !== null) URL.revokeObjectURL(blobUrl);
        blobUrl = URL.createObjectURL(result.blob);
        link = Object.assign(document.createElement('a'), { href: blobUrl, download: result.fileName, textContent: `Save ${result.fileName}` });
      }
      const issues = result.issueCount > 0 ? ` ${numberFormat.format(result.issueCount)} issues (first: ${result.issues[0]?.message ?? ''}).` : '';
      showResult(`${describeResult(result, where, filter)}${issues}`, 'ok', link);
      ui.exportPanel.dataset['rowsWritten'] = String(result.rowsWritten);
      ui.exportPanel.dataset['bytesWritten'] = String(result.bytesWritten);
      ui.exportPanel.dataset['fileName'] = result.fileName;
      return history.add({ fileName: result.fileName, format: result.format, rows: result.rowsWritten, bytes: result.bytesWritten, durationMs: result.durationMs, target, finishedAt: Date.now() });
    },
    (error: unknown) => {
      if (isExportError(error) && error.code === 'aborted') showResult('Cancelled: nothing was written.', 'info');
      else if (isExportError(error) && error.code === 'picker_cancelled') showResult('The save dialog was closed: nothing was written.', 'info');
      else showResult(isExportError(error) ? `${error.code}: ${error.message}` : String(error), 'error');
    },
  ).finally(() => {
    running = null;
    updateButtons();
    if (previewDirty) schedulePreview();
  });
}

ui.exportButton.addEventListener('click', startExport);
ui.cancelButton.addEventListener('click', () => running?.cancel('cancelled in the playground'));

// ————— Preview —————

let previewTimer: ReturnType<typeof setTimeout> | undefined;
let previewJob: { cancel(reason?: string): void } | null = null;
let previewDirty = false;

function schedulePreview(): void {
  clearTimeout(previewTimer);
  previewTimer = setTimeout(() => void refreshPreview(), 300);
}

/**
 * The first rows the export would write, made by the library itself (NDJSON into a Blob, stopped
 * after 20 rows), so the preview shows the filter, columns and renames exactly as the export
 * applies them.
 */
async function refreshPreview(): Promise<void> {
  // Preview jobs would share the worker with a running export and make its figures noisier.
  if (running !== null || generating) {
    previewDirty = true;
    return;
  }
  previewDirty = false;
  if (store.count === 0) return;
  if (filterState.error !== null) {
    previewJob?.cancel('the filter changed');
    previewJob = null;
    ui.preview.replaceChildren();
    ui.previewNote.textContent = 'no preview until the filter is fixed';
    return;
  }
  previewJob?.cancel('a newer preview started');
  const options: ExportOptions = { format: 'ndjson', target: 'blob', fileName: 'preview.ndjson', limits: { maxRows: PREVIEW_ROWS, onExceed: 'truncate' } };
  if (filterState.filter !== null) options.filter = filterState.filter;
  const columns = columnsOption();
  if (columns !== undefined) options.columns = columns;
  const job = exportData(store.source(), options);
  previewJob = job;
  try {
    const result = await job;
    if (previewJob !== job) return;
    previewJob = null;
    const text = (await result.blob?.text()) ?? '';
    const rows = text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
    renderPreview(rows);
    ui.previewNote.textContent = rows.length === 0 ? 'no row matches the filter' : `the first ${rows.length} rows the export will write, as the worker sees them`;
  } catch (error) {
    if (previewJob !== job || (isExportError(error) && error.code === 'aborted')) return;
    previewJob = null;
    ui.preview.replaceChildren();
    ui.previewNote.textContent = isExportError(error) ? `${error.code}: ${error.message}` : String(error);
  }
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '∅';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function renderPreview(rows: Array<Record<string, unknown>>): void {
  const headers = rows.length > 0 ? Object.keys(rows[0]!) : [];
  const head = document.createElement('thead');
  const headRow = document.createElement('tr');
  for (const header of headers) headRow.append(Object.assign(document.createElement('th'), { textContent: header }));
  head.append(headRow);
  const body = document.createElement('tbody');
  for (const row of rows) {
    const tr = document.createElement('tr');
    for (const header of headers) {
      const value = row[header];
      const td = Object.assign(document.createElement('td'), { textContent: cellText(value) });
      if (value === null) td.className = 'null';
      else if (typeof value === 'number') td.className = 'num';
      tr.append(td);
    }
    body.append(tr);
  }
  ui.preview.replaceChildren(head, body);
}

// ————— Start-up —————

byId('history-clear').addEventListener('click', () => void history.clear());
void history.render();
showPlan(null);
updateButtons();
void store.storedCount().then(
  (count) => {
    if (count === 0) return;
    ui.useStored.hidden = false;
    ui.useStored.textContent = `Use the ${numberFormat.format(count)} rows in IndexedDB`;
  },
  () => undefined,
);
// A sample is made at once, so the first Export needs no other click. Then the worker and the
// lazily loaded Parquet and Arrow code are fetched, so that every format still exports once the
// network is gone (no service worker: a reload needs the server).
void generate()
  .then(() => preload({ formats: ['parquet', 'arrow', 'xlsx'] }))
  .then(
    () => {
      byId('offline-status').textContent = 'Every format is loaded: exports keep working offline.';
      document.body.dataset['offlineReady'] = 'true';
    },
    () => undefined,
  );
document.documentElement.dataset['ready'] = 'true';
