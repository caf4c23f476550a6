// The React recipe of docs/frameworks.md: a job is an external store, so useSyncExternalStore
// holds its phase, progress, result and error, and re-renders when (and only when) they change.
import { useCallback, useState, useSyncExternalStore } from 'react';
import { exportData } from 'sluice';

/** A store for "no export yet": never changes. */
const NO_JOB = { subscribe: () => () => {}, getSnapshot: () => null };

/** The current export's snapshot (null before the first), and a function that starts one. */
export function useExport() {
  const [job, setJob] = useState(null);
  const store = job ?? NO_JOB;
  // Both methods are bound and stable for the job's lifetime: React subscribes once per job.
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot);
  const start = useCallback((source, options) => {
    // Call it in the click handler itself: the save dialog (target 'auto') needs the click.
    const next = exportData(source, options);
    setJob(next);
    return next;
  }, []);
  return { job, snapshot, start };
}
