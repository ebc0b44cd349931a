/**
 * Request bodies (STDIN) and filter data (DATA): bytes, strings, Node Readables, async
 * iterables and web ReadableStreams, normalised to one source of byte chunks.
 *
 * @module
 */
import { ClientErrorCode, FastCgiClientError } from './errors.js';

/**
 * What `request({ body })` and `request({ data })` accept.
 *
 * @example
 * ```ts
 * const body: RequestBody = fs.createReadStream('upload.bin');
 * ```
 */
export type RequestBody =
  | string
  | Uint8Array
  | AsyncIterable<Uint8Array | string>
  | ReadableStream<Uint8Array>
  | null
  | undefined;

/**
 * A body ready to send: whole bytes (length known, replayable), or a stream of chunks.
 *
 * @example
 * ```ts
 * const source: BodySource = toBodySource('a=1'); // { kind: 'bytes', ... }
 * ```
 */
export type BodySource =
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array }
  | { readonly kind: 'stream'; readonly stream: ChunkStream };

const encoder = new TextEncoder();

/** The body of a request without one (shared: an empty array has nothing to change). */
const noBody: BodySource = Object.freeze({ kind: 'bytes', bytes: new Uint8Array(0) });

/**
 * A stream of byte chunks that remembers whether it was read from (and so cannot be replayed).
 *
 * @example
 * ```ts
 * const stream = new ChunkStream(readable);
 * for await (const chunk of stream.chunks()) write(chunk);
 * stream.started; // true
 * ```
 */
export class ChunkStream {
  readonly #iterable: AsyncIterable<unknown>;
  #started = false;

  constructor(iterable: AsyncIterable<unknown>) {
    this.#iterable = iterable;
  }

  /** True once a chunk was pulled: the stream can no longer be sent again. */
  get started(): boolean {
    return this.#started;
  }

  /** Yields the chunks as bytes; strings are UTF-8 encoded; anything else throws. */
  async *chunks(): AsyncGenerator<Uint8Array> {
    this.#started = true;
    for await (const chunk of this.#iterable) {
      if (typeof chunk === 'string') yield encoder.encode(chunk);
      else if (chunk instanceof Uint8Array) yield chunk;
      else throw new FastCgiClientError(ClientErrorCode.RequestBodyFailed, `A body chunk must be bytes or a string, got ${typeof chunk}`);
    }
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';
}

function isWebStream(value: unknown): value is ReadableStream<Uint8Array> {
  return typeof value === 'object' && value !== null && typeof (value as { getReader?: unknown }).getReader === 'function';
}

async function* readWebStream(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/**
 * Normalises a body; throws ERR_FCGI_INVALID_OPTION for anything else.
 *
 * @example
 * ```ts
 * toBodySource('hello'); // { kind: 'bytes', bytes: Uint8Array(5) }
 * toBodySource(fs.createReadStream('upload.bin')).kind; // 'stream'
 * ```
 */
export function toBodySource(body: RequestBody, name = 'body'): BodySource {
  if (body === undefined || body === null) return noBody;
  if (typeof body === 'string') return { kind: 'bytes', bytes: encoder.encode(body) };
  if (body instanceof Uint8Array) return { kind: 'bytes', bytes: body };
  if (isAsyncIterable(body)) return { kind: 'stream', stream: new ChunkStream(body) };
  if (isWebStream(body)) return { kind: 'stream', stream: new ChunkStream(readWebStream(body)) };
  throw new FastCgiClientError(ClientErrorCode.InvalidOption, `request ${name} must be a string, Uint8Array, Readable, async iterable or ReadableStream`);
}

/**
 * True when the body can be sent again (bytes, or a stream not yet read from).
 *
 * @example
 * ```ts
 * isReplayable(toBodySource('x')); // true
 * ```
 */
export function isReplayable(source: BodySource): boolean {
  return source.kind === 'bytes' || !source.stream.started;
}
