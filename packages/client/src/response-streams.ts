/**
 * `request()` on top of `dispatch()`: the handler that turns the callbacks into the
 * {@link ClientResponse} promise, the body stream with backpressure, and (made only when
 * read) the STDERR stream and the `done` promise.
 *
 * @module
 */
import { Readable } from 'node:stream';
import { type FastCgiError, type HeaderEntry, Role } from '@fcgi/codec';
import type { DispatchHandler } from './dispatch.js';
import { ClientErrorCode, FastCgiClientError } from './errors.js';
import type { Exchange } from './exchange.js';
import { type ClientResponse, type RequestEnd, authorizerVariables, headerObject } from './request-options.js';

const noop = (): void => {};

/**
 * What `request()` resolves to: the head's fields and the body as own properties, STDERR
 * and `done` as getters that make them at the first read (a class, not an object literal
 * with accessors: those are slow to create).
 */
class HeadResponse implements ClientResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Readonly<Record<string, string | string[]>>;
  readonly rawHeaders: readonly HeaderEntry[];
  readonly body: Readable;
  declare readonly allowed?: boolean;
  declare readonly variables?: Readonly<Record<string, string>>;
  readonly #streams: StreamResponse;

  constructor(streams: StreamResponse, status: number, statusText: string, rawHeaders: readonly HeaderEntry[], body: Readable, authorizer: boolean) {
    this.#streams = streams;
    this.status = status;
    this.statusText = statusText;
    this.headers = headerObject(rawHeaders);
    this.rawHeaders = rawHeaders;
    this.body = body;
    if (authorizer) Object.assign(this, { allowed: status === 200, variables: authorizerVariables(rawHeaders) });
  }

  get stderr(): Readable {
    return this.#streams.stderrStream();
  }

  get done(): Promise<RequestEnd> {
    return this.#streams.donePromise();
  }
}

/**
 * The handler of one `request()`: resolves `response` at the head, pushes the body into a
 * Readable (pausing the connection when it is full), buffers STDERR up to
 * `maxStderrBuffer` bytes until the stream is first read.
 *
 * @example
 * ```ts
 * const streams = new StreamResponse(65536, 1048576);
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
  #exchange: Exchange | undefined;
  #body: Readable | undefined;
  #stderr: Readable | undefined;
  /** STDERR bytes that arrived before anyone asked for the stream. */
  #stderrChunks: Buffer[] | undefined;
  #stderrBytes = 0;
  #done: Promise<RequestEnd> | undefined;
  #resolveDone: (end: RequestEnd) => void = noop;
  #rejectDone: (error: unknown) => void = noop;
  #end: RequestEnd | undefined;
  #error: FastCgiError | undefined;

  constructor(highWaterMark: number, maxStderrBuffer: number) {
    this.#highWaterMark = highWaterMark;
    this.#maxStderrBuffer = maxStderrBuffer;
    this.response = new Promise((resolve, reject) => {
      this.#resolveHead = resolve;
      this.#rejectHead = reject;
    });
  }

  /** The exchange this handler serves (for resume and abort by the streams). */
  attach(exchange: Exchange): void {
    this.#exchange = exchange;
  }

  get #finished(): boolean {
    return this.#end !== undefined || this.#error !== undefined;
  }

  onHead(status: number, statusText: string, rawHeaders: readonly HeaderEntry[]): void {
    const body = new Readable({
      highWaterMark: this.#highWaterMark,
      read: () => this.#exchange?.resume(),
      destroy: (error, callback) => {
        if (!this.#finished) this.#exchange?.giveUp(new FastCgiClientError(ClientErrorCode.Aborted, 'The response body was destroyed before the end of the response'));
        callback(error);
      },
    });
    body.on('error', noop);
    this.#body = body;
    const authorizer = this.#exchange?.request.role === Role.Authorizer;
    this.#resolveHead(new HeadResponse(this, status, statusText, rawHeaders, body, authorizer));
  }

  onData(chunk: Buffer): boolean {
    return (this.#body as Readable).push(chunk);
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
    (this.#body as Readable).push(null);
    this.#stderr?.push(null);
    this.#resolveDone(end);
  }

  onError(error: FastCgiError): void {
    this.#error = error;
    if (this.#body === undefined) {
      this.#rejectHead(error);
      return;
    }
    this.#body.destroy(error);
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
