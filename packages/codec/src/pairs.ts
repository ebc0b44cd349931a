/**
 * Name-value pairs (PARAMS, GET_VALUES, GET_VALUES_RESULT): a one-shot decoder, an
 * incremental decoder for a PARAMS stream split at any byte, and the encoder.
 *
 * Names and values are bytes. Each decoded pair keeps its raw bytes (`nameBytes`,
 * `valueBytes`) and also gives them as strings, UTF-8 by default (invalid sequences become
 * U+FFFD in the string only) or byte-exact latin1 with `encoding: 'latin1'`.
 *
 * @module
 */
import { CodecErrorCode, FastCgiLimitError, FastCgiProtocolError } from './errors.js';
import { DEFAULT_LIMITS, readLimit } from './limits.js';
import { type TextEncoding, decodeInterned, decodeText } from './text.js';

/**
 * One decoded name-value pair.
 *
 * @example
 * ```ts
 * const [pair] = decodeParams(bytes);
 * pair.name; // 'SCRIPT_NAME'
 * pair.valueBytes; // the exact bytes received
 * ```
 */
export interface NameValuePair {
  /** The name as text (see `encoding`). */
  readonly name: string;
  /** The value as text (see `encoding`). */
  readonly value: string;
  /** The name's exact bytes (a plain Uint8Array, a view into the input where it lay in one piece). */
  readonly nameBytes: Uint8Array;
  /** The value's exact bytes (a plain Uint8Array, a view into the input where it lay in one piece). */
  readonly valueBytes: Uint8Array;
}

/**
 * Options of {@link decodeParams} and {@link ParamsDecoder}.
 *
 * @example
 * ```ts
 * const options: ParamsDecoderOptions = { maxParamsBytes: 128 * 1024, maxParamsPairs: 500, encoding: 'utf8' };
 * new ParamsDecoder(options);
 * ```
 */
export interface ParamsDecoderOptions {
  /** Total bytes of the stream (default 256 KiB); more throws ERR_FCGI_PARAMS_TOO_LARGE. */
  maxParamsBytes?: number;
  /** Pairs in the stream (default 1000); more throws ERR_FCGI_TOO_MANY_PARAMS. */
  maxParamsPairs?: number;
  /** How names and values become strings: `'utf8'` (default) or byte-exact `'latin1'`. */
  encoding?: TextEncoding;
}

const emptyBytes = new Uint8Array(0);

/**
 * A plain Uint8Array view of `length` bytes of `bytes` at `start`. Pair bytes are always
 * plain Uint8Arrays, also when the input is a Node Buffer, whose own `subarray` (a
 * FastBuffer) costs more than twice as much per view.
 */
function view(bytes: Uint8Array, start: number, length: number): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset + start, length);
}

/** Makes a pair object from its raw bytes. */
export function makePair(nameBytes: Uint8Array, valueBytes: Uint8Array, encoding: TextEncoding): NameValuePair {
  return {
    name: decodeInterned(nameBytes, encoding),
    value: decodeText(valueBytes, 0, valueBytes.length, encoding),
    nameBytes,
    valueBytes,
  };
}

function readLength(bytes: Uint8Array, offset: number, end: number): number {
  const first = bytes[offset] as number;
  if (first < 0x80) return first;
  if (offset + 4 > end) return -1;
  return ((first & 0x7f) * 0x1000000) + ((bytes[offset + 1] as number) << 16) + ((bytes[offset + 2] as number) << 8) + (bytes[offset + 3] as number);
}

function truncated(what: string): FastCgiProtocolError {
  return new FastCgiProtocolError(CodecErrorCode.InvalidParams, `Name-value pair truncated: ${what} runs past the end of the data`);
}

/** Internal: which limit code a pair-count overflow raises (PARAMS or GET_VALUES). */
export interface PairLimitCodes {
  tooMany: string;
}

