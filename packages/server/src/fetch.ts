/**
 * The fetch-style entry: a handler `(request: Request) => Response` served over FastCGI,
 * with streaming bodies both ways.
 *
 * @module
 */
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { RequestListener } from './node-handler.js';
import { type FastCgiIncomingMessage, type FastCgiRequestInfo, peerInfo } from './node-request.js';
import type { FastCgiServerResponse } from './node-response.js';
import { lightRequests, webHeaders } from './light-request.js';

/**
 * The second argument of a fetch handler: the FastCGI facts and the node request.
 *
 * @example
 * ```ts
 * const handler: FetchHandler = (request, { fastcgi }) => new Response(fastcgi.params.REMOTE_ADDR);
 * ```
 */
export interface FetchContext {
  /** Role, request id, params, keepConn, signal (and `data` for filters). */
  readonly fastcgi: FastCgiRequestInfo;
  /** The underlying node request, for what a `Request` cannot carry. */
  readonly req: FastCgiIncomingMessage;
}

/**
 * A web-standard handler: gets a `Request` (its `signal` fires on abort), returns a
 * `Response` or a promise of one.
 *
 * @example
 * ```ts
 * const handler: FetchHandler = async (request) => new Response(`you sent ${(await request.text()).length} bytes`);
 * ```
 */
export type FetchHandler = (request: Request, context: FetchContext) => Response | Promise<Response>;

function origin(req: FastCgiIncomingMessage): string {
  const params = req.fastcgi.params;
  // From the params, as `req.socket.encrypted` is: reading `req.socket` would create the stand-in.
  const scheme = peerInfo(params).encrypted ? 'https' : 'http';
  const host = req.headers.host ?? (params.SERVER_NAME ? `${params.SERVER_NAME}${params.SERVER_PORT ? `:${params.SERVER_PORT}` : ''}` : 'localhost');
  return `${scheme}://${host}`;
}

/** The absolute URL of a request: its Host header (or SERVER_NAME) and `req.url`. */
function absoluteUrl(req: FastCgiIncomingMessage): string {
  try {
    return new URL(req.url ?? '/', origin(req)).href;
  } catch {
    return new URL(req.url?.startsWith('/') ? req.url : '/', 'http://localhost').href;
  }
}

/** The real web `Request`: method, headers, the body as a stream, and the abort signal. */
function realRequest(req: FastCgiIncomingMessage, url: string, headers: Headers): Request {
  const method = req.method ?? 'GET';
  const init: RequestInit & { duplex?: 'half' } = { method, headers, signal: req.fastcgi.signal };
  if (method !== 'GET' && method !== 'HEAD') {
    // node's web stream and the DOM's are the same object with different type declarations.
    const body: unknown = Readable.toWeb(req);
    init.body = body as RequestInit['body'];
    init.duplex = 'half';
  }
  return new Request(url, init);
}

/**
 * Builds a web `Request` from a FastCGI request: absolute URL from the Host header (or
 * SERVER_NAME) and `req.url`, the headers, the body as a stream, and the abort signal.
 *
 * @example
 * ```ts
 * createServer(async (req, res) => { const request = toWebRequest(req); res.end(request.url); });
 * ```
 */
export function toWebRequest(req: FastCgiIncomingMessage): Request {
  return realRequest(req, absoluteUrl(req), webHeaders(req));
}

const toLightRequest = lightRequests(realRequest);

function waitForDrainOrClose(res: FastCgiServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * Writes a web `Response` to a node response: status, headers (every Set-Cookie kept),
 * then the body, streamed with backpressure. Stops reading the body if the request is
 * aborted.
 *
 * @example
 * ```ts
 * await sendWebResponse(res, new Response('hi', { status: 201 }));
 * ```
 */
export async function sendWebResponse(res: FastCgiServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status;
  if (response.statusText !== '') res.statusMessage = response.statusText;
  for (const [name, value] of response.headers) if (name !== 'set-cookie') res.setHeader(name, value);
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  if (response.body === null) {
    res.end();
    return;
  }
  const reader = (response.body as unknown as NodeReadableStream<Uint8Array>).getReader();
  try {
    for (;;) {
      if (res.destroyed) {
        await reader.cancel();
        return;
      }
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await waitForDrainOrClose(res);
    }
  } finally {
    reader.releaseLock();
  }
  res.end();
}

/**
 * Turns a fetch handler into a node:http listener (what `createServer({ fetch })` does).
 *
 * @example
 * ```ts
 * import { createServer, toNodeListener } from '@fcgi/server';
 * createServer(toNodeListener(() => new Response('hello'))).listen(9000);
 * ```
 */
export function toNodeListener(handler: FetchHandler): RequestListener {
  return async (req, res) => {
    // A light Request: the real one is built only if the handler reads more than method, url, headers and signal.
    const response = await handler(toLightRequest(req, absoluteUrl(req)), { fastcgi: req.fastcgi, req });
    await sendWebResponse(res, response);
  };
}
