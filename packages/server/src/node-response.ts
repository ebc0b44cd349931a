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
import { ProtocolStatus, serializeCgiHead } from '@fcgi/codec';
import type { FastCgiIncomingMessage } from './node-request.js';
import type { WriteCallback } from './record-writer.js';

/** Where a response's bytes go: the request's STDOUT stream. */
export interface ResponseSink {
  readonly done: boolean;
  writeStdout(chunk: Uint8Array, callback?: WriteCallback): boolean;
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

/** One of node's per-instance internal symbols, by its description. */
function internalSymbol(target: object, description: string): symbol | undefined {
  return Object.getOwnPropertySymbols(target).find((candidate) => candidate.description === description);
}

function isOutHeaders(response: object, headers: Record<string, unknown>): boolean {
  const symbol = internalSymbol(response, 'kOutHeaders');
  if (symbol !== undefined) return (response as Record<symbol, unknown>)[symbol] === headers;
  return Object.entries(headers).every(([key, entry]) => Array.isArray(entry) && entry.length === 2 && String(entry[0]).toLowerCase() === key);
}

/** Flattens whatever node passes to `_storeHeader` into `[name, value]` lines. */
function headerLines(response: object, headers: unknown): [string, string][] {
  const lines: [string, string][] = [];
  const text = (value: unknown): string => (typeof value === 'string' ? value : String(value));
  const add = (name: unknown, value: unknown): void => {
    if (value === undefined || value === null) return;
    if (Array.isArray(value)) for (const item of value as unknown[]) lines.push([text(name), text(item)]);
    else lines.push([text(name), text(value)]);
  };
  if (headers === null || typeof headers !== 'object') return lines;
  if (Array.isArray(headers)) {
    const list = headers as unknown[];
    if (list.length > 0 && Array.isArray(list[0])) for (const entry of list as unknown[][]) add(entry[0], entry[1]);
    else for (let index = 0; index < list.length; index += 2) add(list[index], list[index + 1]);
    return lines;
  }
  const record = headers as Record<string, unknown>;
  if (isOutHeaders(response, record)) {
    for (const key of Object.keys(record)) {
      const entry = record[key] as [unknown, unknown];
      add(entry[0], entry[1]);
    }
  } else {
    for (const key of Object.keys(record)) add(key, record[key]);
  }
  return lines;
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
  readonly #sink: ResponseSink;
  #head: Uint8Array | undefined;
  #finishCallbacks: WriteCallback[] = [];
  #waitingForDrain = false;
  #ended = false;

  constructor(req: FastCgiIncomingMessage, sink: ResponseSink) {
    super(req);
    this.#sink = sink;
    this.sendDate = false;
    (this as unknown as OutgoingInternals).useChunkedEncodingByDefault = false;
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
    const lines: [string, string][] = [];
    let framed = false;
    for (const [name, value] of headerLines(this, headers)) {
      const lower = name.toLowerCase();
      if (hopByHopHeaders.has(lower)) {
        if (lower === 'transfer-encoding') framed = true;
        continue;
      }
      if (lower === 'content-length') framed = true;
      // Apache's mod_authnz_fcgi matches `Variable-` case-sensitively; frameworks such as
      // Fastify lower-case header names, so restore the prefix's spelling.
      lines.push([lower.startsWith('variable-') ? `Variable-${name.slice(9)}` : name, value]);
    }
    if (!framed && internals._hasBody && !internals._removedContLen && typeof internals._contentLength === 'number') {
      lines.push(['Content-Length', String(internals._contentLength)]);
    }
    const head = serializeCgiHead({ status: this.statusCode, statusText: this.statusMessage, headers: lines });
    this.#head = head;
    internals._header = Buffer.from(head.buffer, head.byteOffset, head.length).toString('latin1');
    internals._headerSent = false;
    internals.chunkedEncoding = false;
  }

  /** @internal node hook: sends the head (once) and body bytes as STDOUT records. */
  _send(data: string | Uint8Array, encoding?: BufferEncoding | null, callback?: WriteCallback): boolean {
    const sink = this.#sink;
    if (sink.done) return false;
    const internals = this as unknown as OutgoingInternals;
    let ready = true;
    if (!internals._headerSent && this.#head !== undefined) {
      internals._headerSent = true;
      ready = sink.writeStdout(this.#head);
      this.#head = undefined;
    }
    const bytes = typeof data === 'string' ? (data === '' ? emptyBytes : Buffer.from(data, encoding ?? 'utf8')) : data;
    if (bytes.length > 0) ready = sink.writeStdout(bytes, callback);
    else if (callback !== undefined) this.#finishCallbacks.push(callback);
    if (!ready) this.#waitForDrain();
    return ready;
  }

  override end(...args: unknown[]): this {
    (ServerResponse.prototype.end as (this: ServerResponse, ...endArgs: unknown[]) => unknown).apply(this, args);
    if ((this as unknown as OutgoingInternals).finished) this.#complete();
    return this;
  }

  #complete(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#sink.finish(this.appStatus, ProtocolStatus.RequestComplete, () => {
      const callbacks = this.#finishCallbacks;
      this.#finishCallbacks = [];
      for (const callback of callbacks) callback();
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