/**
 * Decodes a complete block of name-value pairs. Lengths that run past the end throw
 * ERR_FCGI_INVALID_PARAMS; nothing is ever read out of bounds. Returned bytes are views
 * into `bytes`.
 *
 * @example
 * ```ts
 * import { decodeParams, encodeParams } from '@fcgi/codec';
 * decodeParams(encodeParams({ REQUEST_METHOD: 'GET' }))[0].value; // 'GET'
 * ```
 */
export function decodeParams(bytes: Uint8Array, options: ParamsDecoderOptions = {}, codes: PairLimitCodes = { tooMany: CodecErrorCode.TooManyParams }): NameValuePair[] {
  const maxBytes = readLimit('maxParamsBytes', options.maxParamsBytes, DEFAULT_LIMITS.maxParamsBytes);
  const maxPairs = readLimit('maxParamsPairs', options.maxParamsPairs, DEFAULT_LIMITS.maxParamsPairs);
  const encoding = options.encoding ?? 'utf8';
  if (bytes.length > maxBytes) {
    throw new FastCgiLimitError(CodecErrorCode.ParamsTooLarge, `Params of ${bytes.length} bytes exceed maxParamsBytes (${maxBytes})`, { limit: maxBytes });
  }
  const pairs: NameValuePair[] = [];
  const end = bytes.length;
  let offset = 0;
  while (offset < end) {
    if (pairs.length === maxPairs) {
      throw new FastCgiLimitError(codes.tooMany, `More than ${maxPairs} name-value pairs`, { limit: maxPairs });
    }
    const nameLength = readLength(bytes, offset, end);
    if (nameLength < 0) throw truncated('the name length');
    offset += nameLength < 0x80 && (bytes[offset] as number) < 0x80 ? 1 : 4;
    if (offset >= end) throw truncated('the value length');
    const valueLength = readLength(bytes, offset, end);
    if (valueLength < 0) throw truncated('the value length');
    offset += (bytes[offset] as number) < 0x80 ? 1 : 4;
    if (nameLength > end - offset) throw truncated('the name');
    const nameBytes = view(bytes, offset, nameLength);
    offset += nameLength;
    if (valueLength > end - offset) throw truncated('the value');
    const valueBytes = view(bytes, offset, valueLength);
    offset += valueLength;
    pairs.push(makePair(nameBytes, valueBytes, encoding));
  }
  return pairs;
}

const enum ParamsState { NameLength, ValueLength, Name, Value }

/**
 * Incremental decoder of one PARAMS stream: push the content of each PARAMS record as it
 * arrives (a pair may be split at any byte), get the pairs completed so far, and call
 * `end()` at the empty PARAMS record. Limits are checked before bytes are buffered. After
 * an error it is poisoned: every later call throws ERR_FCGI_DECODER_POISONED.
 *
 * @example
 * ```ts
 * import { ParamsDecoder } from '@fcgi/codec';
 * const params = new ParamsDecoder({ maxParamsPairs: 200 });
 * const pairs = [...params.push(firstRecord.content), ...params.push(secondRecord.content)];
 * params.end(); // throws if a pair was cut short
 * ```
 */
export class ParamsDecoder {
  readonly #maxBytes: number;
  readonly #maxPairs: number;
  readonly #encoding: TextEncoding;
  #received = 0;
  #chunkBase = 0;
  #pairCount = 0;
  #state = ParamsState.NameLength;
  #nameLength = 0;
  #valueLength = 0;
  #nameBytes: Uint8Array = emptyBytes;
  readonly #lengthBuffer = new Uint8Array(4);
  #lengthFilled = 0;
  #field: Uint8Array = emptyBytes;
  #fieldFilled = 0;
  /** True while `#field` (or the finished `#nameBytes`) is a view into the chunk being pushed. */
  #fieldIsView = false;
  #nameIsView = false;
  #failure: unknown = undefined;

  constructor(options: ParamsDecoderOptions = {}) {
    this.#maxBytes = readLimit('maxParamsBytes', options.maxParamsBytes, DEFAULT_LIMITS.maxParamsBytes);
    this.#maxPairs = readLimit('maxParamsPairs', options.maxParamsPairs, DEFAULT_LIMITS.maxParamsPairs);
    this.#encoding = options.encoding ?? 'utf8';
  }

