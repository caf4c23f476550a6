// An app as a user would write it: React 19, the package imported by name, export state held by
// React through the job's store — a button, a progress bar and a cancel button.
import { StrictMode, useEffect, useMemo } from 'react';
import { createRoot } from 'react-dom/client';
import { useExport } from './use-export.js';

const ROWS = Number(new URLSearchParams(location.search).get('rows') ?? 100000);
const RUNNING = new Set(['starting', 'running', 'finalizing']);

function makeRows(count) {
  const regions = ['eu', 'uk', 'us', 'apac'];
  return Array.from({ length: count }, (_, i) => ({ id: i, region: regions[i % 4], total: Math.round(i * 37.5) / 100, note: i % 10 === 3 ? 'said "hi", then\nleft' : `order ${i}` }));
}

function describe(snapshot) {
  if (snapshot === null) return 'No export yet.';
  const { phase, progress, result, error } = snapshot;
  if (phase === 'done') return `Wrote ${result.rowsWritten} rows (${result.bytesWritten} bytes).`;
  if (phase === 'aborted') return 'Cancelled: nothing was written.';
  if (phase === 'failed') return `Failed: ${error.code}: ${error.message}`;
  return `${phase}: ${progress.rowsRead} of ${progress.totalRows ?? '?'} rows read`;
}

function App() {
  const rows = useMemo(() => makeRows(ROWS), []);
  const { job, snapshot, start } = useExport();
  const running = snapshot !== null && RUNNING.has(snapshot.phase);
  const fraction = snapshot?.progress.fraction ?? 0;

  useEffect(() => {
    // For the test, which reads the file back outside the page.
    if (snapshot?.result) window.sluiceReactResult = snapshot.result;
  }, [snapshot]);

  return (
    <main data-phase={snapshot?.phase ?? 'idle'}>
      <h1>Orders</h1>
      <button type="button" disabled={running} onClick={() => start(rows, { format: 'csv', target: 'blob', fileName: 'orders.csv' })}>
        Export {ROWS} rows
      </button>
      <progress aria-label="Export progress" max={1} value={snapshot?.phase === 'done' ? 1 : fraction} />
      <button type="button" disabled={!running} onClick={() => job?.cancel('cancelled in the React app')}>
        Cancel
      </button>
      <p role="status">{describe(snapshot)}</p>
    </main>
  );
}

createRoot(document.getElementById('root')).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
document.body.dataset.ready = 'true';
