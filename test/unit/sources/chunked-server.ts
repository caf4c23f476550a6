/**
 * A local HTTP server for source tests: each route writes its body in the given pieces, with a
 * pause between them so they reach the client as separate network chunks.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One route's answer. */
export interface Route {
  /** Status code. Default 200. */
  status?: number;
  /** Response headers. */
  headers?: Record<string, string>;
  /** Body pieces, written in order. */
  chunks: ReadonlyArray<string | Uint8Array>;
  /** After the pieces, `count` generated lines, written only as fast as the client reads them. */
  generate?: { count: number; line(index: number): string };
  /** Keep the response open after the last piece (for abort tests). */
  hang?: boolean;
}

/** A running server. */
export interface ChunkedServer {
  origin: string;
  /** Requests seen, in order. */
  requests: Array<{ path: string; headers: IncomingHttpHeaders }>;
  /** Paths whose connection closed before the response ended. */
  closedEarly: string[];
  /** Body bytes handed to the socket, by path. */
  bytesSent: Map<string, number>;
  close(): Promise<void>;
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts a server on 127.0.0.1 at a random port. */
export async function startChunkedServer(routes: Record<string, Route>): Promise<ChunkedServer> {
  const requests: ChunkedServer['requests'] = [];
  const closedEarly: string[] = [];
  const bytesSent = new Map<string, number>();
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push({ path, headers: req.headers });
    const route = routes[path];
    if (route === undefined) {
      res.writeHead(404, 'Not Found', { 'Content-Type': 'text/plain' });
      res.end('no such fixture');
      return;
    }
    res.on('close', () => {
      if (!res.writableFinished) closedEarly.push(path);
    });
    res.writeHead(route.status ?? 200, route.headers ?? {});
    res.flushHeaders();
    void (async () => {
      const count = (chunk: string | Uint8Array): void => {
        bytesSent.set(path, (bytesSent.get(path) ?? 0) + (typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength));
      };
      for (const chunk of route.chunks) {
        if (res.destroyed) return;
        count(chunk);
        res.write(chunk);
        await pause(3);
      }
      const generate = route.generate;
      for (let i = 0; generate !== undefined && i < generate.count; i++) {
        if (res.destroyed) return;
        const line = generate.line(i);
        count(line);
        // Backpressure: wait until the client has taken what is buffered.
        if (!res.write(line)) await new Promise<void>((resolve) => {
          res.once('drain', resolve);
          res.once('close', resolve);
        });
      }
      if (!route.hang) res.end();
    })();
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    closedEarly,
    bytesSent,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Splits `text`'s UTF-8 bytes at the given byte offsets (to cut inside multi-byte characters). */
export function splitBytes(text: string, offsets: readonly number[]): Uint8Array[] {
  const bytes = new TextEncoder().encode(text);
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (const offset of [...offsets, bytes.byteLength]) {
    pieces.push(bytes.subarray(start, offset));
    start = offset;
  }
  return pieces;
}

/** Splits text into pieces of `size` characters. */
export function splitText(text: string, size: number): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  return pieces;
}