  /** Bytes pushed so far. */
  get bytesReceived(): number {
    return this.#received;
  }

  /** Pairs completed so far. */
  get pairCount(): number {
    return this.#pairCount;
  }

  /**
   * Consumes the next piece of the stream; returns the pairs it completed.
   *
   * @example
   * ```ts
   * decoder.push(record.content).forEach((pair) => console.log(pair.name, pair.value));
   * ```
   */
  push(chunk: Uint8Array): NameValuePair[] {
    this.#assertUsable();
    try {
      return this.#consume(chunk);
    } catch (error) {
      this.#failure = error;
      throw error;
    }
  }

  /**
   * Marks the end of the stream; throws ERR_FCGI_INVALID_PARAMS if a pair was cut short.
   *
   * @example
   * ```ts
   * if (record.content.length === 0) decoder.end();
   * ```
   */
  end(): void {
    this.#assertUsable();
    if (this.#state !== ParamsState.NameLength || this.#lengthFilled !== 0) {
      this.#failure = truncated('a pair');
      throw this.#failure;
    }
  }

  #assertUsable(): void {
    if (this.#failure !== undefined) {
      throw new FastCgiProtocolError(CodecErrorCode.DecoderPoisoned, 'The params decoder already failed', { cause: this.#failure });
    }
  }

  #consume(chunk: Uint8Array): NameValuePair[] {
    this.#chunkBase = this.#received;
    this.#received += chunk.length;
    if (this.#received > this.#maxBytes) {
      throw new FastCgiLimitError(CodecErrorCode.ParamsTooLarge, `Params exceed maxParamsBytes (${this.#maxBytes})`, { limit: this.#maxBytes });
    }
    const pairs: NameValuePair[] = [];
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#state === ParamsState.NameLength && this.#lengthFilled === 0) {
        offset = this.#wholePairs(chunk, offset, pairs);
        if (offset === chunk.length) break;
      }
      if (this.#state === ParamsState.NameLength || this.#state === ParamsState.ValueLength) {
        offset = this.#readLength(chunk, offset);
      } else {
        offset = this.#readField(chunk, offset);
      }
      this.#settle(pairs);
    }
    if (this.#state === ParamsState.Value && this.#nameIsView) {
      // The name lies in this chunk but its value continues in the next: keep a copy, as
      // the caller may reuse the chunk's memory once push returns.
      this.#nameBytes = Uint8Array.prototype.slice.call(this.#nameBytes);
      this.#nameIsView = false;
    }
    return pairs;
  }

