/**
 * An `http.ServerResponse` that writes a CGI response (a `Status:` line, the headers, a
 * blank line, the body) as STDOUT records instead of HTTP/1.1 on a socket. It is the real
 * node class with two internal hooks replaced (`_storeHeader`, `_send`), so `setHeader`,
 * `writeHead`, `write`, `end`, `headersSent`, HEAD and 204/304 handling, `'finish'` and
 * `'close'` behave as node's own.
 *
 * @module
 */
import { ServerResponse } from 'node:http';
import { CodecErrorCode, FastCgiArgumentError, ProtocolStatus } from '@fcgi/codec';
import { type FastCgiIncomingMessage, RequestSource, defineLazyResponseSocket, socketSlot } from './node-request.js';
import type { WriteCallback } from './record-writer.js';

/** Where a response's bytes go: the request's STDOUT stream. */
export interface ResponseSink {
  readonly done: boolean;
  writeStdout(chunk: Uint8Array, callback?: WriteCallback): boolean;
  /** Writes latin1 text (the CGI head) to STDOUT, and `body` (first body bytes) in the same record when both are small. */
  writeStdoutText(text: string, body?: Uint8Array, callback?: WriteCallback): boolean;
  writeStderr(chunk: Uint8Array, callback?: WriteCallback): boolean;
  onceDrain(listener: () => void): void;
  finish(appStatus: number, protocolStatus?: number, callback?: WriteCallback): void;
}

/** node's OutgoingMessage internals this class takes part in. */
interface OutgoingInternals {
  _header: string | null;
  _headerSent: boolean;
  _hasBody: boolean;
  _contentLength: number | null;
  _removedContLen: boolean;
  chunkedEncoding: boolean;
  useChunkedEncodingByDefault: boolean;
  finished: boolean;
  [key: symbol]: unknown;
}

/** Headers the web server owns: never passed on in the CGI head. */
const hopByHopHeaders = new Set(['connection', 'keep-alive', 'transfer-encoding']);
const emptyBytes = new Uint8Array(0);
const headerNamePattern = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const forbiddenValueCharacters = /[\r\n\0]/;
const beyondLatin1 = /[\u0100-\uffff]/;

function text(value: unknown): string {
  return typeof value === 'string' ? value : String(value);
}

/** node's internal symbols are module-wide: found once, on the first instance that has them. */
const symbolCache = new Map<string, symbol | null>();

/** One of node's internal symbols, by its description (undefined if this node has none). */
function internalSymbol(target: object, description: string): symbol | undefined {
  let symbol = symbolCache.get(description);
  if (symbol === undefined) {
    symbol = Object.getOwnPropertySymbols(target).find((candidate) => candidate.description === description) ?? null;
    symbolCache.set(description, symbol);
  }
  return symbol ?? undefined;
}

/**
 * Whether `headers` is node's own header map of `response` (entries `[name, value]` under
 * lower-case keys): 'by node' when it is that very map (every entry went through
 * `setHeader`'s checks), 'shape' when it only looks like one (a node without the symbol).
 */
function outHeadersState(response: object, headers: Record<string, unknown>): 'by node' | 'shape' | 'no' {
  const symbol = internalSymbol(response, 'kOutHeaders');
  if (symbol !== undefined) return (response as Record<symbol, unknown>)[symbol] === headers ? 'by node' : 'no';
  return Object.entries(headers).every(([key, entry]) => Array.isArray(entry) && entry.length === 2 && String(entry[0]).toLowerCase() === key) ? 'shape' : 'no';
}

function invalidHeader(message: string): FastCgiArgumentError {
  return new FastCgiArgumentError(CodecErrorCode.InvalidHeader, message);
}

/**
 * Builds the CGI head text line by line: drops the hop-by-hop headers, notes whether the
 * response is framed (Content-Length or Transfer-Encoding), checks names and values as
 * `serializeCgiHead` does.
 */
class HeadBuilder {
  text: string;
  framed = false;
  /** True once a line came from outside node's `setHeader` (whose names and values node already checked). */
  #unchecked = false;

  constructor(status: number, statusText: string) {
    if (!Number.isInteger(status) || status < 100 || status > 999) {
      throw new FastCgiArgumentError(CodecErrorCode.InvalidStatus, `Status must be an integer in 100..999, got ${String(status)}`);
    }
    if (forbiddenValueCharacters.test(statusText)) throw invalidHeader('Header Status has a CR, LF or NUL in its value');
    if (beyondLatin1.test(statusText)) throw invalidHeader('Header text must be latin1 (code points up to U+00FF)');
    this.text = statusText === '' ? `Status: ${status}\r\n` : `Status: ${status} ${statusText}\r\n`;
  }

