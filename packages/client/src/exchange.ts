/**
 * One request's life on the client side: its timers, the CGI head parser, and the calls
 * to its {@link DispatchHandler} (streams and promises are the business of `request()`).
 *
 * @module
 */
import { CgiHeadParser, type FastCgiError, ProtocolStatus, protocolStatusName } from '@fcgi/codec';
import { type DispatchController, type DispatchHandler, rethrowLater } from './dispatch.js';
import { ClientErrorCode, FastCgiClientError, FastCgiTimeoutError, FastCgiUpstreamError } from './errors.js';
import type { ResolvedOptions } from './options.js';
import type { PreparedRequest } from './request-options.js';

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
 * One request in flight, and its {@link DispatchController}. The pool queues it, a
 * connection runs it; records are fed in with `onStdout` / `onStderr` / `onEnd`, and any
 * failure goes through `fail` (or `giveUp`, which also tells the owner).
 *
 * @example
 * ```ts
 * const exchange = new Exchange(prepareRequest({ params }), resolveOptions({}), timeouts, undefined, handler);
 * connection.start(exchange);
 * ```
 */
export class Exchange implements DispatchController {
  readonly request: PreparedRequest;
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
  /** `performance.now()` by which the request must have left the queue (queueTimeout). */
  queuedUntil = 0;
  /** The pool's count of started requests when this attempt started, or when a worker was last freed for it. */
  startMark = 0;
  #owner: ExchangeOwner | undefined;
  #finished = false;
  #headDone = false;
  #parser: CgiHeadParser | undefined;
  readonly #options: ResolvedOptions;
  readonly #handler: DispatchHandler;
  readonly #timeouts: ExchangeTimeouts;
  #headersTimer: NodeJS.Timeout | undefined;
  #bodyTimer: NodeJS.Timeout | undefined;
  #requestTimer: NodeJS.Timeout | undefined;
  /** A microtask will arm the body timer (see `#touch`). */
  #bodyTimerPending = false;
  /** `performance.now()` of the last progress on the body (data from the app or a read). */
  #lastProgress = 0;
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort: (() => void) | undefined;

