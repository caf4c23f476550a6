/**
 * A Vite plugin for the browser-test server: response headers per path, and a collector for
 * reports the browser posts (CSP violations, for one).
 *
 * - Every response carries `Cache-Control: no-store`, whatever Vite would send, so a test never
 *   runs against a module a previous run left in the cache (the library is rebuilt between runs).
 * - Headers for one page come from a file beside it, named after the page plus
 *   `.headers.json`: `test/e2e/pages/csp.html.headers.json` holding
 *   `{ "Content-Security-Policy": "default-src 'self'" }` applies to `/test/e2e/pages/csp.html`
 *   only. A test owns its page and its headers without editing shared configuration.
 * - `rules` adds headers by path prefix or pattern, for groups of paths.
 * - `GET /__sluice/health` answers 200 (Playwright waits on it before the first test).
 * - `GET /favicon.ico` answers 204 when the repository has no icon, so pages log no 404.
 * - `POST /__sluice/reports` stores the body (JSON when it parses), `GET` lists what was stored,
 *   `DELETE` clears it. Workers' CSP violations reach only a `report-uri` endpoint, never the page.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, OutgoingHttpHeader, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { join, normalize, sep } from 'node:path';
import type { Plugin } from 'vite';

/** Extra headers for the paths a rule matches. */
export interface HeaderRule {
  /** A path prefix (`'/dist/'`), an exact path (`'/test/e2e/pages/a.html'`), or a pattern tested on the path. */
  path: string | RegExp;
  /** Header names and values to send. `Cache-Control` cannot be changed: it is always `no-store`. */
  headers: Readonly<Record<string, string>>;
}

/** Options for {@link testHeaders}. */
export interface TestHeadersOptions {
  /** Header rules, applied in order (a later rule wins on the same header). Default none. */
  rules?: readonly HeaderRule[];
  /** Look for `<file>.headers.json` beside each requested file. Default `true`. */
  sidecarFiles?: boolean;
}

/** The URL path Playwright polls to know the server is up. */
export const HEALTH_PATH = '/__sluice/health';
/** The URL path that collects browser reports (`report-uri`, `report-to`, or a test's own POST). */
export const REPORTS_PATH = '/__sluice/reports';

/** The suffix of a page's header file: `page.html` → `page.html.headers.json`. */
export const SIDECAR_SUFFIX = '.headers.json';

const CACHE_CONTROL = 'no-store';
/** Report bodies kept in memory; old ones are dropped so a chatty page cannot grow the server. */
const MAX_REPORTS = 1000;
const MAX_REPORT_BYTES = 1 << 20;

