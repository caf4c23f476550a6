/**
 * The one interface every engine is driven through. A spec sees only this: it opens a page, calls
 * the page's functions (JSON in, JSON out), and reads the files the browser downloaded.
 */

/** The engines the suite knows. */
export const ENGINES = ['chromium', 'firefox', 'webkit'] as const;
/** One of {@link ENGINES}. */
export type EngineName = (typeof ENGINES)[number];

/** A started browser with one page. */
export interface EngineDriver {
  readonly engine: EngineName;
  /** Browser name and version, e.g. `Firefox 153.8.0esr`. */
  readonly version: string;
  /** How the browser is driven, for the log (e.g. `puppeteer-core over WebDriver BiDi`). */
  readonly protocol: string;
  /** The folder the browser saves downloads to (emptied by the runner before each spec). */
  readonly downloadDir: string;
  /** Navigates to `url` and waits until the page's module has set `data-ready`. */
  open(url: string): Promise<void>;
  /**
   * Calls `window.sluiceEngines[method](...args)` in the page, awaits it, and returns its JSON
   * result. A rejection comes back as an Error with the page's message.
   */
  call<T = unknown>(method: string, ...args: unknown[]): Promise<T>;
  /** Process ids whose descendants are the browser's processes (for memory figures). */
  readonly rootPids: number[];
  /** Ends the browser and everything started for it. Never rejects. */
  close(): Promise<void>;
}

/** Why an engine cannot run here (printed as the reason it is skipped), or a driver. */
export type LaunchResult = { ok: true; driver: EngineDriver } | { ok: false; reason: string };

/** The script every driver runs to call a page function: resolves `{ ok, value }` or `{ ok: false, error }`. */
export const CALL_SCRIPT = `
  const [method, args] = [arguments[0], arguments[1]];
  const api = window.sluiceEngines;
  if (api === undefined) return { ok: false, error: 'the page has no window.sluiceEngines (it did not load)' };
  if (typeof api[method] !== 'function') return { ok: false, error: 'the page has no function ' + method };
  return Promise.resolve()
    .then(() => api[method](...args))
    // Through JSON text, so every protocol carries the same plain data (WebDriver BiDi would send
    // an object met twice as a reference that puppeteer does not resolve).
    .then((value) => ({ ok: true, value: value === undefined ? null : JSON.parse(JSON.stringify(value)) }), (error) => ({ ok: false, error: String((error && error.stack) || error) }));
`;

/** Unwraps the result of {@link CALL_SCRIPT}. */
export function unwrapCall<T>(method: string, outcome: unknown): T {
  const o = outcome as { ok?: boolean; value?: unknown; error?: string } | null;
  if (o === null || typeof o !== 'object') throw new Error(`page call ${method}: no answer (${String(outcome)})`);
  if (o.ok !== true) throw new Error(`page call ${method} failed: ${o.error ?? 'unknown error'}`);
  return o.value as T;
}
