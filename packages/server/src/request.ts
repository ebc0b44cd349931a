/**
 * The state of one active request on a connection: its PARAMS decoding, its inbound
 * streams, its abort signal and its outbound records (STDOUT, STDERR, END_REQUEST).
 *
 * @module
 */
import { type NameValuePair, ParamsDecoder, ProtocolStatus, RecordType, decodeParams } from '@fcgi/codec';
import { FastCgiServerError, ServerErrorCode } from './errors.js';
import { InputChannel, type InputFlowControl } from './input-channel.js';
import { DecodedParams, countWholePairs } from './params-fast.js';
import type { ResolvedEngineOptions } from './options.js';
import type { RecordWriter, WriteCallback } from './record-writer.js';

/**
 * The role of a request, by name.
 *
 * @example
 * ```ts
 * const role: RoleName = req.fastcgi.role; // 'responder' | 'authorizer' | 'filter'
 * ```
 */
export type RoleName = 'responder' | 'authorizer' | 'filter';

/** What a request needs from its connection. */
export interface RequestHost extends InputFlowControl {
  readonly options: ResolvedEngineOptions;
  readonly writer: RecordWriter;
  /** Calls `listener` at the socket's next `'drain'`. */
  onceDrain(listener: () => void): void;
  /** The request sent END_REQUEST: forget it. */
  requestFinished(request: ActiveRequest): void;
}

/** Hooks the handler layer installs on a request it runs. */
export interface RequestHooks {
  /** The request was aborted (ABORT_REQUEST or lost connection). */
  onAbort(reason: FastCgiServerError): void;
  /** The body broke a limit; the handler layer answers (413) and reports it. */
  onInputError(error: FastCgiServerError): void;
  /** END_REQUEST was written (or the connection is gone): release streams, emit 'close'. */
  onDone(): void;
  /** User code run by the engine (a 'data' or 'aborted' listener) threw. */
  onHandlerError(error: unknown): void;
}

const roleNames: Readonly<Record<number, RoleName>> = { 1: 'responder', 2: 'authorizer', 3: 'filter' };

/**
 * The name of a role value, or undefined for roles the server does not implement.
 *
 * @example
 * ```ts
 * roleNameOf(2); // 'authorizer'
 * ```
 */
export function roleNameOf(role: number): RoleName | undefined {
  return roleNames[role];
}

const emptyBytes = new Uint8Array(0);

/**
 * One request from BEGIN_REQUEST to END_REQUEST. Everything it writes after END_REQUEST
 * is dropped, so a handler that keeps writing after an abort cannot touch a reused id.
 *
 * @example
 * ```ts
 * const request = new ActiveRequest(host, 1, 'responder', true);
 * request.pushParams(record.content);
 * ```
 */
export class ActiveRequest {
  readonly requestId: number;
  readonly role: RoleName;
  readonly keepConn: boolean;
  readonly stdin: InputChannel;
  readonly #host: RequestHost;
  /** Created for filters only (the DATA stream). */
  #data: InputChannel | undefined;
  /** The streaming decoder, created only when PARAMS do not come as one whole-pairs record. */
  #paramsDecoder: ParamsDecoder | undefined;
  /** The one whole-pairs PARAMS record of the fast path, and its number of pairs. */
  #rawParams: Uint8Array | undefined;
  #rawCount = 0;
  #decoded: DecodedParams | undefined;
  #pairs: NameValuePair[] | undefined;
  /** Created when someone asks for the signal: most requests never need one. */
  #abortController: AbortController | undefined;
  #abortReason: FastCgiServerError | undefined;
  #params: Record<string, string> | undefined;
  #paramsEnded = false;
  #hooks: RequestHooks | undefined;
  #stderrUsed = false;
  #done = false;
  #paramsTimer: NodeJS.Timeout | undefined;

  constructor(host: RequestHost, requestId: number, role: RoleName, keepConn: boolean) {
    this.#host = host;
    this.requestId = requestId;
    this.role = role;
    this.keepConn = keepConn;
    this.stdin = new InputChannel(host, host.options.stdinHighWaterMark);
  }

  /** The DATA stream's channel (Filter role). */
  get data(): InputChannel {
    this.#data ??= new InputChannel(this.#host, this.#host.options.stdinHighWaterMark);
    return this.#data;
  }

