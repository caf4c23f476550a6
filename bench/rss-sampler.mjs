/**
 * Samples the process's resident set size every ~50 ms from a worker thread, so samples keep
 * coming while the main thread is busy (promise chains never yield to timers on the main thread).
 */
import { parentPort } from 'node:worker_threads';

let peak = 0;
const sample = () => {
  const rss = process.memoryUsage.rss();
  if (rss > peak) peak = rss;
};
sample();
const timer = setInterval(sample, 50);
parentPort.on('message', (msg) => {
  if (msg === 'stop') {
    clearInterval(timer);
    sample();
    parentPort.postMessage({ peak });
    parentPort.close();
  }
});
