/**
 * `request()` on top of `dispatch()`: the handler that turns the callbacks into the
 * {@link ClientResponse} promise, and (made only when read) the body stream or buffer, the
 * STDERR stream and the `done` promise.
 *
 * @module
 */
import { Readable } from 'node:stream';
import { type FastCgiError, type HeaderEntry, Role } from '@fcgi/codec';
import type { DispatchHandler } from './dispatch.js';
import type { Exchange } from './exchange.js';
import { type BodyReadOptions, type ClientResponse, type RequestEnd, authorizerVariables, headerObject } from './request-options.js';
import { ResponseBody } from './response-body.js';

const noop = (): void => {};
const utf8 = (bytes: Buffer): string => bytes.toString('utf8');
const parseJson = (bytes: Buffer): unknown => JSON.parse(bytes.toString('utf8'));

/**
 * What `request()` resolves to: the head's fields as own properties; the headers object,
 * the body, STDERR and `done` made at the first read (a class, not an object literal with
 * accessors: those are slow to create).
 */
class HeadResponse implements ClientResponse {
  readonly status: number;
  readonly statusText: string;
  readonly rawHeaders: readonly HeaderEntry[];
  declare readonly allowed?: boolean;
  declare readonly variables?: Readonly<Record<string, string>>;
  readonly #streams: StreamResponse;
  readonly #body: ResponseBody;
  #headers: Readonly<Record<string, string | string[]>> | undefined;

  constructor(streams: StreamResponse, status: number, statusText: string, rawHeaders: readonly HeaderEntry[], body: ResponseBody, authorizer: boolean) {
    this.#streams = streams;
    this.status = status;
    this.statusText = statusText;
    this.rawHeaders = rawHeaders;
    this.#body = body;
    if (authorizer) Object.assign(this, { allowed: status === 200, variables: authorizerVariables(rawHeaders) });
  }

  get headers(): Readonly<Record<string, string | string[]>> {
    return (this.#headers ??= headerObject(this.rawHeaders));
  }

  get body(): Readable {
    return this.#body.stream();
  }

  get bodyUsed(): boolean {
    return this.#body.used;
  }

  bytes(options?: BodyReadOptions): Promise<Buffer> {
    return this.#body.bytes(options);
  }

  text(options?: BodyReadOptions): Promise<string> {
    return this.#body.bytes(options).then(utf8);
  }

  json<T = unknown>(options?: BodyReadOptions): Promise<T> {
    return this.#body.bytes(options).then(parseJson) as Promise<T>;
  }

  get stderr(): Readable {
    return this.#streams.stderrStream();
  }

  get done(): Promise<RequestEnd> {
    return this.#streams.donePromise();
  }
}

/**
 * The handler of one `request()`: resolves `response` at the head, hands the body to a
 * {@link ResponseBody} (which pauses the connection when unread bytes pile up), buffers
 * STDERR up to `maxStderrBuffer` bytes until the stream is first read.
 *
 * @example
 * ```ts
 * const streams = new StreamResponse(65536, 1048576, 16777216);
 * streams.attach(exchange); // the exchange was created with `streams` as its handler
 * const response = await streams.response;
 * ```
 */
export class StreamResponse implements DispatchHandler {
  /** Settles when the CGI head arrives (or the request fails first). */
  readonly response: Promise<ClientResponse>;
  #resolveHead: (response: ClientResponse) => void = noop;
  #rejectHead: (error: unknown) => void = noop;
  readonly #highWaterMark: number;
  readonly #maxStderrBuffer: number;
  readonly #maxBodyBytes: number;
  #exchange: Exchange | undefined;
  #body: ResponseBody | undefined;
  #stderr: Readable | undefined;
  /** STDERR bytes that arrived before anyone asked for the stream. */
  #stderrChunks: Buffer[] | undefined;
  #stderrBytes = 0;
  #done: Promise<RequestEnd> | undefined;
  #resolveDone: (end: RequestEnd) => void = noop;
  #rejectDone: (error: unknown) => void = noop;
  #end: RequestEnd | undefined;
  #error: FastCgiError | undefined;

  constructor(highWaterMark: number, maxStderrBuffer: number, maxBodyBytes: number) {
    this.#highWaterMark = highWaterMark;
    this.#maxStderrBuffer = maxStderrBuffer;
    this.#maxBodyBytes = maxBodyBytes;
    this.response = new Promise((resolve, reject) => {
      this.#resolveHead = resolve;
      this.#rejectHead = reject;
    });
  }

  /** The exchange this handler serves (for resume and abort by the streams). */
  attach(exchange: Exchange): void {
    this.#exchange = exchange;
  }

  onHead(status: number, statusText: string, rawHeaders: readonly HeaderEntry[]): void {
    const exchange = this.#exchange as Exchange;
    const body = new ResponseBody(exchange, this.#highWaterMark, this.#maxBodyBytes);
    this.#body = body;
    this.#resolveHead(new HeadResponse(this, status, statusText, rawHeaders, body, exchange.request.role === Role.Authorizer));
  }

  onData(chunk: Buffer): boolean {
    return (this.#body as ResponseBody).push(chunk);
  }

  onStderr(chunk: Buffer): void {
    const stream = this.#stderr;
    if (stream !== undefined) {
      if (stream.readableLength + chunk.length <= this.#maxStderrBuffer) stream.push(chunk);
      return;
    }
    if (this.#stderrBytes + chunk.length > this.#maxStderrBuffer) return;
    this.#stderrBytes += chunk.length;
    (this.#stderrChunks ??= []).push(chunk);
  }

  onEnd(end: RequestEnd): void {
    this.#end = end;
    (this.#body as ResponseBody).end();
    this.#stderr?.push(null);
    this.#resolveDone(end);
  }

  onError(error: FastCgiError): void {
    this.#error = error;
    if (this.#body === undefined) {
      this.#rejectHead(error);
      return;
    }
    this.#body.fail(error);
    this.#stderr?.destroy(error);
    this.#rejectDone(error);
  }

  /** The STDERR stream, made at the first call (with what arrived so far). */
  stderrStream(): Readable {
    if (this.#stderr !== undefined) return this.#stderr;
    const stream = new Readable({ read: noop });
    stream.on('error', noop);
    this.#stderr = stream;
    for (const chunk of this.#stderrChunks ?? []) stream.push(chunk);
    this.#stderrChunks = undefined;
    if (this.#end !== undefined) stream.push(null);
    else if (this.#error !== undefined) stream.destroy(this.#error);
    return stream;
  }

  /** The `done` promise, made at the first call. */
  donePromise(): Promise<RequestEnd> {
    if (this.#done !== undefined) return this.#done;
    if (this.#end !== undefined) this.#done = Promise.resolve(this.#end);
    else if (this.#error !== undefined) this.#done = Promise.reject(this.#error);
    else {
      this.#done = new Promise((resolve, reject) => {
        this.#resolveDone = resolve;
        this.#rejectDone = reject;
      });
    }
    this.#done.catch(noop);
    return this.#done;
  }
}
