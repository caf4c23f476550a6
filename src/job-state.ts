/**
 * A running job's state as an external store: `subscribe` + `getSnapshot`, the shape React's
 * `useSyncExternalStore`, a Vue `shallowRef` and a Svelte store wrap in a line or two, with no
 * framework code here.
 *
 * The snapshot is frozen and replaced (never mutated) when something changes, so a store that
 * compares snapshots with `Object.is` re-renders exactly when there is news, and `getSnapshot()`
 * called twice without news returns the same object (React requires this, or it loops).
 */
import type { ExportError } from './errors.js';
import type { ExportResult, JobSnapshot, Progress } from './types.js';

/** What a settled job adds to its last progress report. */
export type JobOutcome<R extends ExportResult> = { result: R } | { error: ExportError };

/** Holds one job's snapshot and its listeners. */
export class JobState<R extends ExportResult = ExportResult> {
  private current: JobSnapshot<R>;
  private readonly listeners = new Set<() => void>();
  private settled = false;

  constructor(progress: Progress) {
    this.current = freezeSnapshot<R>(progress, undefined);
  }

  /** The current snapshot: the same object until the state changes. */
  getSnapshot = (): JobSnapshot<R> => this.current;

  /**
   * Calls `listener` (with no arguments) after every change; returns a function that stops it.
   * Unsubscribing twice, or after the job settled, is harmless.
   */
  subscribe = (listener: () => void): (() => void) => {
    if (typeof listener !== 'function') throw new TypeError(`subscribe expects a function, got ${typeof listener}`);
    // A settled job never changes again: nothing to hold on to.
    if (this.settled) return () => undefined;
    // Each subscription is its own entry, so the same function subscribed twice is removed once per call.
    const entry = (): void => listener();
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  };

  /**
   * Records a progress report, and the outcome when the job settles. Reports after the outcome
   * are ignored: a settled snapshot is final.
   */
  update(progress: Progress, outcome?: JobOutcome<R>): void {
    if (this.settled) return;
    this.current = freezeSnapshot<R>(progress, outcome);
    if (outcome !== undefined) this.settled = true;
    // A copy: a listener may unsubscribe (itself or another) while we iterate.
    const listeners = [...this.listeners];
    if (this.settled) this.listeners.clear();
    for (const listener of listeners) {
      try {
        listener();
      } catch (error) {
        // One broken listener must neither stop the export nor starve the others; its error still
        // surfaces, as an uncaught exception, the way an event listener's would.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}

function freezeSnapshot<R extends ExportResult>(progress: Progress, outcome: JobOutcome<R> | undefined): JobSnapshot<R> {
  const frozen = Object.freeze({ ...progress });
  const snapshot: { phase: Progress['phase']; progress: Readonly<Progress>; result?: R; error?: ExportError } = { phase: frozen.phase, progress: frozen };
  if (outcome !== undefined && 'result' in outcome) snapshot.result = outcome.result;
  if (outcome !== undefined && 'error' in outcome) snapshot.error = outcome.error;
  return Object.freeze(snapshot);
}