  constructor(request: PreparedRequest, options: ResolvedOptions, timeouts: ExchangeTimeouts, signal: AbortSignal | undefined, handler: DispatchHandler) {
    this.request = request;
    this.#timeouts = timeouts;
    this.#options = options;
    this.#handler = handler;
    this.#signal = signal;
    this.#startTimers();
    if (signal !== undefined) {
      const onAbort = (): void => this.abort(signal.reason);
      this.#onAbort = onAbort;
      if (signal.aborted) queueMicrotask(onAbort);
      else signal.addEventListener('abort', onAbort, { once: true });
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
      this.giveUp(new FastCgiTimeoutError(ClientErrorCode.HeadersTimeout, `No CGI response head within ${this.#timeouts.headers} ms`, { limit: this.#timeouts.headers, unsent: this.attempts === 0 }));
    }, this.#timeouts.headers);
    if (this.#timeouts.request > 0) {
      this.#requestTimer = setTimeout(() => {
        this.giveUp(new FastCgiTimeoutError(ClientErrorCode.RequestTimeout, `The request did not end within ${this.#timeouts.request} ms`, { limit: this.#timeouts.request }));
      }, this.#timeouts.request);
    }
  }

  /**
   * Progress on the body. One timer per request, not one per chunk: it notes the time, and
   * the timer, when it fires, re-arms itself for what is left of the window.
   */
  #touch(): void {
    if (!this.#headDone || this.#finished || this.#timeouts.body === 0) return;
    if (this.#bodyTimer !== undefined) {
      this.#lastProgress = performance.now();
      return;
    }
    // Armed after the current read: most answers end in the read that brought the head,
    // and then need no timer at all.
    if (this.#bodyTimerPending) return;
    this.#bodyTimerPending = true;
    queueMicrotask(() => {
      this.#bodyTimerPending = false;
      if (this.#finished || this.#bodyTimer !== undefined) return;
      this.#lastProgress = performance.now();
      this.#armBodyTimer(this.#timeouts.body);
    });
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
      this.giveUp(new FastCgiTimeoutError(ClientErrorCode.BodyTimeout, `No progress on the response body for ${this.#timeouts.body} ms`, { limit: this.#timeouts.body }));
    }, delay);
  }

  /** The consumer read (or wants more): counts as progress, and resumes a paused transport. */
  resume(): void {
    this.#touch();
    if (!this.paused) return;
    this.paused = false;
    this.#owner?.resume(this);
  }

  /** The consumer gives up: the owner drops the request or sends ABORT_REQUEST; `onError` gets ERR_FCGI_ABORTED. */
  abort(reason?: unknown): void {
    if (this.#finished) return;
    this.giveUp(new FastCgiClientError(ClientErrorCode.Aborted, 'The request was aborted', { cause: reason }));
  }

  /** A handler callback threw: the request is aborted with the exception as cause. */
  #handlerThrew(error: unknown): void {
    this.giveUp(new FastCgiClientError(ClientErrorCode.Aborted, 'A dispatch handler threw', { cause: error }));
  }

  /**
   * STDOUT content arrived. Returns false when the consumer is slow and the transport
   * should pause.
   */
  onStdout(content: Uint8Array): boolean {
    this.receivedBytes = true;
    if (this.#finished) return true;
    if (this.#headDone) return this.#deliver(content);
    this.#parser ??= new CgiHeadParser({ maxHeadBytes: this.#options.maxHeadBytes, maxHeaders: this.#options.maxHeaders });
    let result;
    try {
      result = this.#parser.push(content);
    } catch (error) {
      this.giveUp(error as FastCgiError);
      return true;
    }
    if (result === undefined) return true;
    this.#headDone = true;
    this.#parser = undefined;
    clearTimeout(this.#headersTimer);
    const { head } = result;
    try {
      this.#handler.onHead(head.status, head.statusText, head.headers);
    } catch (error) {
      this.#handlerThrew(error);
      return true;
    }
    return result.rest.length === 0 || this.#finished ? true : this.#deliver(result.rest);
  }

  #deliver(content: Uint8Array): boolean {
    let more;
    try {
      more = this.#handler.onData(Buffer.from(content.buffer, content.byteOffset, content.length)) !== false;
    } catch (error) {
      this.#handlerThrew(error);
      return true;
    }
    if (!more) this.paused = true;
    this.#touch();
    return more;
  }

  /** STDERR content arrived. */
  onStderr(content: Uint8Array): void {
    this.receivedBytes = true;
    if (this.#finished) return;
    this.#touch();
    if (this.#handler.onStderr === undefined) return;
    try {
      this.#handler.onStderr(Buffer.from(content.buffer, content.byteOffset, content.length));
    } catch (error) {
      this.#handlerThrew(error);
    }
  }

  /** END_REQUEST arrived: the handler's `onEnd` (php-fpm sends no empty STDOUT first). */
  onEnd(appStatus: number, protocolStatus: number): void {
    this.receivedBytes = true;
    if (this.#finished) return;
    if (protocolStatus !== ProtocolStatus.RequestComplete) {
      this.fail(statusError(protocolStatus, this.requestId));
      return;
    }
    if (!this.#headDone) {
      try {
        (this.#parser ?? new CgiHeadParser({ maxHeadBytes: this.#options.maxHeadBytes, maxHeaders: this.#options.maxHeaders })).end();
      } catch (error) {
        this.fail(error as FastCgiError);
        return;
      }
    }
    this.#settle();
    try {
      this.#handler.onEnd({ appStatus, protocolStatus });
    } catch (error) {
      rethrowLater(error);
    }
  }

  /** Gives up on the request: the owner drops it or sends ABORT_REQUEST; then it fails. */
  giveUp(error: FastCgiError): void {
    if (this.#finished) return;
    const owner = this.#owner;
    this.fail(error);
    owner?.cancel(this, error);
  }

  /** Ends the request with an error: the handler's `onError`. */
  fail(error: FastCgiError): void {
    if (this.#finished) return;
    this.#settle();
    try {
      this.#handler.onError(error);
    } catch (thrown) {
      rethrowLater(thrown);
    }
  }

  #settle(): void {
    this.#finished = true;
    clearTimeout(this.#headersTimer);
    clearTimeout(this.#bodyTimer);
    clearTimeout(this.#requestTimer);
    if (this.#onAbort !== undefined) this.#signal?.removeEventListener('abort', this.#onAbort);
  }
}
