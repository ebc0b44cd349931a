/**
 * One transport to the app: writes each request's records together, decodes the replies,
 * routes them to their exchange, pauses the transport for slow consumers, and tells the
 * pool when a slot frees up or the connection dies.
 *
 * @module
 */
import type { Duplex } from 'node:stream';
import {
  CodecErrorCode,
  type FastCgiError,
  type FcgiRecord,
  type NameValuePair,
  RecordType,
  concatBytes,
  encodeRecord,
  encodeStream,
} from '@fcgi/codec';
import type { ChunkStream } from './body.js';
import { receiveDirectly } from './direct-reads.js';
import { ClientErrorCode, FastCgiTimeoutError, FastCgiUpstreamError, toFastCgiError } from './errors.js';
import type { Exchange, ExchangeOwner } from './exchange.js';
import type { ResolvedOptions } from './options.js';
import { paramsFor } from './request-options.js';
import { type RequestParts, frameRequest, framedLength } from './request-frame.js';
import { ResponseDecoder } from './response-decoder.js';

/**
 * What a connection tells its pool.
 *
 * @example
 * ```ts
 * const events: ConnectionEvents = { onIdle: () => dispatch(), onClose: (connection, lost, error) => retryOrFail(lost, error) };
 * ```
 */
export interface ConnectionEvents {
  /** A request slot freed up: `finished` got its END_REQUEST. */
  onIdle(connection: Connection, finished: Exchange): void;
  /** The connection is gone; `lost` are the requests that had not ended. */
  onClose(connection: Connection, lost: Exchange[], error: FastCgiError): void;
  /** A request has waited `unprovenGrace()` ms on this connection without a byte back. */
  onUnproven(connection: Connection): void;
  /** Ms a first request may wait for a byte back before its connection counts as unproven. */
  unprovenGrace(): number;
}

/**
 * A connection counts as unproven (maybe in the app's listen backlog, behind workers pinned by
 * kept-alive connections) only after its first request waited at least this long (the client
 * scales it with its recent response times) without a byte back. Without this grace, a pool
 * of one-request connections to a fast app closed a finished connection whenever another was
 * just opened, which opened another: a new connection per request under concurrency.
 */
export const unprovenGraceMs = 50;

/** Up to this many bytes, a request's records are joined into one buffer for one write. */
const joinLimit = 256 * 1024;
const emptyBytes = new Uint8Array(0);

/**
 * One transport carrying one request at a time, or several when the app multiplexes.
 *
 * @example
 * ```ts
 * const connection = new Connection(socket, resolveOptions({}), events, 1);
 * if (connection.available) connection.start(exchange);
 * ```
 */
export class Connection implements ExchangeOwner {
  readonly #socket: Duplex;
  readonly #options: ResolvedOptions;
  readonly #events: ConnectionEvents;
  readonly #decoder = new ResponseDecoder();
  readonly #slots = new Map<number, Exchange>();
  readonly #abortTimers = new Map<number, NodeJS.Timeout>();
  readonly #paused = new Set<Exchange>();
  /** Most requests at once on this connection. */
  maxConcurrent: number;
  /** Requests started on this connection. */
  requestsStarted = 0;
  #retired = false;
  #closed = false;
  #sawRecord = false;
  /** When the first request started on this connection before any record came back. */
  #waitingSince: number | undefined;
  #unprovenTimer: NodeJS.Timeout | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  /** `performance.now()` when the connection last went idle. */
  #idleSince = 0;
  #drain: Promise<void> | undefined;
  #values: { resolve: (values: Record<string, string>) => void; reject: (error: unknown) => void; timer: NodeJS.Timeout } | undefined;