  add(name: unknown, value: unknown): void {
    if (value === undefined || value === null) return;
    this.#unchecked = true;
    if (Array.isArray(value)) {
      for (const item of value as unknown[]) this.#line(text(name), text(item), true);
    } else {
      this.#line(text(name), text(value), true);
    }
  }

  /** A header from node's own header map: `setHeader` checked its name and value (tokens, latin1, no CR/LF/NUL). */
  #addChecked(lower: string, name: unknown, value: unknown): void {
    if (value === undefined || value === null) return;
    if (Array.isArray(value)) {
      for (const item of value as unknown[]) this.#line(text(name), text(item), false, lower);
    } else {
      this.#line(text(name), text(value), false, lower);
    }
  }

  #line(name: string, value: string, check: boolean, lower = name.toLowerCase()): void {
    if (hopByHopHeaders.has(lower)) {
      if (lower === 'transfer-encoding') this.framed = true;
      return;
    }
    if (lower === 'content-length') this.framed = true;
    if (check) {
      if (!headerNamePattern.test(name)) throw invalidHeader(`Invalid header name ${JSON.stringify(name)}`);
      if (forbiddenValueCharacters.test(value)) throw invalidHeader(`Header ${name} has a CR, LF or NUL in its value`);
    }
    // Apache's mod_authnz_fcgi matches `Variable-` case-sensitively; frameworks such as
    // Fastify lower-case header names, so restore the prefix's spelling.
    this.text += `${lower.startsWith('variable-') ? `Variable-${name.slice(9)}` : name}: ${value}\r\n`;
  }

  /** Every form node passes to `_storeHeader`: its own header map, a writeHead object, a flat or nested array. */
  addAll(response: object, headers: unknown): void {
    if (headers === null || typeof headers !== 'object') return;
    if (Array.isArray(headers)) {
      const list = headers as unknown[];
      if (list.length > 0 && Array.isArray(list[0])) for (const entry of list as unknown[][]) this.add(entry[0], entry[1]);
      else for (let index = 0; index < list.length; index += 2) this.add(list[index], list[index + 1]);
      return;
    }
    const record = headers as Record<string, unknown>;
    const checked = outHeadersState(response, record);
    if (checked !== 'no') {
      for (const key of Object.keys(record)) {
        const entry = record[key] as [unknown, unknown];
        if (checked === 'by node') this.#addChecked(key, entry[0], entry[1]);
        else this.add(entry[0], entry[1]);
      }
    } else {
      for (const key of Object.keys(record)) this.add(key, record[key]);
    }
  }

  /** The head with its blank line; throws when some text is not latin1. */
  finish(): string {
    const text = `${this.text}\r\n`;
    if (this.#unchecked && beyondLatin1.test(text)) throw invalidHeader('Header text must be latin1 (code points up to U+00FF)');
    return text;
  }
}

/**
 * The `res` of a FastCGI request: an `http.ServerResponse` whose output is a CGI response
 * on STDOUT. Set `appStatus` to choose END_REQUEST's application status (default 0).
 * `Transfer-Encoding`, `Connection` and `Keep-Alive` are never sent (the web server frames
 * the HTTP response); a `Content-Length` is added when node knows the length (`res.end(body)`).
 *
 * @example
 * ```ts
 * createServer((req, res) => {
 *   res.setHeader('Set-Cookie', ['a=1', 'b=2']);
 *   res.writeHead(201, { 'Content-Type': 'text/plain' });
 *   res.end('created');
 * });
 * ```
 */
export class FastCgiServerResponse extends ServerResponse<FastCgiIncomingMessage> {
  /** The application status sent in END_REQUEST (0 = success). */
  appStatus = 0;
  declare [socketSlot]: unknown;
  readonly #sink: ResponseSink;
  #head: string | undefined;
  #finishCallbacks: WriteCallback[] | undefined;
  #waitingForDrain = false;
  #ended = false;
  /**
   * node's own code is reading `socket`: it sees none rather than creating the stand-in.
   * 'all' while a node method runs, 'once' for the one read in node's 'finish' callback.
   */
  #quiet: 'none' | 'all' | 'once' = 'none';
  /** True while node's `end` runs (its last `_send` carries the callback that emits 'finish'). */
  #ending = false;
  /** node's 'finish' callback, which reads `socket._hadError`. */
  #nodeFinish: WriteCallback | undefined;

  /** `source`: the request's socket stand-in is created from it on first read of `res.socket`. */
  constructor(req: FastCgiIncomingMessage, sink: ResponseSink, source?: RequestSource) {
    super(req);
    this.#sink = sink;
    this.sendDate = false;
    (this as unknown as OutgoingInternals).useChunkedEncodingByDefault = false;
    if (source !== undefined) this[socketSlot] = source;
  }

