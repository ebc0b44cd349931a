/**
 * One request's life on the client side: its timers, the CGI head parser, the response
 * body and STDERR streams, and the promises `request()` and `done` hand out.
 *
 * @module
 */
import { Readable } from 'node:stream';
import { CgiHeadParser, type FastCgiError, ProtocolStatus, Role, protocolStatusName } from '@fcgi/codec';
import { ClientErrorCode, FastCgiClientError, FastCgiTimeoutError, FastCgiUpstreamError } from './errors.js';
import type { ResolvedOptions } from './options.js';
import { type ClientResponse, type PreparedRequest, type RequestEnd, authorizerVariables, headerObject } from './request-options.js';

/**
 * Whoever holds the exchange now (the queue, then a connection); told when it is cancelled.
 *
 * @example
 * ```ts
 * exchange.setOwner({ cancel: (item) => queue.remove(item), resume: () => {} });
 * ```
 */
export interface ExchangeOwner {
  /** The exchange gave up (abort, timeout, body destroyed): drop it or send ABORT_REQUEST. */
  cancel(exchange: Exchange, error: FastCgiError): void;
  /** The consumer read from a paused body: resume the transport. */
  resume(exchange: Exchange): void;
}

/**
 * Timeouts of one exchange, in ms (0 disables the body and request timeouts).
 *
 * @example
 * ```ts
 * const timeouts: ExchangeTimeouts = { headers: 60000, body: 60000, request: 0 };
 * ```
 */
export interface ExchangeTimeouts {
  readonly headers: number;
  readonly body: number;
  readonly request: number;
}

const noop = (): void => {};

/** Response bodies whose END_REQUEST arrived: every byte is buffered in them, none is still to come. */
const completeBodies = new WeakSet<Readable>();

/**
 * True when every byte of a response body has arrived (its END_REQUEST too), so a reader
 * can take it whole without waiting; false while the app may still send more.
 *
 * @example
 * ```ts
 * if (isBodyComplete(response.body)) res.end(response.body.read() ?? '');
 * ```
 */
export function isBodyComplete(body: Readable): boolean {
  return completeBodies.has(body);
}

/** Orders attempts across every connection: a smaller number was sent earlier. */
let lastSequence = 0;

function statusError(protocolStatus: number, requestId: number): FastCgiUpstreamError {
  const codes: Record<number, (typeof ClientErrorCode)[keyof typeof ClientErrorCode]> = {
    [ProtocolStatus.CantMpxConn]: ClientErrorCode.CantMpxConn,
    [ProtocolStatus.Overloaded]: ClientErrorCode.Overloaded,
    [ProtocolStatus.UnknownRole]: ClientErrorCode.UnknownRole,
  };
  const code = codes[protocolStatus];
  const message = `The app ended the request with protocol status ${protocolStatusName(protocolStatus)}`;
  if (code === undefined) return new FastCgiUpstreamError(ClientErrorCode.UnknownProtocolStatus, message, { requestId });
  return new FastCgiUpstreamError(code, message, { requestId, unsent: true });
}

/**
 * One request in flight. The pool queues it, a connection runs it; records are fed in
 * with `onStdout` / `onStderr` / `onEnd`, and any failure goes through `fail`.
 *
 * @example
 * ```ts
 * const exchange = new Exchange(prepareRequest({ params }), resolveOptions({}), timeouts, undefined);
 * connection.start(exchange);
 * const response = await exchange.response;
 * ```
 */