/** Creates the plugin. See the module comment for what it does. */
export function testHeaders(options: TestHeadersOptions = {}): Plugin {
  const rules = options.rules ?? [];
  const sidecarFiles = options.sidecarFiles ?? true;
  const reports: unknown[] = [];
  let root = process.cwd();

  return {
    name: 'sluice-test-headers',
    apply: 'serve',
    configResolved(config) {
      root = config.root;
    },
    configureServer(server) {
      // Registered directly (not in a returned hook) so it runs before Vite's own middlewares
      // and sees every request, including the ones Vite answers itself.
      server.middlewares.use((req, res, next) => {
        const path = pathOf(req);
        const extra: Record<string, string> = {};
        for (const rule of rules) {
          if (matches(rule.path, path)) Object.assign(extra, rule.headers);
        }
        try {
          if (sidecarFiles) Object.assign(extra, readSidecar(root, path));
        } catch (error) {
          // A broken header file must fail the page loudly (500), not serve it without its headers.
          enforceHeaders(res, {});
          next(error);
          return;
        }
        enforceHeaders(res, extra);

        if (path === HEALTH_PATH) {
          res.setHeader('Content-Type', 'text/plain');
          res.end('ok');
          return;
        }
        if (path === '/favicon.ico' && !existsSync(join(root, 'public', 'favicon.ico')) && !existsSync(join(root, 'favicon.ico'))) {
          // Chromium asks every page for one; a 404 would show up as a console error in tests that forbid them.
          res.statusCode = 204;
          res.end();
          return;
        }
        if (path === REPORTS_PATH) {
          handleReports(req, res, reports).catch(next);
          return;
        }
        next();
      });
    },
  };
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const end = url.search(/[?#]/);
  const raw = end === -1 ? url : url.slice(0, end);
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function matches(pattern: string | RegExp, path: string): boolean {
  if (typeof pattern !== 'string') return pattern.test(path);
  return pattern.endsWith('/') ? path.startsWith(pattern) : path === pattern;
}

/** Headers from `<root><path>.headers.json`, re-read on every request so edits apply at once. */
function readSidecar(root: string, path: string): Record<string, string> {
  if (path.endsWith('/') || path.startsWith('/@') || path.startsWith('/__')) return {};
  const file = normalize(join(root, path + SIDECAR_SUFFIX));
  // Never read outside the served root, whatever `..` the URL holds.
  if (!file.startsWith(normalize(root) + sep)) return {};
  try {
    if (!statSync(file).isFile()) return {};
  } catch {
    return {};
  }
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${file} must hold a JSON object of header names to string values`);
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (typeof value !== 'string') throw new Error(`${file}: header "${name}" must be a string, got ${typeof value}`);
    headers[name] = value;
  }
  return headers;
}

/**
 * Makes `extra` and `Cache-Control: no-store` win over whatever the rest of the server sets.
 * Vite sets Cache-Control both with `setHeader` and in `writeHead(status, headers)`, and Node
 * calls `writeHead` itself on the first write when nobody did, so wrapping `writeHead` on this
 * response is the one place that sees every header before it is sent.
 */
function enforceHeaders(res: ServerResponse, extra: Readonly<Record<string, string>>): void {
  const writeHead = res.writeHead;
  const patched = function (this: ServerResponse, statusCode: number, ...rest: unknown[]): ServerResponse {
    const statusMessage = typeof rest[0] === 'string' ? rest[0] : undefined;
    const headers = (statusMessage === undefined ? rest[0] : rest[1]) as OutgoingHttpHeaders | OutgoingHttpHeader[] | undefined;
    if (Array.isArray(headers)) {
      // Node's flat form: [name, value, name, value, ...].
      for (let i = 0; i + 1 < headers.length; i += 2) this.setHeader(String(headers[i]), headers[i + 1] as OutgoingHttpHeader);
    } else if (headers) {
      for (const [name, value] of Object.entries(headers)) if (value !== undefined) this.setHeader(name, value);
    }
    for (const [name, value] of Object.entries(extra)) this.setHeader(name, value);
    this.setHeader('Cache-Control', CACHE_CONTROL);
    // Node reads a non-string second argument as headers; undefined is "no message, no headers".
    return (writeHead as (code: number, message?: string) => ServerResponse).call(this, statusCode, statusMessage);
  };
  res.writeHead = patched as ServerResponse['writeHead'];
}

async function handleReports(req: IncomingMessage, res: ServerResponse, reports: unknown[]): Promise<void> {
  res.setHeader('Content-Type', 'application/json');
  if (req.method === 'GET') {
    res.end(JSON.stringify(reports));
    return;
  }
  if (req.method === 'DELETE') {
    reports.length = 0;
    res.end('[]');
    return;
  }
  if (req.method !== 'POST') {
    res.statusCode = 405;
    res.end(JSON.stringify({ error: `${req.method ?? '?'} is not allowed on ${REPORTS_PATH}` }));
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.byteLength;
    if (size > MAX_REPORT_BYTES) {
      res.statusCode = 413;
      res.end(JSON.stringify({ error: `report bodies are limited to ${MAX_REPORT_BYTES} bytes` }));
      return;
    }
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: keep the text as sent.
  }
  // `report-to` batches arrive as arrays; store their entries one by one.
  for (const entry of Array.isArray(body) ? body : [body]) {
    reports.push({ contentType: req.headers['content-type'] ?? '', body: entry });
  }
  if (reports.length > MAX_REPORTS) reports.splice(0, reports.length - MAX_REPORTS);
  res.statusCode = 204;
  res.end();
}
