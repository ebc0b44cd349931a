/**
 * The protocol engine of one connection: the codec's decoder, the request table, one
 * `switch` that dispatches every record, management records, limits and the
 * connection's life (KEEP_CONN, idle timeout, graceful shutdown).
 *
 * @module
 */
import type { Socket } from 'node:net';
import {
  type BeginRequestRecord,
  type FcgiRecord,
  type GetValuesRecord,
  FastCgiError,
  FastCgiLimitError,
  ProtocolStatus,
  RecordDecoder,
  RecordType,
  ValueName,
  encodeRecord,
  serializeCgiHead,
} from '@fcgi/codec';
import { FastCgiServerError, ServerErrorCode } from './errors.js';
import type { ResolvedEngineOptions } from './options.js';
import { RecordWriter } from './record-writer.js';
import { ActiveRequest, type RequestHost, roleNameOf } from './request.js';
import { RequestTable } from './request-table.js';

/** What a connection needs from its server. */
export interface ConnectionContext {
  readonly options: ResolvedEngineOptions;
  /** True once `close()` was called: new requests are refused. */
  readonly closing: boolean;
  /** Takes one slot of `maxConcurrentRequests`; false when none is left. */
  acquireRequest(): boolean;
  /** Gives a slot back. */
  releaseRequest(): void;
  /** Runs the handler for a request whose PARAMS are complete. */
  dispatch(request: ActiveRequest): void;
  /** Reports a connection-level error (protocol error, timeout, socket failure). */
  reportConnectionError(error: FastCgiError, socket: Socket): void;
  /** The socket closed. */
  connectionClosed(connection: Connection): void;
}

/** Socket errors that only mean the web server went away. */
const quietSocketErrors = new Set(['ECONNRESET', 'EPIPE']);

function protocolError(code: (typeof ServerErrorCode)[keyof typeof ServerErrorCode], message: string, record: FcgiRecord): FastCgiServerError {
  return new FastCgiServerError(code, message, { requestId: record.requestId, recordType: typeof record.type === 'number' ? record.type : record.rawType });
}

/**
 * Serves FastCGI on one socket. A protocol error closes this connection only and is
 * reported; it never throws out.
 *
 * @example
 * ```ts
 * netServer.on('connection', (socket) => new Connection(socket, context));
 * ```
 */
export class Connection implements RequestHost {
  readonly socket: Socket;
  readonly writer: RecordWriter;
  readonly options: ResolvedEngineOptions;
  readonly #context: ConnectionContext;
  readonly #decoder = new RecordDecoder();
  readonly #requests = new RequestTable<ActiveRequest>();
  #drainListeners: (() => void)[] = [];
  /** Requests begun in the chunk being processed: their PARAMS deadline is armed only if PARAMS did not end in it. */
  /** Requests begun in the chunk being read, in the first `#awaitingCount` slots (the array is reused, never shrunk). */
  readonly #awaitingParams: (ActiveRequest | undefined)[] = [];
  #awaitingCount = 0;
  #blockedInputs = 0;
  /** No more input is processed; the socket ends once the last request is done. */
  #ending = false;
  #shuttingDown = false;
  /** A request without KEEP_CONN finished: close once the others are done. */
  #closeWhenIdle = false;
  #closed = false;
  /** Bytes arrived or a request ended since the last idle sweep. */
  #sawTraffic = true;
  #quietSweeps = 0;

