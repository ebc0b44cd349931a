/**
 * The body of one `request()` answer, read one of two ways: as a `Readable` (made at the
 * first read of `response.body`) or whole with `bytes()` / `text()` / `json()`. Until one
 * is chosen, the chunks are kept, with backpressure: once `highWaterMark` bytes are kept,
 * the connection pauses until someone reads.
 *
 * @module
 */
import { Readable } from 'node:stream';
import type { FastCgiError } from '@fcgi/codec';
import { ClientErrorCode, FastCgiClientError } from './errors.js';
import { invalidOption } from './options.js';
import type { BodyReadOptions } from './request-options.js';

/**
 * What the body needs of its request: resume a paused connection, give up on the request.
 *
 * @example
 * ```ts
 * const control: BodyControl = exchange; // an Exchange is one
 * ```
 */
export interface BodyControl {
  /** The consumer wants more: resumes the connection if the body paused it. */
  resume(): void;
  /** Ends the request with `error` (ABORT_REQUEST or a closed connection). */
  giveUp(error: FastCgiError): void;
}

/** A `bytes()` call waiting for END_REQUEST. */
interface Collector {
  readonly limit: number;
  resolve(bytes: Buffer): void;
  reject(error: unknown): void;
}

const emptyBody = Buffer.alloc(0);
const noop = (): void => {};

function bodyUsed(): FastCgiClientError {
  return new FastCgiClientError(ClientErrorCode.BodyUsed, 'The response body was already read: use either response.body or one of bytes(), text(), json(), once');
}

function responseTooLarge(limit: number): FastCgiClientError {
  return new FastCgiClientError(ClientErrorCode.ResponseTooLarge, `The response body is larger than maxBytes (${limit} bytes): read response.body as a stream, or raise maxBytes`, { limit });
}

/**
 * The body of one answer: `push` / `end` / `fail` from the request's handler, and the two
 * ways to read it, `stream()` and `bytes()`, of which only one may be used.
 *
 * @example
 * ```ts
 * const body = new ResponseBody(exchange, 65536, 16 * 1024 * 1024);
 * body.push(chunk); // from onData: false means "pause the connection"
 * body.end();
 * const bytes = await body.bytes(); // or body.stream()
 * ```
 */
export class ResponseBody {
  readonly #control: BodyControl;
  readonly #highWaterMark: number;
  readonly #maxBytes: number;
  /** Chunks kept until the stream is made or `bytes()` gathers them. */
  #chunks: Buffer[] | undefined;
  #keptBytes = 0;
  #stream: Readable | undefined;
  #collector: Collector | undefined;
  #used = false;
  #ended = false;
  #error: FastCgiError | undefined;

  constructor(control: BodyControl, highWaterMark: number, maxBytes: number) {
    this.#control = control;
    this.#highWaterMark = highWaterMark;
    this.#maxBytes = maxBytes;
  }

  /** True once `stream()` or `bytes()` was called. */
  get used(): boolean {
    return this.#used;
  }

  /** Body bytes arrived; false asks the connection to pause. */
  push(chunk: Buffer): boolean {
    if (this.#stream !== undefined) return this.#stream.push(chunk);
    this.#keptBytes += chunk.length;
    const collector = this.#collector;
    if (collector !== undefined && this.#keptBytes > collector.limit) {
      this.#chunks = undefined;
      this.#control.giveUp(responseTooLarge(collector.limit));
      return true;
    }
    (this.#chunks ??= []).push(chunk);
    return collector !== undefined || this.#keptBytes < this.#highWaterMark;
  }

  /** END_REQUEST arrived: the body is whole. */
  end(): void {
    this.#ended = true;
    if (this.#stream !== undefined) this.#stream.push(null);
    else if (this.#collector !== undefined) this.#collector.resolve(this.#whole());
  }

  /** The request failed after the head. */
  fail(error: FastCgiError): void {
    this.#error = error;
    if (this.#stream !== undefined) this.#stream.destroy(error);
    else if (this.#collector !== undefined) {
      this.#chunks = undefined;
      this.#collector.reject(error);
    }
  }

  /** The body as a Readable, made at the first call with what was kept; throws ERR_FCGI_BODY_USED after `bytes()`. */
  stream(): Readable {
    if (this.#stream !== undefined) return this.#stream;
    if (this.#used) throw bodyUsed();
    this.#used = true;
    const stream = new Readable({
      highWaterMark: this.#highWaterMark,
      read: () => this.#control.resume(),
      destroy: (error, callback) => {
        if (!this.#ended && this.#error === undefined) this.#control.giveUp(new FastCgiClientError(ClientErrorCode.Aborted, 'The response body was destroyed before the end of the response'));
        callback(error);
      },
    });
    stream.on('error', noop);
    this.#stream = stream;
    const chunks = this.#chunks;
    this.#chunks = undefined;
    if (chunks !== undefined) for (const chunk of chunks) stream.push(chunk);
    if (this.#ended) stream.push(null);
    else if (this.#error !== undefined) stream.destroy(this.#error);
    return stream;
  }

  /** The whole body, after END_REQUEST; rejects with ERR_FCGI_BODY_USED, ERR_FCGI_RESPONSE_TOO_LARGE or the request's error. */
  bytes(options?: BodyReadOptions): Promise<Buffer> {
    if (this.#used) return Promise.reject(bodyUsed());
    const maxBytes: unknown = options?.maxBytes;
    if (maxBytes !== undefined && (typeof maxBytes !== 'number' || !Number.isSafeInteger(maxBytes) || maxBytes < 0)) {
      return Promise.reject(invalidOption(`Option maxBytes must be a non-negative integer, got ${JSON.stringify(maxBytes) ?? typeof maxBytes}`));
    }
    const limit = maxBytes ?? this.#maxBytes;
    this.#used = true;
    if (this.#error !== undefined) return Promise.reject(this.#error);
    if (this.#keptBytes > limit) return this.#refuse(limit);
    if (this.#ended) return Promise.resolve(this.#whole());
    const done = new Promise<Buffer>((resolve, reject) => {
      this.#collector = { limit, resolve, reject };
    });
    this.#control.resume();
    return done;
  }

  #refuse(limit: number): Promise<Buffer> {
    this.#chunks = undefined;
    const error = responseTooLarge(limit);
    if (!this.#ended) this.#control.giveUp(error);
    return Promise.reject(error);
  }

  #whole(): Buffer {
    const chunks = this.#chunks;
    this.#chunks = undefined;
    if (chunks === undefined) return emptyBody;
    return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, this.#keptBytes);
  }
}
