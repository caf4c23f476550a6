/**
 * A tiny static file server for a consumer app's build output, as a plain web host would serve
 * it: files only, no rewriting, no bundler in the middle, and the MIME types browsers insist on
 * (`application/wasm` for `WebAssembly.instantiateStreaming`, a JavaScript type for module
 * workers). It records every request so a test can check what the page fetched.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';

/** MIME types by file extension; anything else is served as `application/octet-stream`. */
export const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** One request the server answered. */
export interface ServedRequest {
  /** The URL path, without the query. */
  path: string;
  /** The status sent. */
  status: number;
  /** The `Content-Type` sent, or `null` for errors. */
  contentType: string | null;
}

/** A running server. */
export interface StaticServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  origin: string;
  /** Every request answered so far, in order. */
  requests: ServedRequest[];
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/** Extra routes answered before the files, e.g. a page a test owns. */
export type StaticRoutes = Readonly<Record<string, { contentType: string; body: string }>>;

/**
 * Serves the files under `root` on 127.0.0.1 at a free port (or `port`). `/` and paths ending in
 * `/` serve `index.html`; a missing `/favicon.ico` gets 204. Only GET and HEAD; paths that leave
 * `root` get 404.
 */
export async function serveStatic(root: string, options: { port?: number; routes?: StaticRoutes } = {}): Promise<StaticServer> {
  const base = resolve(root);
  const requests: ServedRequest[] = [];
  const routes = options.routes ?? {};

  const answer = (res: ServerResponse, path: string, status: number, contentType: string | null, body?: string): void => {
    requests.push({ path, status, contentType });
    const headers: Record<string, string> = { 'Cache-Control': 'no-store' };
    if (contentType !== null) headers['Content-Type'] = contentType;
    res.writeHead(status, headers);
    res.end(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    if (req.method !== 'GET' && req.method !== 'HEAD') return answer(res, path, 405, null);
    const route = routes[path];
    if (route !== undefined) return answer(res, path, 200, route.contentType, req.method === 'HEAD' ? undefined : route.body);
    const file = normalize(join(base, path.endsWith('/') ? `${path}index.html` : path));
    if (file !== base && !file.startsWith(base + sep)) return answer(res, path, 404, null);
    const info = await stat(file).catch(() => null);
    if (info === null || !info.isFile()) {
      // Browsers ask for an icon by themselves; its 404 would read as a page error in the tests.
      if (path === '/favicon.ico') return answer(res, path, 204, null);
      return answer(res, path, 404, null);
    }
    const contentType = MIME_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    requests.push({ path, status: 200, contentType });
    res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': String(info.size), 'Cache-Control': 'no-store' });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file).pipe(res);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) answer(res, req.url ?? '?', 500, 'text/plain; charset=utf-8', String(error));
      else res.destroy();
    });
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, '127.0.0.1', () => done());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