  /** Fires when the web server aborts the request or the connection is lost. */
  get signal(): AbortSignal {
    if (this.#abortController === undefined) {
      this.#abortController = new AbortController();
      if (this.#abortReason !== undefined) this.#abortController.abort(this.#abortReason);
    }
    return this.#abortController.signal;
  }

  /** True once the web server aborted the request or the connection was lost (as `signal.aborted`). */
  get aborted(): boolean {
    return this.#abortReason !== undefined;
  }

  /** Why the request was aborted (as `signal.reason`); undefined while it was not. */
  get abortReason(): FastCgiServerError | undefined {
    return this.#abortReason;
  }

  /** True once the empty PARAMS record arrived. */
  get paramsEnded(): boolean {
    return this.#paramsEnded;
  }

  /** The params once PARAMS ended (the object built on first use), else undefined. */
  get params(): Readonly<Record<string, string>> | undefined {
    if (!this.#paramsEnded) return undefined;
    this.#params ??= this.#buildParams();
    return this.#params;
  }

  /** One param's value once PARAMS ended (the last one of that name), without building the params object. */
  param(name: string): string | undefined {
    const decoded = this.#decoded;
    if (decoded === undefined || this.#params !== undefined) return this.params?.[name];
    return decoded.find(name);
  }

  /** Every decoded pair, with its raw bytes, once PARAMS ended (built on first use). */
  get pairs(): readonly NameValuePair[] {
    if (this.#pairs === undefined) {
      const options = this.#host.options;
      const raw = this.#rawParams;
      this.#pairs = raw === undefined ? [] : decodeParams(raw, { maxParamsBytes: options.maxParamsBytes, maxParamsPairs: options.maxParamsPairs });
    }
    return this.#pairs;
  }

  /** The fast path's names and values (one whole-pairs PARAMS record), else undefined. */
  get decodedParams(): DecodedParams | undefined {
    return this.#decoded;
  }

  /** True once END_REQUEST was written or the connection was lost. */
  get done(): boolean {
    return this.#done;
  }

  /** Arms the PARAMS deadline; `onTimeout` runs if PARAMS have not ended by then. */
  startParamsTimer(onTimeout: () => void): void {
    const timeout = this.#host.options.paramsTimeout;
    if (timeout > 0) {
      this.#paramsTimer = setTimeout(onTimeout, timeout);
      this.#paramsTimer.unref();
    }
  }

  /** Consumes one PARAMS record's content; throws the codec's errors (limits, malformed pairs). */
  pushParams(content: Uint8Array): void {
    const options = this.#host.options;
    if (this.#paramsDecoder === undefined && this.#rawParams === undefined && content.length <= options.maxParamsBytes) {
      const count = countWholePairs(content, options.maxParamsPairs);
      if (count >= 0) {
        this.#rawParams = content;
        this.#rawCount = count;
        return;
      }
    }
    const pairs = (this.#pairs ??= []);
    for (const pair of this.#streamingDecoder().push(content)) pairs.push(pair);
  }

  /** The streaming decoder, fed first with the record the fast path kept (whole pairs within the limits: it cannot fail). */
  #streamingDecoder(): ParamsDecoder {
    if (this.#paramsDecoder !== undefined) return this.#paramsDecoder;
    const options = this.#host.options;
    const decoder = new ParamsDecoder({ maxParamsBytes: options.maxParamsBytes, maxParamsPairs: options.maxParamsPairs });
    this.#paramsDecoder = decoder;
    const raw = this.#rawParams;
    if (raw !== undefined) {
      this.#rawParams = undefined;
      const pairs = (this.#pairs ??= []);
      for (const pair of decoder.push(raw)) pairs.push(pair);
    }
    return decoder;
  }

  /** The empty PARAMS record. Throws when a pair was cut short. */
  endParams(): void {
    this.#paramsDecoder?.end();
    this.#clearParamsTimer();
    if (this.#rawParams !== undefined && this.#paramsDecoder === undefined) this.#decoded = new DecodedParams(this.#rawParams, this.#rawCount);
    this.#paramsEnded = true;
  }

  /** A null-prototype object of the params (a later pair of the same name wins). */
  #buildParams(): Record<string, string> {
    const params: Record<string, string> = Object.create(null) as Record<string, string>;
    const decoded = this.#decoded;
    if (decoded !== undefined) {
      const { names, values } = decoded;
      for (let index = 0; index < names.length; index++) params[names[index] as string] = values[index] as string;
    } else {
      for (const pair of this.pairs) params[pair.name] = pair.value;
    }
    return params;
  }

  /** Installs the handler layer's hooks (once the request is dispatched). */
  setHooks(hooks: RequestHooks): void {
    this.#hooks = hooks;
  }

  /** Consumes one STDIN record's content, enforcing `maxStdinBytes`. */
  pushStdin(content: Uint8Array): void {
    if (content.length === 0) {
      this.#userCode(() => this.stdin.end());
      return;
    }
    if (this.stdin.ended) return;
    const limit = this.#host.options.maxStdinBytes;
    if (this.stdin.bytes + content.length > limit) {
      this.stdin.close();
      this.#userCode(() => this.#hooks?.onInputError(new FastCgiServerError(ServerErrorCode.StdinTooLarge, `The request body exceeds maxStdinBytes (${limit})`, { requestId: this.requestId, limit })));
      return;
    }
    this.#userCode(() => this.stdin.push(content));
  }

  /** Consumes one DATA record's content (Filter role). */
  pushData(content: Uint8Array): void {
    this.#userCode(() => (content.length === 0 ? this.data.end() : this.data.push(content)));
  }

  /**
   * Runs something that may call user code synchronously (a Readable's 'data' listeners,
   * an 'aborted' listener): what it throws is the handler's error, never a protocol error.
   */
  #userCode(action: () => void): void {
    try {
      action();
    } catch (error) {
      if (this.#hooks === undefined) throw error;
      this.#hooks.onHandlerError(error);
    }
  }

  /** Writes response bytes as STDOUT records. Returns false when the caller should wait for drain. */
  writeStdout(chunk: Uint8Array, callback?: WriteCallback): boolean {
    if (this.#done) return false;
    return this.#host.writer.writeStream(RecordType.Stdout, this.requestId, chunk, false, callback);
  }

  /** Writes latin1 text (a CGI head) as one STDOUT record. */
  writeStdoutText(text: string, body?: Uint8Array, callback?: WriteCallback): boolean {
    if (this.#done) return false;
    return this.#host.writer.writeText(RecordType.Stdout, this.requestId, text, callback, body);
  }

  /** Writes bytes as STDERR records (the web server logs them). */
  writeStderr(chunk: Uint8Array, callback?: WriteCallback): boolean {
    if (this.#done || chunk.length === 0) return false;
    this.#stderrUsed = true;
    return this.#host.writer.writeStream(RecordType.Stderr, this.requestId, chunk, false, callback);
  }

  /** Calls `listener` when the connection can take more bytes (or at once when it can now). */
  onceDrain(listener: () => void): void {
    if (this.#host.writer.needsDrain) this.#host.onceDrain(listener);
    else process.nextTick(listener);
  }

  /**
   * Ends the request: empty STDOUT (and STDERR if used), END_REQUEST. Only the first call
   * writes anything.
   */
  finish(appStatus: number, protocolStatus: number = ProtocolStatus.RequestComplete, callback?: WriteCallback): void {
    if (this.#done) return;
    this.#done = true;
    this.#clearParamsTimer();
    this.#writeEnd(appStatus, protocolStatus, callback);
    this.#release();
  }

  /**
   * The web server gave up (ABORT_REQUEST, `writeEnd` true) or the connection is gone
   * (`writeEnd` false): fire the signal, destroy the streams, answer END_REQUEST once.
   */
  abort(writeEnd: boolean): void {
    if (this.#done) return;
    this.#done = true;
    this.#clearParamsTimer();
    const reason = new FastCgiServerError(ServerErrorCode.RequestAborted, 'The web server aborted the request', { requestId: this.requestId });
    this.#abortReason = reason;
    this.#abortController?.abort(reason);
    this.#userCode(() => this.#hooks?.onAbort(reason));
    if (writeEnd) this.#writeEnd(0, ProtocolStatus.RequestComplete);
    this.#release();
  }

  #writeEnd(appStatus: number, protocolStatus: number, callback?: WriteCallback): void {
    const writer = this.#host.writer;
    if (protocolStatus === ProtocolStatus.RequestComplete) {
      writer.writeStream(RecordType.Stdout, this.requestId, emptyBytes, true);
      if (this.#stderrUsed) writer.writeStream(RecordType.Stderr, this.requestId, emptyBytes, true);
    }
    writer.writeEnd(this.requestId, appStatus >>> 0, protocolStatus, callback);
  }

  #release(): void {
    this.stdin.close();
    this.#data?.close();
    this.#host.requestFinished(this);
    this.#hooks?.onDone();
  }

  #clearParamsTimer(): void {
    if (this.#paramsTimer !== undefined) clearTimeout(this.#paramsTimer);
    this.#paramsTimer = undefined;
  }
}
