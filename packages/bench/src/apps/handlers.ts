/**
 * The one HTTP handler every benchmarked server runs (ours, node-fastcgi, node:http), so they
 * do the same work: `/big` answers 64 KiB, `/stream?bytes=N` streams N bytes in 64 KiB
 * chunks with backpressure, `/hold` never answers (memory scenario), anything else "hello".
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Size of the `/big` response and of each `/stream` chunk. */
export const bigSize = 64 * 1024;
const big = Buffer.alloc(bigSize, 120);
const hello = Buffer.from('hello world\n');

/** Responses held open by `/hold`, so they can be counted and released. */
export const held: ServerResponse[] = [];

function streamBytes(response: ServerResponse, total: number): void {
  response.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(total) });
  let left = total;
  const pump = (): void => {
    while (left > 0) {
      const chunk = left >= bigSize ? big : big.subarray(0, left);
      left -= chunk.length;
      if (!response.write(chunk)) {
        response.once('drain', pump);
        return;
      }
    }
    response.end();
  };
  pump();
}

/**
 * The benchmark handler.
 *
 * @example
 * ```ts
 * http.createServer(benchHandler).listen(8080);
 * ```
 */
export function benchHandler(request: IncomingMessage, response: ServerResponse): void {
  const url = request.url ?? '/';
  if (url.includes('/hold')) {
    held.push(response);
    return;
  }
  if (url.includes('/stream')) {
    streamBytes(response, Number(new URL(url, 'http://x').searchParams.get('bytes') ?? '0'));
    return;
  }
  const body = url.includes('/big') ? big : hello;
  response.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': String(body.length) });
  response.end(body);
}
