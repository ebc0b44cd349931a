/**
 * Runs a node:http-style listener for one FastCGI request: builds `req`/`res`, wires the
 * request's streams, aborts and errors to them, and turns a handler's exception into a
 * 500 (or a cut response) that is reported, never a crash.
 *
 * @module
 */
import { Readable } from 'node:stream';
import { type FastCgiServerError, handlerError } from './errors.js';
import type { NameValuePair } from '@fcgi/codec';
import { FastCgiIncomingMessage, type FastCgiRequestInfo, FastCgiSocket, RequestSource, initializeRequest, peerInfo, socketSlot } from './node-request.js';
import { FastCgiServerResponse } from './node-response.js';
import { pinOwnMethods } from './pin-methods.js';
import type { ActiveRequest, RequestHooks, RoleName } from './request.js';

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
  readonly keepConn: boolean;
  readonly data: Readable | undefined;
  readonly #request: ActiveRequest;

  constructor(request: ActiveRequest, data: Readable | undefined) {
    this.#request = request;
    this.role = request.role;
    this.requestId = request.requestId;
    this.keepConn = request.keepConn;
    this.data = data;
  }

  /** Built on first read: handlers that read only headers and url never pay for it. */
  get params(): Readonly<Record<string, string>> {
    return this.#request.params ?? {};
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

/** node's ServerResponse 'close' (as its http server emits it once the response is done). */
function emitResponseClose(res: FastCgiServerResponse): void {
  const internals = res as unknown as { _closed: boolean; destroyed: boolean };
  if (internals._closed) return;
  internals.destroyed = true;
  internals._closed = true;
  res.emit('close');
}

/** Where `res` keeps its exchange, so that its listeners are shared functions, not closures per request. */
const exchangeSlot: unique symbol = Symbol('fcgi.exchange');

interface ExchangeHolder {
  [exchangeSlot]?: NodeExchange;
}

/** The body's last byte arrived: `req.complete`, as node sets it. */
function markComplete(req: Readable): void {
  (req as FastCgiIncomingMessage).complete = true;
}

function onResponseFinish(this: ExchangeHolder): void {
  this[exchangeSlot]?.responseFinished();
}

function onResponseError(this: ExchangeHolder, error: Error): void {
  this[exchangeSlot]?.responseFailed(error);
}

/**
 * One request on the node:http side: the source of `req`'s body and lazy socket stand-in,
 * and the engine's hooks for the request, as methods of one object (no closures per request).
 */
class NodeExchange extends RequestSource implements RequestHooks {
  readonly req: FastCgiIncomingMessage;
  readonly res: FastCgiServerResponse;
  readonly readableHighWaterMark: number;
  readonly #request: ActiveRequest;
  readonly #report: RequestErrorReporter;
  #data: Readable | undefined;
  #socket: FastCgiSocket | undefined;
  #finished = false;
  #cleanedUp = false;

  constructor(request: ActiveRequest, report: RequestErrorReporter) {
    super();
    this.#request = request;
    this.#report = report;
    this.readableHighWaterMark = request.stdin.highWaterMark;
    const req = new FastCgiIncomingMessage(this);
    this.req = req;
    if (request.role === 'filter') {
      const data = new Readable({ highWaterMark: request.data.highWaterMark, read: () => request.data.demand() });
      request.data.bind(data);
      this.#data = data;
    }
    initializeRequest(req, new RequestInfo(request, this.#data), request);
    request.stdin.bind(req, markComplete);
    // An authorizer gets no body (Apache and lighttpd often send no STDIN record at all).
    if (request.role === 'authorizer') request.stdin.end();
    const res = new FastCgiServerResponse(req, request, this);
    this.res = res;
    (res as ExchangeHolder)[exchangeSlot] = this;
    res.on('finish', onResponseFinish);
    res.on('error', onResponseError);
    request.setHooks(this);
  }

  demand(): void {
    this.#request.stdin.demand();
  }

  pinMembers(): void {
    pinOwnMethods(this.req);
    pinOwnMethods(this.res);
  }

  /** `res` emitted 'finish'. */
  responseFinished(): void {
    this.#finished = true;
  }

  /** `res` emitted 'error'. */
  responseFailed(error: Error): void {
    this.#report(handlerError(error, this.#request.requestId), this.req);
  }

  materializeSocket(): FastCgiSocket {
    if (this.#socket !== undefined) return this.#socket;
    const socket = new FastCgiSocket(peerInfo(this.#request.params ?? {}), this.readableHighWaterMark, () => this.#onSocketDestroyed());
    this.#socket = socket;
    socket.on('error', ignore);
    this.req[socketSlot] = socket;
    const res = this.res;
    // What `res.assignSocket` does, without flushing (nothing is ever buffered in node's queue).
    (socket as unknown as { _httpMessage: unknown })._httpMessage = res;
    socket.on('close', () => emitResponseClose(res));
    res[socketSlot] = socket;
    res.emit('socket', socket);
    // Read only after the request ended: it is as destroyed as it would have been by then.
    if (this.#cleanedUp) socket.destroy();
    return socket;
  }

  /** The handler destroyed req or res: the response is cut short. */
  #onSocketDestroyed(): void {
    const request = this.#request;
    if (!request.done) request.finish(this.res.appStatus === 0 ? 1 : this.res.appStatus);
  }

  run(listener: RequestListener): void {
    try {
      const result = listener(this.req, this.res);
      if (isPromiseLike(result)) result.then(undefined, (error: unknown) => this.onHandlerError(error));
    } catch (error) {
      this.onHandlerError(error);
    }
  }

  onAbort(reason: FastCgiServerError): void {
    this.req.destroy(reason);
    this.#data?.destroy();
    this.materializeSocket().destroy();
  }

  onInputError(error: FastCgiServerError): void {
    this.#report(error, this.req);
    answerError(this.res, 413, 'Content Too Large');
  }

  onDone(): void {
    if (this.#request.aborted) return;
    if (this.res.writableEnded && !this.#finished) this.res.once('finish', () => this.#cleanup());
    else this.#cleanup();
  }

  onHandlerError(error: unknown): void {
    const request = this.#request;
    // A handler that fails only because the web server aborted its request is not news.
    if (request.aborted && isAbortConsequence(error, request.abortReason)) return;
    this.#report(handlerError(error, request.requestId), this.req);
    if (request.done) return;
    this.res.appStatus = 1;
    answerError(this.res, 500, 'Internal Server Error');
  }

  #cleanup(): void {
    this.#cleanedUp = true;
    const req = this.req;
    // Answered before its body arrived: the rest of STDIN is for an inactive id now, so
    // the body stream ends here (as node dumps an unread body).
    if (!req.complete) {
      req.complete = true;
      req.push(null);
    }
    if (!(req as unknown as { _consuming: boolean })._consuming) req.resume();
    this.#data?.destroy();
    if (this.#socket !== undefined) {
      this.#socket.destroy();
    } else {
      // No stand-in was created: emit the response's 'close' as its socket's would have.
      this.res[socketSlot] = null;
      process.nextTick(emitResponseClose, this.res);
    }
  }
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
  new NodeExchange(request, report).run(listener);
}
