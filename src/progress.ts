/**
 * Counting rows and bytes, and reporting progress at most 20 times a second.
 */
import type { Progress } from './types.js';

/** Least time between two progress reports: 20 a second at most. */
export const PROGRESS_INTERVAL_MS = 50;

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** Counts what an export has done and calls `onProgress` no more than every 50 ms (plus a final call). */
export class ProgressMeter {
  rowsRead = 0;
  rowsWritten = 0;
  bytesWritten = 0;
  totalRows: number | undefined;
  readonly startedAt = now();
  private lastReport = -Infinity;
  private phase: Progress['phase'] = 'starting';
  private readonly onProgress: ((progress: Progress) => void) | undefined;

  constructor(onProgress: ((progress: Progress) => void) | undefined, totalRows?: number) {
    this.onProgress = onProgress;
    this.totalRows = totalRows;
  }

  get elapsedMs(): number {
    return now() - this.startedAt;
  }

  /** The current snapshot. */
  snapshot(): Progress {
    const elapsedMs = this.elapsedMs;
    const rowsPerSecond = elapsedMs > 0 ? (this.rowsRead * 1000) / elapsedMs : 0;
    const progress: Progress = {
      phase: this.phase,
      rowsRead: this.rowsRead,
      rowsWritten: this.rowsWritten,
      bytesWritten: this.bytesWritten,
      rowsPerSecond,
      elapsedMs,
    };
    if (this.totalRows !== undefined) {
      progress.totalRows = this.totalRows;
      progress.fraction = this.totalRows === 0 ? 1 : Math.min(1, this.rowsRead / this.totalRows);
      if (this.phase === 'done') progress.fraction = 1;
      if (rowsPerSecond > 0) progress.etaMs = Math.max(0, ((this.totalRows - this.rowsRead) * 1000) / rowsPerSecond);
    }
    return progress;
  }

  /** Reports progress if 50 ms have passed since the last report. */
  tick(): void {
    if (this.onProgress === undefined) return;
    const t = now();
    if (t - this.lastReport < PROGRESS_INTERVAL_MS) return;
    this.lastReport = t;
    this.phase = this.phase === 'starting' ? 'running' : this.phase;
    this.emit();
  }

  /** Enters a phase and reports it at once (the final phases always report). */
  enter(phase: Progress['phase']): void {
    this.phase = phase;
    if (this.onProgress === undefined) return;
    this.lastReport = now();
    this.emit();
  }

  private emit(): void {
    try {
      this.onProgress?.(this.snapshot());
    } catch {
      // A throwing progress callback must not break the export.
    }
  }
}
