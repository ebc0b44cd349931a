/**
 * Test support for the nginx fault tests: an @fcgi/server app that records, per request
 * (`?id=`), how much it read and wrote, whether it saw 'close' and the abort; and a few
 * raw-socket and polling helpers.
 */
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { type Socket, connect } from 'node:net';
import type { RequestListener } from '@fcgi/server';

/** What the handler saw of one request. */
export interface Seen {
  read: number;
  written: number;
  /** res emitted 'close'. */
  closed: boolean;
  /** res had written everything when it closed. */
  finished: boolean;
  /** The request's signal was aborted when res closed. */
  aborted: boolean;
  /** Reading the body threw (the web server went away mid-body). */
  readFailed: boolean;
}

const piece = Buffer.alloc(64 * 1024, 0x64);

async function readBody(req: Parameters<RequestListener>[0], seen: Seen): Promise<void> {
  try {
    for await (const chunk of req) seen.read += (chunk as Buffer).length;
  } catch {
    seen.readFailed = true;
  }
}

/** Resolves on 'drain' or 'close', whichever comes first, and removes both listeners. */
function drainOrClose(res: Parameters<RequestListener>[1]): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.on('drain', done).on('close', done);
  });
}

async function download(req: Parameters<RequestListener>[0], res: Parameters<RequestListener>[1], seen: Seen, total: number): Promise<void> {
  res.setHeader('Content-Length', String(total));
  while (seen.written < total && !req.fastcgi.signal.aborted) {
    seen.written += piece.length;
    if (!res.write(piece)) await drainOrClose(res);
  }
  res.end();
}

/**
 * The app, routed on the last path segment: `hello`, `upload` (reads the body, answers its length), `slow` (answers when
 * aborted or after 20 s), `download?bytes=N` (N bytes in 64 KiB pieces with backpressure).
 */
export function faultsApp(): { listener: RequestListener; seen: Map<string, Seen> } {
  const seen = new Map<string, Seen>();
  const listener: RequestListener = async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const record: Seen = { read: 0, written: 0, closed: false, finished: false, aborted: false, readFailed: false };
    seen.set(url.searchParams.get('id') ?? '', record);
    res.once('close', () => {
      record.closed = true;
      record.finished = res.writableFinished;
      record.aborted = req.fastcgi.signal.aborted;
    });
    await readBody(req, record);
    // Routed on the last path segment, so that nginx locations can prefix it.
    const route = url.pathname.split('/').at(-1);
    if (route === 'slow') {
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, 20_000);
        req.fastcgi.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve(undefined);
        });
      });
    }
    if (route === 'download') await download(req, res, record, Number(url.searchParams.get('bytes')));
    else res.end(route === 'upload' ? `read ${record.read}` : 'hello');
  };
  return { listener, seen };
}

/** Open file descriptors of this process. */
export function openDescriptors(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Polls `condition` every 20 ms; rejects with `what` after `milliseconds`. */
export async function waitFor(condition: () => boolean, what: string, milliseconds = 10_000): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited >= milliseconds) throw new Error(`timed out after ${milliseconds} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A raw TCP connection to the web server (an HTTP client we can cut at any byte). */
export async function rawHttp(port: number): Promise<Socket> {
  const socket = connect({ port, host: '127.0.0.1' });
  socket.on('error', () => {});
  await once(socket, 'connect');
  return socket;
}
