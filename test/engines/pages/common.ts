/**
 * What every engine page shares: the driver's entry point (`window.sluiceEngines`), a record of
 * uncaught page errors, and a record of download-anchor clicks. The runner reads both after each
 * spec, the same way in every engine (no engine-specific event API is needed).
 */

/** One `<a download>` click the page made. */
export interface AnchorClick {
  fileName: string;
  /** Size of the Blob behind the object URL, when the URL was made on this page. */
  size: number | null;
}

/** Functions a page offers the runner; each takes and returns JSON. */
export type PageApi = Record<string, (...args: never[]) => unknown>;

declare global {
  interface Window {
    /** Set once the page's module has loaded. */
    sluiceEngines?: PageApi & { errors(): string[]; anchorClicks(): AnchorClick[] };
  }
}

const errors: string[] = [];
const clicks: AnchorClick[] = [];
const blobSizes = new Map<string, number>();

window.addEventListener('error', (event) => errors.push(`error: ${event.message} at ${event.filename}:${event.lineno}`));
window.addEventListener('unhandledrejection', (event) => {
  const reason = event.reason as { code?: unknown; message?: unknown } | undefined;
  errors.push(`unhandled rejection: ${String(reason?.code ?? '')} ${String(reason?.message ?? event.reason)}`);
});

const createObjectURL = URL.createObjectURL.bind(URL);
URL.createObjectURL = (object: Blob | MediaSource): string => {
  const url = createObjectURL(object);
  if (object instanceof Blob) blobSizes.set(url, object.size);
  return url;
};
const click = HTMLAnchorElement.prototype.click;
HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement): void {
  if (this.hasAttribute('download')) clicks.push({ fileName: this.download, size: blobSizes.get(this.href) ?? null });
  click.call(this);
};

/** Publishes `api` for the runner and marks the page ready. */
export function expose(api: PageApi): void {
  window.sluiceEngines = { ...api, errors: () => [...errors], anchorClicks: () => [...clicks] };
  document.documentElement.dataset['ready'] = 'true';
}

/** Bytes as base64 (JSON carries it to Node). */
export function base64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** An error as data. */
export function errorInfo(error: unknown): { name: string; code: string; message: string } {
  const e = error as { name?: unknown; code?: unknown; message?: unknown } | null;
  return { name: String(e?.name), code: String(e?.code), message: String(e?.message ?? error) };
}
