/**
 * Test support for the "handler that never ends" runs through nginx: an @fcgi/server app
 * whose routes answer, never answer, stall after a first chunk, throw, or keep writing
 * after the abort, recording per request (`?id=`) what the handler saw; and a small
 * node:http client that reports the status, body, whether the body was whole, and the time.
 */
import { type Agent, request } from 'node:http';
import type { RequestListener } from '@fcgi/server';

/** What a handler saw of one request. */
export interface Handled {
  /** res emitted 'close'. */
  closed: boolean;
  /** res had written everything when it closed. */
  finished: boolean;
  /** The request's signal was aborted when res closed. */
  aborted: boolean;
  /** `res.write` calls made after the abort (the after-abort route). */
  writesAfterAbort: number;
  /** A `res.write` after the abort threw (it must not). */
  writeThrew: boolean;
}

/** The first chunk the `stall` route writes before it stalls. */
export const FIRST_CHUNK = 'first chunk\n';

/** Resolves once `signal` is aborted (a handler with nothing else to wait for). */
function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** Writes a piece every 5 ms, 20 times, after the abort; then ends. Records anything that throws. */
async function writeAfterAbort(res: Parameters<RequestListener>[1], record: Handled): Promise<void> {
  for (let index = 0; index < 20; index++) {
    try {
      res.write(`late ${index}\n`);
      record.writesAfterAbort++;
    } catch {
      record.writeThrew = true;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  res.end('late end\n');
}

/**
 * The app, routed on the last path segment: `hello` (answers `hello <id>`), `never`
 * (never writes; returns at the abort), `stall` (writes the head and {@link FIRST_CHUNK},
 * then waits for the abort), `throw` (throws before writing: a 500), `throw-late` (writes
 * {@link FIRST_CHUNK}, then rejects 20 ms later), `after-abort` (waits for the abort, then
 * keeps writing and ends).
 */
export function neverEndsApp(): { listener: RequestListener; handled: Map<string, Handled> } {
  const handled = new Map<string, Handled>();
  const listener: RequestListener = async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const id = url.searchParams.get('id') ?? '';
    const record: Handled = { closed: false, finished: false, aborted: false, writesAfterAbort: 0, writeThrew: false };
    handled.set(id, record);
    res.once('close', () => {
      record.closed = true;
      record.finished = res.writableFinished;
      record.aborted = req.fastcgi.signal.aborted;
    });
    const route = url.pathname.split('/').at(-1);
    if (route === 'throw') throw new Error(`thrown on purpose by ${id}`);
    if (route === 'throw-late') {
      res.write(FIRST_CHUNK);
      await new Promise((resolve) => setTimeout(resolve, 20));
      throw new Error(`thrown on purpose by ${id}, after its first chunk`);
    }
    if (route === 'never') return aborted(req.fastcgi.signal);
    if (route === 'stall') {
      res.write(FIRST_CHUNK);
      return aborted(req.fastcgi.signal);
    }
    if (route === 'after-abort') {
      await aborted(req.fastcgi.signal);
      return writeAfterAbort(res, record);
    }
    res.end(`hello ${id}`);
    return undefined;
  };
  return { listener, handled };
}

/** What {@link httpGet} saw. */
export interface HttpOutcome {
  /** The status (0 when no response head arrived). */
  status: number;
  body: string;
  /** The body arrived whole (the response ended normally). */
  complete: boolean;
  /** Milliseconds from sending to the end (or the failure). */
  elapsed: number;
}

/** GET `path` from 127.0.0.1:`port` with `agent`; never rejects (a failure is an outcome). */
export function httpGet(port: number, path: string, agent: Agent): Promise<HttpOutcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    let status = 0;
    let body = '';
    let settled = false;
    const settle = (complete: boolean): void => {
      if (settled) return;
      settled = true;
      resolve({ status, body, complete, elapsed: performance.now() - started });
    };
    const outgoing = request({ host: '127.0.0.1', port, path, agent }, (response) => {
      status = response.statusCode ?? 0;
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => settle(response.complete));
      response.on('error', () => settle(false));
      response.on('close', () => settle(response.complete));
    });
    outgoing.on('error', () => settle(false));
    outgoing.end();
  });
}
