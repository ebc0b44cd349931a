/**
 * The soak run's traffic: an @fcgi/server app with a few routes, and the mixed requests
 * sent to it through the gateway (HTTP) and straight through @fcgi/client. Every reply is
 * checked byte for byte, so a lost or half-written response is counted, never missed.
 *
 * @module
 */
import type { Agent } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { Client } from '@fcgi/client';
import { FastCgiError } from '@fcgi/codec';
import type { RequestListener } from '@fcgi/server';
import { httpExchange } from './soak-http.js';

/** Bytes of the /big response. */
export const BIG_LENGTH = 256 * 1024;

function bigBody(): Buffer {
  return Buffer.from(Array.from({ length: BIG_LENGTH }, (_, index) => 97 + (index % 26)));
}

const big = bigBody();

const streamChunk = Buffer.alloc(64 * 1024, 0x73);

/** Writes `total` bytes in 64 KiB pieces, waiting for 'drain' whenever the response is full. */
async function writeStream(res: Parameters<RequestListener>[1], total: number): Promise<void> {
  res.setHeader('Content-Length', String(total));
  for (let sent = 0; sent < total; sent += streamChunk.length) {
    if (!res.write(streamChunk.subarray(0, Math.min(streamChunk.length, total - sent)))) await new Promise((resolve) => res.once('drain', resolve));
  }
  res.end();
}

/**
 * What the soak app saw, server side: requests its handler started, finished writing,
 * saw aborted by the web server, and cut without an abort (must stay 0: nothing accepted
 * is lost or half-written, restarts included).
 *
 * @example
 * ```ts
 * soakCounters.cut; // 0
 * ```
 */
export const soakCounters = { started: 0, finished: 0, aborted: 0, cut: 0 };

/**
 * The soak app: `/stream?bytes=N` (N bytes, streamed with backpressure), `/small`, `/echo` (answers the body length), `/big` (256 KiB, written in
 * pieces with backpressure), `/slow` (answers after 20 ms), `/throw` (a handler error: 500).
 *
 * @example
 * ```ts
 * createServer({}, soakApp).listen(0, '127.0.0.1');
 * ```
 */
export const soakApp: RequestListener = async (req, res) => {
  const [path, query = ''] = (req.url ?? '/').split('?');
  soakCounters.started++;
  res.once('close', () => {
    if (res.writableFinished) soakCounters.finished++;
    else if (req.fastcgi.signal.aborted) soakCounters.aborted++;
    else if (path !== '/throw') soakCounters.cut++;
  });
  let length = 0;
  for await (const chunk of req) length += (chunk as Buffer).length;
  if (path === '/throw') throw new Error('soak: a handler that throws');
  if (path === '/slow') await delay(20);
  if (path === '/stream') {
    await writeStream(res, Number(new URLSearchParams(query).get('bytes') ?? 0));
    return;
  }
  if (path === '/big') {
    for (let offset = 0; offset < big.length; offset += 16 * 1024) {
      if (!res.write(big.subarray(offset, offset + 16 * 1024))) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
    return;
  }
  res.end(path === '/echo' ? `echo ${length}` : 'ok');
};

/** One request kind: what to send and how to check the reply ('ok' or an outcome code). */
export type RequestKind = 'gateway-small' | 'gateway-post' | 'gateway-chunked' | 'gateway-big' | 'gateway-slow' | 'gateway-throw' | 'client-echo' | 'client-big' | 'client-abort';

/** The mix, in order; a worker takes the next kind for each request. */
export const requestMix: readonly RequestKind[] = ['gateway-small', 'gateway-post', 'client-echo', 'gateway-chunked', 'gateway-big', 'client-big', 'gateway-slow', 'client-abort', 'gateway-small', 'client-echo', 'gateway-throw'];

/** Where the traffic goes. */
export interface Targets {
  httpPort: number;
  agent: Agent;
  client: Client;
}

function http(targets: Targets, path: string, body: Buffer | undefined, chunked: boolean): Promise<{ status: number; body: Buffer }> {
  return httpExchange({ port: targets.httpPort, agent: targets.agent, path, body, chunked });
}

function expectHttp(result: { status: number; body: Buffer }, status: number, body: string | Buffer): string {
  if (result.status !== status) return result.status >= 500 && status < 500 ? `HTTP_${result.status}` : `WRONG_STATUS_${result.status}`;
  const expected = typeof body === 'string' ? Buffer.from(body) : body;
  return body === '' || result.body.equals(expected) ? 'ok' : 'WRONG_BODY';
}

async function direct(targets: Targets, path: string, body: Buffer | undefined, signal?: AbortSignal): Promise<Buffer> {
  const response = await targets.client.request({ params: { REQUEST_METHOD: body === undefined ? 'GET' : 'POST', REQUEST_URI: path, SCRIPT_NAME: path, CONTENT_LENGTH: String(body?.length ?? 0) }, body, signal });
  const chunks: Buffer[] = [];
  response.stderr.resume();
  for await (const chunk of response.body) chunks.push(chunk as Buffer);
  await response.done;
  return Buffer.concat(chunks);
}

const postBody = Buffer.alloc(10_000, 0x62);

async function sendKind(targets: Targets, kind: RequestKind, sequence: number): Promise<string> {
  switch (kind) {
    case 'gateway-small': return expectHttp(await http(targets, `/small?n=${sequence}`, undefined, false), 200, 'ok');
    case 'gateway-post': return expectHttp(await http(targets, '/echo', postBody, false), 200, `echo ${postBody.length}`);
    case 'gateway-chunked': return expectHttp(await http(targets, '/echo', postBody, true), 200, `echo ${postBody.length}`);
    case 'gateway-big': return expectHttp(await http(targets, '/big', undefined, false), 200, big);
    case 'gateway-slow': return expectHttp(await http(targets, '/slow', undefined, false), 200, 'ok');
    case 'gateway-throw': {
      const { status } = await http(targets, '/throw', undefined, false);
      return status === 500 ? 'ok' : status > 500 ? `HTTP_${status}` : `WRONG_STATUS_${status}`;
    }
    case 'client-echo': return (await direct(targets, '/echo', postBody)).toString() === `echo ${postBody.length}` ? 'ok' : 'WRONG_BODY';
    case 'client-big': return (await direct(targets, '/big', undefined)).equals(big) ? 'ok' : 'WRONG_BODY';
    case 'client-abort': {
      const signal = AbortSignal.timeout(1 + (sequence % 5));
      try {
        return (await direct(targets, '/slow', undefined, signal)).toString() === 'ok' ? 'ok' : 'WRONG_BODY';
      } catch (error) {
        if (FastCgiError.is(error) && error.code === 'ERR_FCGI_ABORTED') return 'aborted';
        throw error;
      }
    }
  }
}

/**
 * Sends one request of `kind`; resolves to 'ok', 'aborted' (an abort we asked for), or the
 * code of what went wrong (an `ERR_FCGI_*` code, `HTTP_5xx`, `WRONG_BODY`...).
 *
 * @example
 * ```ts
 * await sendRequest(targets, 'gateway-big', 1); // 'ok'
 * ```
 */
export async function sendRequest(targets: Targets, kind: RequestKind, sequence: number): Promise<string> {
  try {
    return await sendKind(targets, kind, sequence);
  } catch (error) {
    if (FastCgiError.is(error)) return error.code;
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? code : `ERROR ${String(error)}`;
  }
}