  /** `readsDirectly`: the socket's reads are handed to `receive()` (see direct-reads.ts), not emitted as `'data'`. */
  constructor(socket: Socket, context: ConnectionContext, readsDirectly = false) {
    this.socket = socket;
    this.#context = context;
    this.options = context.options;
    this.writer = new RecordWriter(socket);
    if (!readsDirectly) socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('end', () => this.#onEnd());
    socket.on('error', (error: NodeJS.ErrnoException) => this.#onSocketError(error));
    socket.on('close', () => this.#onClose());
    socket.on('drain', () => this.#onDrain());
  }

  /**
   * One step of the server's idle sweep (see idle-sweep.ts): a connection that saw no
   * traffic, runs no request and has nothing left to write for `limit` sweeps in a row is
   * closed.
   */
  idleSweep(limit: number): void {
    if (this.#sawTraffic || this.#requests.size > 0 || this.socket.writableLength > 0) {
      this.#sawTraffic = false;
      this.#quietSweeps = 0;
      return;
    }
    if (++this.#quietSweeps >= limit) this.socket.destroy();
  }

  /** Requests currently active on this connection. */
  get activeRequests(): number {
    return this.#requests.size;
  }

  /** Graceful shutdown: refuse new requests, end the socket once the active ones are done. */
  shutdown(): void {
    this.#shuttingDown = true;
    if (this.#requests.size === 0) this.#endConnection();
  }

  /** Aborts every active request (END_REQUEST for each) and closes the connection. */
  abortAll(): void {
    for (const request of this.#requests.values()) request.abort(true);
    this.#endConnection();
  }

  /** Closes the socket at once. */
  destroy(): void {
    this.socket.destroy();
  }

  inputBlocked(delta: 1 | -1): void {
    this.#blockedInputs += delta;
    if (delta === 1 && this.#blockedInputs === 1) this.socket.pause();
    else if (this.#blockedInputs === 0 && !this.#closed) this.socket.resume();
  }

  onceDrain(listener: () => void): void {
    this.#drainListeners.push(listener);
  }

  requestFinished(request: ActiveRequest): void {
    if (this.#requests.get(request.requestId) !== request) return;
    this.#requests.delete(request.requestId);
    this.#context.releaseRequest();
    this.#sawTraffic = true;
    if (!request.keepConn) this.#closeWhenIdle = true;
    if ((this.#closeWhenIdle || this.#shuttingDown) && this.#requests.size === 0) this.#endConnection();
  }

  /** Processes bytes read from the socket. */
  receive(chunk: Buffer): void {
    this.#sawTraffic = true;
    if (this.#ending) return;
    let records: FcgiRecord[];
    try {
      records = this.#decoder.push(chunk);
    } catch (error) {
      this.#fail(error);
      return;
    }
    for (const record of records) {
      if (this.#ending) break;
      try {
        this.#dispatch(record);
      } catch (error) {
        this.#fail(error);
        break;
      }
    }
    if (this.#awaitingCount > 0) this.#armParamsTimers();
  }

  /** Most requests bring all their PARAMS in one chunk: only the others get a timer. */
  #armParamsTimers(): void {
    const requests = this.#awaitingParams;
    const count = this.#awaitingCount;
    this.#awaitingCount = 0;
    for (let index = 0; index < count; index++) {
      const request = requests[index] as ActiveRequest;
      requests[index] = undefined;
      if (this.#ending || request.done || request.paramsEnded) continue;
      const requestId = request.requestId;
      request.startParamsTimer(() => {
        this.#fail(new FastCgiServerError(ServerErrorCode.ParamsTimeout, `PARAMS of request ${requestId} did not end within ${this.options.paramsTimeout} ms`, { requestId }));
      });
    }
  }

  #dispatch(record: FcgiRecord): void {
    switch (record.type) {
      case RecordType.BeginRequest:
        this.#begin(record);
        return;
      case RecordType.AbortRequest:
        this.#active(record)?.abort(true);
        return;
      case RecordType.Params:
        this.#params(this.#active(record), record.content);
        return;
      case RecordType.Stdin:
        this.#running(record)?.pushStdin(record.content);
        return;
      case RecordType.Data: {
        const request = this.#running(record);
        if (request?.role === 'filter') request.pushData(record.content);
        return;
      }
      case RecordType.GetValues:
        if (record.requestId === 0) this.#getValues(record);
        return;
      case RecordType.EndRequest:
      case RecordType.Stdout:
      case RecordType.Stderr:
        // Records only an application sends: meaningless here, an error on id 0.
        this.#active(record);
        return;
      case RecordType.GetValuesResult:
      case RecordType.UnknownType:
        return;
      case 'unknown':
        if (record.requestId === 0) this.writer.writeRecord(encodeRecord({ type: RecordType.UnknownType, requestId: 0, unknownType: record.rawType }));
        return;
    }
  }

  /** The active request a record belongs to; throws on id 0, undefined when inactive. */
  #active(record: FcgiRecord): ActiveRequest | undefined {
    if (record.requestId === 0) throw protocolError(ServerErrorCode.NullRequestId, 'An application record arrived on request id 0', record);
    return this.#requests.get(record.requestId);
  }

  /** Like #active, and requires PARAMS to be complete. */
  #running(record: FcgiRecord): ActiveRequest | undefined {
    const request = this.#active(record);
    if (request !== undefined && !request.paramsEnded) {
      throw protocolError(ServerErrorCode.UnexpectedRecord, 'A STDIN or DATA record arrived before the end of PARAMS', record);
    }
    return request;
  }

  #begin(record: BeginRequestRecord): void {
    const { requestId, keepConn } = record;
    if (this.#active(record) !== undefined) throw protocolError(ServerErrorCode.DuplicateRequest, `BEGIN_REQUEST for active request ${requestId}`, record);
    const role = roleNameOf(record.role);
    if (role === undefined) return this.#reject(requestId, ProtocolStatus.UnknownRole, keepConn);
    if (!this.options.multiplex && this.#requests.size > 0) return this.#reject(requestId, ProtocolStatus.CantMpxConn, keepConn);
    if (this.#shuttingDown || this.#context.closing || this.#requests.size >= this.options.maxRequestsPerConnection || !this.#context.acquireRequest()) {
      return this.#reject(requestId, ProtocolStatus.Overloaded, keepConn);
    }
    const request = new ActiveRequest(this, requestId, role, keepConn);
    this.#requests.set(requestId, request);
    this.#awaitingParams[this.#awaitingCount++] = request;
  }

  #reject(requestId: number, protocolStatus: number, keepConn: boolean): void {
    this.writer.writeEnd(requestId, 0, protocolStatus);
    if (!keepConn && this.#requests.size === 0) this.#endConnection();
  }

  #params(request: ActiveRequest | undefined, content: Uint8Array): void {
    if (request === undefined || request.paramsEnded || request.done) return;
    if (content.length === 0) {
      request.endParams();
      this.#context.dispatch(request);
      return;
    }
    try {
      request.pushParams(content);
    } catch (error) {
      if (!(error instanceof FastCgiLimitError)) throw error;
      // A request over our limits is refused on its own; the connection stays usable.
      this.#context.reportConnectionError(error, this.socket);
      request.writeStdout(serializeCgiHead({ status: 431, headers: [['Content-Type', 'text/plain']] }));
      request.finish(0);
    }
  }

  #getValues(record: GetValuesRecord): void {
    const options = this.options;
    const maxRequests = options.multiplex ? Math.min(options.maxConcurrentRequests, options.maxRequestsPerConnection) : options.maxConcurrentRequests;
    const known: Readonly<Record<string, string>> = {
      [ValueName.MaxConns]: String(options.maxConnections),
      [ValueName.MaxReqs]: String(maxRequests),
      [ValueName.MpxsConns]: options.multiplex ? '1' : '0',
    };
    const pairs: [string, string][] = [];
    for (const pair of record.pairs) {
      const name = Array.isArray(pair) ? String(pair[0]) : (pair as { name: string }).name;
      const value = known[name];
      // Each known name is answered once, however often the query repeats it.
      if (value !== undefined && !pairs.some(([answered]) => answered === name)) pairs.push([name, value]);
    }
    this.writer.writeRecord(encodeRecord({ type: RecordType.GetValuesResult, requestId: 0, pairs }));
  }

  #fail(error: unknown): void {
    if (this.#closed) return;
    const failure = FastCgiError.is(error) ? error : new FastCgiServerError(ServerErrorCode.SocketError, `Connection failed: ${String(error)}`, { cause: error });
    this.#context.reportConnectionError(failure, this.socket);
    this.#abortRequests(false);
    this.#ending = true;
    this.socket.destroy();
  }

  #endConnection(): void {
    if (this.#ending) return;
    this.#ending = true;
    this.writer.flush();
    this.socket.end();
  }

  #abortRequests(writeEnd: boolean): void {
    for (const request of this.#requests.values()) request.abort(writeEnd);
  }

  #onEnd(): void {
    if (!this.#ending) {
      try {
        this.#decoder.end();
      } catch (error) {
        this.#fail(error);
        return;
      }
    }
    // FastCGI ends its streams with records, so a FIN means the web server is gone (nginx
    // closes the connection when its client goes away): abort what is still running.
    this.#ending = true;
    this.#abortRequests(false);
  }

  #onSocketError(error: NodeJS.ErrnoException): void {
    if (error.code !== undefined && quietSocketErrors.has(error.code)) return;
    this.#context.reportConnectionError(new FastCgiServerError(ServerErrorCode.SocketError, `Socket error: ${error.message}`, { cause: error }), this.socket);
  }

  #onClose(): void {
    this.#closed = true;
    this.#abortRequests(false);
    this.#onDrain();
    this.#context.connectionClosed(this);
  }

  #onDrain(): void {
    const listeners = this.#drainListeners;
    if (listeners.length === 0) return;
    this.#drainListeners = [];
    for (const listener of listeners) listener();
  }
}
