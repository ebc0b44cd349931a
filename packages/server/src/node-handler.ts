/**
 * Runs a node:http-style listener for one FastCGI request: builds `req`/`res`, wires the
 * request's streams, aborts and errors to them, and turns a handler's exception into a
 * 500 (or a cut response) that is reported, never a crash.
 *
 * @module
 */
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { type FastCgiServerError, handlerError } from './errors.js';
import type { NameValuePair } from '@fcgi/codec';
import { FastCgiIncomingMessage, type FastCgiRequestInfo, FastCgiSocket, initializeRequest, peerInfo } from './node-request.js';
import { FastCgiServerResponse } from './node-response.js';
import type { ActiveRequest, RoleName } from './request.js';
import { pinOwnMethods } from './pin-methods.js';

/**
 * A node:http request listener, as passed to `http.createServer`. It may return a promise:
 * a rejection is handled like a thrown error.
 *
 * @example
 * ```ts
 * const listener: RequestListener = (req, res) => res.end('hello');
 * ```
 */
export type RequestListener = (req: FastCgiIncomingMessage, res: FastCgiServerResponse) => unknown;

/**
 * Receives errors thrown by handlers (already wrapped as ERR_FCGI_HANDLER_ERROR) and body
 * limit errors.
 *
 * @example
 * ```ts
 * const report: RequestErrorReporter = (error, req) => console.error(error.code, req.url);
 * ```
 */
export type RequestErrorReporter = (error: FastCgiServerError, req: FastCgiIncomingMessage) => void;

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function ignore(): void {}

/**
 * `req.fastcgi`: the request's facts, with the pair objects (and their byte views) and the
 * AbortController built only when read: for most handlers they cost more than the rest.
 */
class RequestInfo implements FastCgiRequestInfo {
  readonly role: RoleName;
  readonly requestId: number;
  readonly params: Readonly<Record<string, string>>;
  readonly keepConn: boolean;
  readonly data: Readable | undefined;
  readonly #request: ActiveRequest;

  constructor(request: ActiveRequest, params: Readonly<Record<string, string>>, data: Readable | undefined) {
    this.#request = request;
    this.role = request.role;
    this.requestId = request.requestId;
    this.params = params;
    this.keepConn = request.keepConn;
    this.data = data;
  }

  get pairs(): readonly NameValuePair[] {
    return this.#request.pairs;
  }

  get signal(): AbortSignal {
    return this.#request.signal;
  }
}

const abortCodes = new Set(['ERR_FCGI_REQUEST_ABORTED', 'ABORT_ERR', 'ERR_STREAM_PREMATURE_CLOSE', 'ECONNRESET']);

/** True for the errors an abort itself causes (the signal's reason, a premature close). */
function isAbortConsequence(error: unknown, reason: unknown): boolean {
  if (error === reason) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && abortCodes.has(code);
}

/** Answers with a plain-text status when nothing was sent yet, else cuts the response. */
function answerError(res: FastCgiServerResponse, status: number, text: string): void {
  try {
    if (!res.headersSent) {
      for (const name of res.getHeaderNames()) res.removeHeader(name);
      res.writeHead(status, text, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`${text}\n`);
      return;
    }
  } catch {
    // The response is in a state node refuses to write from: cut it instead.
  }
  res.destroy();
}

/**
 * Builds the node:http pair for `request` and calls `listener` with it.
 *
 * @example
 * ```ts
 * runNodeRequest(request, (req, res) => res.end('ok'), (error) => console.error(error));
 * ```
 */
export function runNodeRequest(request: ActiveRequest, listener: RequestListener, report: RequestErrorReporter): void {
  const params = request.params ?? {};
  const socket = new FastCgiSocket(peerInfo(params), request.stdin.highWaterMark, () => {
    // The handler destroyed req or res: the response is cut short.
    if (!request.done) request.finish(res.appStatus === 0 ? 1 : res.appStatus);
  });
  socket.on('error', ignore);
  const req = new FastCgiIncomingMessage(socket, () => request.stdin.demand());
  let data: Readable | undefined;
  if (request.role === 'filter') {
    data = new Readable({ highWaterMark: request.data.highWaterMark, read: () => request.data.demand() });
    request.data.bind(data);
  }
  initializeRequest(req, new RequestInfo(request, params, data), request.decodedParams);
  request.stdin.bind(req, () => {
    req.complete = true;
  });
  // An authorizer gets no body (Apache and lighttpd often send no STDIN record at all).
  if (request.role === 'authorizer') request.stdin.end();
  const res = new FastCgiServerResponse(req, request);
  // Express swaps req/res prototypes: keep the FastCGI overrides on the instances.
  pinOwnMethods(req);
  pinOwnMethods(res);
  res.assignSocket(socket as unknown as Socket);
  let finished = false;
  res.once('finish', () => {
    finished = true;
  });
  res.on('error', (error: Error) => report(handlerError(error, request.requestId), req));

  const cleanup = (): void => {
    // Answered before its body arrived: the rest of STDIN is for an inactive id now, so
    // the body stream ends here (as node dumps an unread body).
    if (!req.complete) {
      req.complete = true;
      req.push(null);
    }
    if (!(req as unknown as { _consuming: boolean })._consuming) req.resume();
    data?.destroy();
    socket.destroy();
  };
  const onHandlerError = (error: unknown): void => {
    // A handler that fails only because the web server aborted its request is not news.
    if (request.aborted && isAbortConsequence(error, request.abortReason)) return;
    report(handlerError(error, request.requestId), req);
    if (request.done) return;
    res.appStatus = 1;
    answerError(res, 500, 'Internal Server Error');
  };
  request.setHooks({
    onAbort: (reason) => {
      req.destroy(reason);
      data?.destroy();
      socket.destroy();
    },
    onInputError: (error) => {
      report(error, req);
      answerError(res, 413, 'Content Too Large');
    },
    onDone: () => {
      if (request.aborted) return;
      if (res.writableEnded && !finished) res.once('finish', cleanup);
      else cleanup();
    },
    onHandlerError,
  });

  try {
    const result = listener(req, res);
    if (isPromiseLike(result)) result.then(undefined, onHandlerError);
  } catch (error) {
    onHandlerError(error);
  }
}