  constructor(socket: Duplex, options: ResolvedOptions, events: ConnectionEvents, maxConcurrent: number) {
    this.#socket = socket;
    this.#options = options;
    this.#events = events;
    this.maxConcurrent = maxConcurrent;
    socket.on('end', () => this.#onEnd());
    socket.on('error', (error) => this.#close(toFastCgiError(error, ClientErrorCode.UpstreamClosed, 'The connection to the app failed')));
    socket.on('close', () => this.#close(new FastCgiUpstreamError(ClientErrorCode.UpstreamClosed, 'The app closed the connection before the end of the response')));
    this.#startIdleTimer();
    const onData = (chunk: Uint8Array): void => this.#onData(chunk);
    if (!receiveDirectly(socket, onData)) socket.on('data', onData);
  }

  /** True when the connection can take one more request now. */
  get available(): boolean {
    return !this.#closed && !this.#retired && this.#slots.size < this.maxConcurrent;
  }

  /** Requests (including aborted ones awaiting END_REQUEST) on this connection. */
  get activeCount(): number {
    return this.#slots.size;
  }

  /** True once the connection is closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * For a connection that never received a byte while a request waits on it (maybe no
   * worker accepted it yet): its oldest waiting request; else undefined.
   */
  get unproven(): Exchange | undefined {
    if (this.#sawRecord || this.#waitingSince === undefined || performance.now() - this.#waitingSince < this.#events.unprovenGrace()) return undefined;
    let oldest: Exchange | undefined;
    for (const exchange of this.#slots.values()) {
      if (!exchange.finished && (oldest === undefined || exchange.sequence < oldest.sequence)) oldest = exchange;
    }
    return oldest;
  }

  /** Starts a request: writes BEGIN_REQUEST, PARAMS and (when whole) STDIN/DATA in one write. */
  start(exchange: Exchange): void {
    if (!this.#sawRecord && this.#waitingSince === undefined) this.#watchUnproven();
    this.requestsStarted += 1;
    exchange.startedAt = performance.now();
    const limit = this.#options.maxRequestsPerConnection;
    if (!this.#options.keepAlive || (limit > 0 && this.requestsStarted >= limit)) this.#retired = true;
    const requestId = this.#allocateId();
    exchange.begin(requestId, this.requestsStarted > 1);
    this.#slots.set(requestId, exchange);
    exchange.setOwner(this);
    const { role, paramsRecords, body, data } = exchange.request;
    const paramsPieces = requestId === 1 ? paramsRecords : paramsFor(exchange.request, requestId);
    const maxRecordLength = this.#options.maxRecordLength;
    if (body.kind === 'bytes' && (data === undefined || data.kind === 'bytes')) {
      const parts: RequestParts = { requestId, role, keepConn: this.#options.keepAlive, params: paramsPieces, stdin: body.bytes, data: data?.bytes, maxRecordLength };
      // The usual request: framed straight into the buffer of its one write.
      if (framedLength(parts) <= joinLimit) this.#write([frameRequest(parts)]);
      else this.#writePieces(parts);
      exchange.sent = true;
      return;
    }
    const pieces: Uint8Array[] = [encodeRecord({ type: RecordType.BeginRequest, requestId, role, keepConn: this.#options.keepAlive }), ...paramsPieces];
    if (body.kind === 'bytes') pieces.push(...encodeStream(RecordType.Stdin, requestId, body.bytes, { end: true, maxRecordLength }));
    this.#write(pieces);
    void this.#sendStreams(exchange, requestId);
  }

  /** A request too large to copy into one buffer: its records written in pieces (the bodies are not copied). */
  #writePieces(parts: RequestParts): void {
    const { requestId, maxRecordLength } = parts;
    const pieces: Uint8Array[] = [encodeRecord({ type: RecordType.BeginRequest, requestId, role: parts.role, keepConn: parts.keepConn }), ...parts.params];
    pieces.push(...encodeStream(RecordType.Stdin, requestId, parts.stdin, { end: true, maxRecordLength }));
    if (parts.data !== undefined) pieces.push(...encodeStream(RecordType.Data, requestId, parts.data, { end: true, maxRecordLength }));
    this.#write(pieces);
  }

  #allocateId(): number {
    let id = 1;
    while (this.#slots.has(id)) id += 1;
    return id;
  }

  #write(pieces: Uint8Array[]): boolean {
    if (this.#closed) return true;
    let total = 0;
    for (const piece of pieces) total += piece.length;
    if (pieces.length === 1 || total <= joinLimit) return this.#socket.write(pieces.length === 1 ? (pieces[0] as Uint8Array) : concatBytes(pieces));
    this.#socket.cork();
    let more = true;
    for (const piece of pieces) more = this.#socket.write(piece);
    this.#socket.uncork();
    return more;
  }

  #waitDrain(): Promise<void> {
    this.#drain ??= new Promise<void>((resolve) => {
      const done = (): void => {
        this.#socket.off('drain', done);
        this.#socket.off('close', done);
        this.#drain = undefined;
        resolve();
      };
      this.#socket.on('drain', done);
      this.#socket.on('close', done);
    });
    return this.#drain;
  }

  async #sendStreams(exchange: Exchange, requestId: number): Promise<void> {
    const { body, data } = exchange.request;
    try {
      if (body.kind === 'stream' && !(await this.#sendStream(exchange, requestId, RecordType.Stdin, body.stream))) return;
      if (data?.kind === 'stream') {
        if (!(await this.#sendStream(exchange, requestId, RecordType.Data, data.stream))) return;
      } else if (data?.kind === 'bytes') {
        this.#write(encodeStream(RecordType.Data, requestId, data.bytes, { end: true, maxRecordLength: this.#options.maxRecordLength }));
      }
      exchange.sent = true;
    } catch (error) {
      exchange.giveUp(toFastCgiError(error, ClientErrorCode.RequestBodyFailed, 'The request body failed'));
    }
  }

  /** Sends one stream; false when the request or the connection ended first. */
  async #sendStream(exchange: Exchange, requestId: number, type: 5 | 8, stream: ChunkStream): Promise<boolean> {
    const stillSending = (): boolean => !this.#closed && !exchange.finished && this.#slots.get(requestId) === exchange;
    const maxRecordLength = this.#options.maxRecordLength;
    for await (const chunk of stream.chunks()) {
      if (!stillSending()) return false;
      if (chunk.length > 0 && !this.#write(encodeStream(type, requestId, chunk, { maxRecordLength }))) await this.#waitDrain();
    }
    if (!stillSending()) return false;
    this.#write(encodeStream(type, requestId, emptyBytes, { end: true }));
    return true;
  }

  #onData(chunk: Uint8Array): void {
    let records: FcgiRecord[];
    try {
      records = this.#decoder.push(chunk);
    } catch (error) {
      this.destroy(this.#protocolError(error as FastCgiError, chunk));
      return;
    }
    if (records.length > 0 && !this.#sawRecord) clearTimeout(this.#unprovenTimer);
    for (const record of records) {
      this.#sawRecord = true;
      this.#dispatch(record);
      if (this.#closed) return;
    }
  }

  #watchUnproven(): void {
    this.#waitingSince = performance.now();
    this.#unprovenTimer = setTimeout(() => {
      if (!this.#sawRecord && !this.#closed) this.#events.onUnproven(this);
    }, this.#events.unprovenGrace() + 1);
    this.#unprovenTimer.unref();
  }

  #protocolError(error: FastCgiError, chunk: Uint8Array): FastCgiError {
    if (this.#sawRecord || error.code !== CodecErrorCode.InvalidVersion) return error;
    const preview = JSON.stringify(Buffer.from(chunk.subarray(0, 32)).toString('latin1'));
    return new FastCgiUpstreamError(ClientErrorCode.NotFastCgi, `The upstream does not speak FastCGI (it sent ${preview})`, { cause: error });
  }

  #dispatch(record: FcgiRecord): void {
    switch (record.type) {
      case RecordType.Stdout: {
        const exchange = this.#slots.get(record.requestId);
        if (exchange !== undefined && !exchange.onStdout(record.content)) this.#pause(exchange);
        return;
      }
      case RecordType.Stderr:
        this.#slots.get(record.requestId)?.onStderr(record.content);
        return;
      case RecordType.EndRequest:
        this.#onEndRequest(record.requestId, record.appStatus, record.protocolStatus);
        return;
      case RecordType.GetValuesResult:
        this.#onValues(record.pairs as readonly NameValuePair[]);
        return;
      default:
        // Be liberal: records for unknown ids, UNKNOWN_TYPE and others are ignored.
        return;
    }
  }

  #pause(exchange: Exchange): void {
    this.#paused.add(exchange);
    this.#socket.pause();
  }

  /** The consumer of `exchange`'s body wants more: resume once nobody holds the transport. */
  resume(exchange: Exchange): void {
    if (!this.#paused.delete(exchange)) return;
    if (this.#paused.size === 0 && !this.#closed) this.#socket.resume();
  }

  #onEndRequest(requestId: number, appStatus: number, protocolStatus: number): void {
    const exchange = this.#slots.get(requestId);
    if (exchange === undefined) return;
    this.#slots.delete(requestId);
    clearTimeout(this.#abortTimers.get(requestId));
    this.#abortTimers.delete(requestId);
    this.resume(exchange);
    if (!exchange.sent) this.#retired = true;
    if (protocolStatus === 1) this.maxConcurrent = 1;
    exchange.onEnd(appStatus, protocolStatus);
    if (this.#slots.size === 0 && this.#retired) {
      this.destroy();
      return;
    }
    this.#startIdleTimer();
    this.#events.onIdle(this, exchange);
  }

  /**
   * The exchange gave up. On a kept or multiplexed connection: send ABORT_REQUEST and wait
   * `abortTimeout` for its END_REQUEST. Otherwise: close the connection.
   */
  cancel(exchange: Exchange, error: FastCgiError): void {
    const requestId = exchange.requestId;
    if (this.#closed || this.#slots.get(requestId) !== exchange) return;
    if (!this.#options.keepAlive && this.#slots.size === 1) {
      this.destroy(error);
      return;
    }
    this.resume(exchange);
    this.#write([encodeRecord({ type: RecordType.AbortRequest, requestId })]);
    this.#abortTimers.set(requestId, setTimeout(() => {
      this.destroy(new FastCgiUpstreamError(ClientErrorCode.UpstreamClosed, `The app did not end aborted request ${requestId} within ${this.#options.abortTimeout} ms`, { limit: this.#options.abortTimeout }));
    }, this.#options.abortTimeout));
  }

  /** Sends GET_VALUES and resolves to the app's answer (name -> value). */
  requestValues(names: readonly string[]): Promise<Record<string, string>> {
    return new Promise((resolve, reject) => {
      const timeout = this.#options.valuesTimeout;
      const timer = setTimeout(() => {
        this.#values = undefined;
        reject(new FastCgiTimeoutError(ClientErrorCode.ValuesTimeout, `No GET_VALUES_RESULT within ${timeout} ms`, { limit: timeout }));
      }, timeout);
      this.#values = { resolve, reject, timer };
      this.#write([encodeRecord({ type: RecordType.GetValues, requestId: 0, pairs: names.map((name) => [name, '']) })]);
    });
  }

  #onValues(pairs: readonly NameValuePair[]): void {
    const pending = this.#values;
    if (pending === undefined) return;
    this.#values = undefined;
    clearTimeout(pending.timer);
    const values: Record<string, string> = {};
    for (const pair of pairs) values[pair.name] = pair.value;
    pending.resolve(values);
  }

  /**
   * The connection went idle. One timer, not one per request: it notes the time, and the
   * timer, when it fires, closes the connection if it has been idle for keepAliveTimeout,
   * re-arms itself for what is left if it went idle again since, or does nothing while busy
   * (the next idle moment arms it again).
   */
  #startIdleTimer(): void {
    if (this.#slots.size > 0 || this.#closed) return;
    this.#idleSince = performance.now();
    if (this.#idleTimer === undefined) this.#armIdleTimer(this.#options.keepAliveTimeout);
  }

  #armIdleTimer(delay: number): void {
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = undefined;
      if (this.#closed || this.#slots.size > 0) return;
      const left = this.#options.keepAliveTimeout - (performance.now() - this.#idleSince);
      if (left > 0) this.#armIdleTimer(Math.ceil(left));
      else this.destroy();
    }, delay);
    this.#idleTimer.unref();
  }

  #onEnd(): void {
    try {
      this.#decoder.end();
    } catch (error) {
      this.#close(new FastCgiUpstreamError(ClientErrorCode.UpstreamClosed, 'The app closed the connection in the middle of a record', { cause: error }));
      return;
    }
    this.#close(new FastCgiUpstreamError(ClientErrorCode.UpstreamClosed, 'The app closed the connection before the end of the response'));
  }

  /** Closes the connection now; requests still running fail with `error`. */
  destroy(error: FastCgiError = new FastCgiUpstreamError(ClientErrorCode.UpstreamClosed, 'The connection was closed')): void {
    this.#close(error);
  }

  #close(error: FastCgiError): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#idleTimer);
    clearTimeout(this.#unprovenTimer);
    for (const timer of this.#abortTimers.values()) clearTimeout(timer);
    this.#abortTimers.clear();
    const lost = [...this.#slots.values()].filter((exchange) => !exchange.finished);
    this.#slots.clear();
    this.#paused.clear();
    if (this.#values !== undefined) {
      clearTimeout(this.#values.timer);
      this.#values.reject(error);
      this.#values = undefined;
    }
    this.#socket.destroy();
    this.#events.onClose(this, lost, error);
  }
}