export class Exchange {
  readonly request: PreparedRequest;
  /** Settles when the CGI head arrives (or the request fails first). */
  readonly response: Promise<ClientResponse>;
  readonly done: Promise<RequestEnd>;
  /** Request id on the current connection (0 while queued). */
  requestId = 0;
  /** How many times the request was written to a connection. */
  attempts = 0;
  /** Only a connection that never served a request may take it (set for a retry). */
  freshOnly = false;
  /** True once any record for this request arrived. */
  receivedBytes = false;
  /** True while a slow consumer holds the transport paused. */
  paused = false;
  /** True when the current attempt runs on a connection that served requests before. */
  reusedConnection = false;
  /** True once every STDIN (and DATA) record of the current attempt was written. */
  sent = false;
  /** When the current attempt started, relative to all others (larger is later). */
  sequence = 0;
  /** `performance.now()` when the request was written to a connection. */
  startedAt = 0;
  /** The pool's count of started requests when this attempt started, or when a worker was last freed for it. */
  startMark = 0;
  #owner: ExchangeOwner | undefined;
  #finished = false;
  #headDone = false;
  readonly #parser: CgiHeadParser;
  readonly #body: Readable;
  readonly #stderr: Readable;
  readonly #maxStderrBuffer: number;
  readonly #timeouts: ExchangeTimeouts;
  #headersTimer: NodeJS.Timeout | undefined;
  #bodyTimer: NodeJS.Timeout | undefined;
  #requestTimer: NodeJS.Timeout | undefined;
  /** `performance.now()` of the last progress on the body (data from the app or a read). */
  #lastProgress = 0;
  #resolveHead: (response: ClientResponse) => void = noop;
  #rejectHead: (error: unknown) => void = noop;
  #resolveDone: (end: RequestEnd) => void = noop;
  #rejectDone: (error: unknown) => void = noop;
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort = (): void => this.abort(new FastCgiClientError(ClientErrorCode.Aborted, 'The request was aborted', { cause: this.#signal?.reason }));

  constructor(request: PreparedRequest, options: ResolvedOptions, timeouts: ExchangeTimeouts, signal: AbortSignal | undefined) {
    this.request = request;
    this.#timeouts = timeouts;
    this.#maxStderrBuffer = options.maxStderrBuffer;
    this.#parser = new CgiHeadParser({ maxHeadBytes: options.maxHeadBytes, maxHeaders: options.maxHeaders });
    this.response = new Promise((resolve, reject) => {
      this.#resolveHead = resolve;
      this.#rejectHead = reject;
    });
    this.done = new Promise((resolve, reject) => {
      this.#resolveDone = resolve;
      this.#rejectDone = reject;
    });
    this.done.catch(noop);
    this.#body = new Readable({
      highWaterMark: options.bodyHighWaterMark,
      read: () => this.#onRead(),
      destroy: (error, callback) => {
        if (!this.#finished) this.abort(new FastCgiClientError(ClientErrorCode.Aborted, 'The response body was destroyed before the end of the response'));
        callback(error);
      },
    });
    this.#stderr = new Readable({ read: noop });
    this.#body.on('error', noop);
    this.#stderr.on('error', noop);
    this.#signal = signal;
    this.#startTimers();
    if (signal !== undefined) {
      if (signal.aborted) queueMicrotask(this.#onAbort);
      else signal.addEventListener('abort', this.#onAbort, { once: true });
    }
  }

  /** True once the request ended (successfully or not). */
  get finished(): boolean {
    return this.#finished;
  }

  /** A connection starts (another attempt of) the request as `requestId`. */
  begin(requestId: number, reusedConnection: boolean): void {
    this.requestId = requestId;
    this.attempts += 1;
    this.reusedConnection = reusedConnection;
    this.receivedBytes = false;
    this.sent = false;
    lastSequence += 1;
    this.sequence = lastSequence;
  }

  /** Hands the exchange to a new owner (the queue or a connection). */
  setOwner(owner: ExchangeOwner | undefined): void {
    this.#owner = owner;
  }

  #startTimers(): void {
    this.#headersTimer = setTimeout(() => {
      this.abort(new FastCgiTimeoutError(ClientErrorCode.HeadersTimeout, `No CGI response head within ${this.#timeouts.headers} ms`, { limit: this.#timeouts.headers, unsent: this.attempts === 0 }));
    }, this.#timeouts.headers);
    if (this.#timeouts.request > 0) {
      this.#requestTimer = setTimeout(() => {
        this.abort(new FastCgiTimeoutError(ClientErrorCode.RequestTimeout, `The request did not end within ${this.#timeouts.request} ms`, { limit: this.#timeouts.request }));
      }, this.#timeouts.request);
    }
  }

  /**
   * Progress on the body. One timer per request, not one per chunk: it notes the time, and
   * the timer, when it fires, re-arms itself for what is left of the window.
   */
  #touch(): void {
    if (!this.#headDone || this.#finished || this.#timeouts.body === 0) return;
    this.#lastProgress = performance.now();
    if (this.#bodyTimer === undefined) this.#armBodyTimer(this.#timeouts.body);
  }

  #armBodyTimer(delay: number): void {
    this.#bodyTimer = setTimeout(() => {
      this.#bodyTimer = undefined;
      if (this.#finished) return;
      const left = this.#timeouts.body - (performance.now() - this.#lastProgress);
      if (left > 0) {
        this.#armBodyTimer(Math.ceil(left));
        return;
      }
      this.abort(new FastCgiTimeoutError(ClientErrorCode.BodyTimeout, `No progress on the response body for ${this.#timeouts.body} ms`, { limit: this.#timeouts.body }));
    }, delay);
  }

  #onRead(): void {
    this.#touch();
    if (!this.paused) return;
    this.paused = false;
    this.#owner?.resume(this);
  }

  /**
   * STDOUT content arrived. Returns false when the consumer is slow and the transport
   * should pause.
   */
  onStdout(content: Uint8Array): boolean {
    this.receivedBytes = true;
    if (this.#finished) return true;
    if (this.#headDone) return this.#pushBody(content);
    let result;
    try {
      result = this.#parser.push(content);
    } catch (error) {
      this.abort(error as FastCgiError);
      return true;
    }
    if (result === undefined) return true;
    this.#headDone = true;
    clearTimeout(this.#headersTimer);
    const { head } = result;
    const authorizer = this.request.role === Role.Authorizer;
    this.#resolveHead({
      status: head.status,
      statusText: head.statusText,
      headers: headerObject(head.headers),
      rawHeaders: head.headers,
      body: this.#body,
      stderr: this.#stderr,
      done: this.done,
      ...(authorizer ? { allowed: head.status === 200, variables: authorizerVariables(head.headers) } : {}),
    });
    return result.rest.length === 0 ? true : this.#pushBody(result.rest);
  }

  #pushBody(content: Uint8Array): boolean {
    const more = this.#body.push(Buffer.from(content.buffer, content.byteOffset, content.length));
    if (!more) this.paused = true;
    this.#touch();
    return more;
  }

  /** STDERR content arrived (dropped beyond `maxStderrBuffer` unread bytes). */
  onStderr(content: Uint8Array): void {
    this.receivedBytes = true;
    if (this.#finished) return;
    this.#touch();
    if (this.#stderr.readableLength + content.length <= this.#maxStderrBuffer) {
      this.#stderr.push(Buffer.from(content.buffer, content.byteOffset, content.length));
    }
  }

  /** END_REQUEST arrived: ends every stream (php-fpm sends no empty STDOUT first). */
  onEnd(appStatus: number, protocolStatus: number): void {
    this.receivedBytes = true;
    if (this.#finished) return;
    if (protocolStatus !== ProtocolStatus.RequestComplete) {
      this.fail(statusError(protocolStatus, this.requestId));
      return;
    }
    if (!this.#headDone) {
      try {
        this.#parser.end();
      } catch (error) {
        this.fail(error as FastCgiError);
        return;
      }
    }
    this.#settle();
    if (!this.#body.destroyed) completeBodies.add(this.#body);
    this.#body.push(null);
    this.#stderr.push(null);
    this.#resolveDone({ appStatus, protocolStatus });
  }

  /** Gives up on the request: the owner drops it or sends ABORT_REQUEST; then it fails. */
  abort(error: FastCgiError): void {
    if (this.#finished) return;
    const owner = this.#owner;
    this.fail(error);
    owner?.cancel(this, error);
  }

  /** Ends the request with an error: rejects what is pending and destroys the streams. */
  fail(error: FastCgiError): void {
    if (this.#finished) return;
    this.#settle();
    if (!this.#headDone) this.#rejectHead(error);
    this.#rejectDone(error);
    this.#body.destroy(error);
    this.#stderr.destroy(error);
  }

  #settle(): void {
    this.#finished = true;
    clearTimeout(this.#headersTimer);
    clearTimeout(this.#bodyTimer);
    clearTimeout(this.#requestTimer);
    this.#signal?.removeEventListener('abort', this.#onAbort);
  }
}
