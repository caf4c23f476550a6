/**
 * Time bounds for tests that check that something happens rather than hangs (a dead worker's job
 * rejects, a cancelled job settles). The machine that runs them may be busy (a load average of 10
 * and more on two cores stretches every timer and task), so each bound is the longest a correct
 * build takes by its own timers, times a generous factor. A hang still fails it, long before the
 * test's own timeout (60 s in Vitest, 120 s in Playwright).
 */
import { CANCEL_GRACE_MS } from '../../src/export-data.js';
import { HEARTBEAT_INTERVAL_MS, HEARTBEAT_TIMEOUT_MS } from '../../src/worker/client.js';

/** How much slower than idle a busy machine may run the library's timers and the work between them. */
export const LOAD_FACTOR = 5;

/**
 * The slowest a correct build notices a dead worker: the heartbeat's silence plus one period,
 * 2 s (Node and browsers without Web Locks). With Web Locks it takes 7–70 ms.
 */
export const DEATH_NOTICE_MS = HEARTBEAT_TIMEOUT_MS + HEARTBEAT_INTERVAL_MS;

/** A dead worker's job rejects with worker_failed within this: 10 s. */
export const DEATH_NOTICE_BOUND_MS = DEATH_NOTICE_MS * LOAD_FACTOR;

/**
 * A cancelled job rejects within this: 10 s. A worker that has not settled the job when the
 * cancel's grace period (2 s) ends is terminated, and the job rejects at once.
 */
export const CANCEL_BOUND_MS = CANCEL_GRACE_MS * LOAD_FACTOR;