  static {
    defineLazyResponseSocket(this.prototype, (target) => (target as FastCgiServerResponse).#isQuiet());
  }

  /**
   * Writes text to the web server's error log (STDERR records).
   *
   * @example
   * ```ts
   * res.writeStderr('cache miss for /users\n');
   * ```
   */
  writeStderr(chunk: string | Uint8Array): boolean {
    return this.#sink.writeStderr(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }

  /** @internal node hook: builds the CGI head where node would build an HTTP/1.1 head. */
  _storeHeader(_statusLine: string, headers: unknown): void {
    const internals = this as unknown as OutgoingInternals;
    const head = new HeadBuilder(this.statusCode, this.statusMessage);
    head.addAll(this, headers);
    if (!head.framed && internals._hasBody && !internals._removedContLen && typeof internals._contentLength === 'number') {
      head.add('Content-Length', String(internals._contentLength));
    }
    const text = head.finish();
    this.#head = text;
    internals._header = text;
    internals._headerSent = false;
    internals.chunkedEncoding = false;
  }

  /** @internal node hook: sends the head (once) and body bytes as STDOUT records. */
  _send(data: string | Uint8Array, encoding?: BufferEncoding | null, callback?: WriteCallback): boolean {
    const sink = this.#sink;
    if (sink.done) return false;
    const internals = this as unknown as OutgoingInternals;
    let ready = true;
    const bytes = typeof data === 'string' ? (data === '' ? emptyBytes : Buffer.from(data, encoding ?? 'utf8')) : data;
    if (!internals._headerSent && this.#head !== undefined) {
      internals._headerSent = true;
      const head = this.#head;
      this.#head = undefined;
      if (bytes.length > 0) {
        // Head and first body bytes in one record when they are small.
        ready = sink.writeStdoutText(head, bytes, callback);
        if (!ready) this.#waitForDrain();
        return ready;
      }
      ready = sink.writeStdoutText(head);
    }
    if (bytes.length > 0) ready = sink.writeStdout(bytes, callback);
    else if (callback !== undefined) {
      // The callback node's `end` passes with its last, empty write emits 'finish'.
      if (this.#ending) this.#nodeFinish = callback;
      (this.#finishCallbacks ??= []).push(callback);
    }
    if (!ready) this.#waitForDrain();
    return ready;
  }

  override write(...args: unknown[]): boolean {
    const hide = this.#hideSocket();
    try {
      return (ServerResponse.prototype.write as (this: ServerResponse, ...writeArgs: unknown[]) => boolean).apply(this, args);
    } finally {
      if (hide) this.#quiet = 'none';
    }
  }

  override end(chunk?: unknown, encoding?: unknown, callback?: unknown): this {
    const internals = this as unknown as OutgoingInternals;
    const wasFinished = internals.finished;
    const hide = this.#hideSocket();
    this.#ending = true;
    try {
      (ServerResponse.prototype.end as (this: ServerResponse, ...endArgs: unknown[]) => unknown).call(this, chunk, encoding, callback);
    } finally {
      this.#ending = false;
      if (hide) this.#quiet = 'none';
    }
    if (!internals.finished) return this;
    // node emits 'prefinish' from `end` only when the response has a socket.
    if (!wasFinished && this[socketSlot] instanceof RequestSource) this.emit('prefinish');
    this.#complete();
    return this;
  }

  /** Hides a socket stand-in not created yet from node's own reads; true when it did (undo after). */
  #hideSocket(mode: 'all' | 'once' = 'all'): boolean {
    if (this.#quiet !== 'none' || !(this[socketSlot] instanceof RequestSource)) return false;
    this.#quiet = mode;
    return true;
  }

  #isQuiet(): boolean {
    const quiet = this.#quiet;
    if (quiet === 'once') this.#quiet = 'none';
    return quiet !== 'none';
  }

  #complete(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#sink.finish(this.appStatus, ProtocolStatus.RequestComplete, () => {
      const callbacks = this.#finishCallbacks;
      if (callbacks === undefined) return;
      this.#finishCallbacks = undefined;
      for (const callback of callbacks) {
        // node's 'finish' callback looks at `socket._hadError` before emitting 'finish'.
        if (callback === this.#nodeFinish && this.#hideSocket('once')) {
          try {
            callback();
          } finally {
            this.#quiet = 'none';
          }
        } else {
          callback();
        }
      }
    });
  }

  #waitForDrain(): void {
    if (this.#waitingForDrain) return;
    this.#waitingForDrain = true;
    this.#sink.onceDrain(() => {
      this.#waitingForDrain = false;
      if (this.destroyed || this.#sink.done) return;
      // What node's http server does on the socket's 'drain': clear writableNeedDrain, emit.
      const needDrain = internalSymbol(this, 'kNeedDrain');
      if (needDrain !== undefined) (this as unknown as Record<symbol, boolean>)[needDrain] = false;
      this.emit('drain');
    });
  }
}