  /**
   * Fast path: decodes the pairs lying whole in `chunk` from `offset` on and returns the
   * offset after the last of them. It stops (consuming nothing more) at a pair that does not
   * lie whole there or that breaks a limit, for the general state machine to handle (and to
   * raise the same error).
   */
  #wholePairs(chunk: Uint8Array, offset: number, pairs: NameValuePair[]): number {
    const end = chunk.length;
    const buffer = chunk.buffer;
    const byteOffset = chunk.byteOffset;
    const room = this.#maxBytes - this.#chunkBase;
    const encoding = this.#encoding;
    while (offset < end && this.#pairCount !== this.#maxPairs) {
      let cursor = offset;
      let nameLength = chunk[cursor] as number;
      if (nameLength < 0x80) cursor += 1;
      else {
        nameLength = readLength(chunk, cursor, end);
        if (nameLength < 0) break;
        cursor += 4;
      }
      if (cursor >= end || nameLength > room - cursor) break;
      let valueLength = chunk[cursor] as number;
      if (valueLength < 0x80) cursor += 1;
      else {
        valueLength = readLength(chunk, cursor, end);
        if (valueLength < 0) break;
        cursor += 4;
      }
      if (valueLength > room - cursor || nameLength + valueLength > end - cursor) break;
      const nameEnd = cursor + nameLength;
      const nameBytes = nameLength === 0 ? emptyBytes : new Uint8Array(buffer, byteOffset + cursor, nameLength);
      const valueBytes = valueLength === 0 ? emptyBytes : new Uint8Array(buffer, byteOffset + nameEnd, valueLength);
      pairs.push(makePair(nameBytes, valueBytes, encoding));
      this.#pairCount++;
      offset = nameEnd + valueLength;
    }
    return offset;
  }

  #readLength(chunk: Uint8Array, offset: number): number {
    if (this.#state === ParamsState.NameLength && this.#lengthFilled === 0 && this.#pairCount === this.#maxPairs) {
      throw new FastCgiLimitError(CodecErrorCode.TooManyParams, `More than ${this.#maxPairs} name-value pairs`, { limit: this.#maxPairs });
    }
    if (this.#lengthFilled === 0) {
      const first = chunk[offset] as number;
      if (first < 0x80) return this.#onLength(first, offset + 1);
      const value = readLength(chunk, offset, chunk.length);
      if (value >= 0) return this.#onLength(value, offset + 4);
    }
    const buffer = this.#lengthBuffer;
    while (offset < chunk.length && this.#lengthFilled < 4) buffer[this.#lengthFilled++] = chunk[offset++] as number;
    if (this.#lengthFilled < 4) return offset;
    this.#lengthFilled = 0;
    return this.#onLength(readLength(buffer, 0, 4), offset);
  }

  #onLength(length: number, offset: number): number {
    const consumed = this.#chunkBase + offset;
    const pending = this.#state === ParamsState.ValueLength ? this.#nameLength : 0;
    if (length + pending > this.#maxBytes - consumed) {
      throw new FastCgiLimitError(CodecErrorCode.ParamsTooLarge, `A declared length of ${length} bytes exceeds maxParamsBytes (${this.#maxBytes})`, { limit: this.#maxBytes });
    }
    if (this.#state === ParamsState.NameLength) {
      this.#nameLength = length;
      this.#state = ParamsState.ValueLength;
    } else {
      this.#valueLength = length;
      this.#state = ParamsState.Name;
      this.#field = emptyBytes;
      this.#fieldFilled = 0;
    }
    return offset;
  }

  #readField(chunk: Uint8Array, offset: number): number {
    const length = this.#state === ParamsState.Name ? this.#nameLength : this.#valueLength;
    if (this.#fieldFilled === 0 && this.#field === emptyBytes && offset + length <= chunk.length) {
      this.#field = view(chunk, offset, length);
      this.#fieldFilled = length;
      this.#fieldIsView = true;
      return offset + length;
    }
    if (this.#field === emptyBytes) {
      this.#field = new Uint8Array(length);
      this.#fieldIsView = false;
    }
    const take = Math.min(length - this.#fieldFilled, chunk.length - offset);
    this.#field.set(chunk.subarray(offset, offset + take), this.#fieldFilled);
    this.#fieldFilled += take;
    return offset + take;
  }

  #settle(pairs: NameValuePair[]): void {
    for (;;) {
      if (this.#state === ParamsState.Name && this.#fieldFilled === this.#nameLength) {
        this.#nameBytes = this.#nameLength === 0 ? emptyBytes : this.#field;
        this.#nameIsView = this.#nameLength !== 0 && this.#fieldIsView;
        this.#state = ParamsState.Value;
        this.#field = emptyBytes;
        this.#fieldFilled = 0;
        continue;
      }
      if (this.#state === ParamsState.Value && this.#fieldFilled === this.#valueLength) {
        const valueBytes = this.#valueLength === 0 ? emptyBytes : this.#field;
        pairs.push(makePair(this.#nameBytes, valueBytes, this.#encoding));
        this.#pairCount++;
        this.#nameBytes = emptyBytes;
        this.#nameIsView = false;
        this.#field = emptyBytes;
        this.#fieldFilled = 0;
        this.#state = ParamsState.NameLength;
      }
      return;
    }
  }
}
