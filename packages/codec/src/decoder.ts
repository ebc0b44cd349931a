/**
 * The incremental push decoder: bytes in, complete records out.
 *
 * @module
 */
import { FCGI_HEADER_LENGTH, FCGI_VERSION_1, recordTypeName } from './constants.js';
import { CodecErrorCode, FastCgiProtocolError } from './errors.js';
import { DEFAULT_LIMITS, readLimit } from './limits.js';
import { decodeParams } from './pairs.js';
import type { DecodedRecord } from './records.js';
import type { TextEncoding } from './text.js';

/**
 * Options of {@link RecordDecoder}.
 *
 * @example
 * ```ts
 * new RecordDecoder({ maxValuesPairs: 16, copyContent: true } satisfies RecordDecoderOptions);
 * ```
 */
export interface RecordDecoderOptions {
  /** Pairs in one GET_VALUES or GET_VALUES_RESULT record (default 100); more throws ERR_FCGI_TOO_MANY_VALUES. */
  maxValuesPairs?: number;
  /** How GET_VALUES names and values become strings (default `'utf8'`). */
  encoding?: TextEncoding;
  /** Copy every record's content instead of returning views into pushed chunks (default false). */
  copyContent?: boolean;
}

const emptyBytes = new Uint8Array(0);

const enum Phase { Header, Content, Padding }

function bodyLengthError(type: number, requestId: number, length: number): FastCgiProtocolError {
  return new FastCgiProtocolError(CodecErrorCode.InvalidBodyLength, `${recordTypeName(type)} body must be 8 bytes, got ${length}`, { recordType: type, requestId });
}

/**
 * Turns a byte stream into records. Push chunks as they arrive, split anywhere; each
 * `push` returns the records it completed. Content is a view into the pushed chunk when
 * the record lay inside it, and a copy only when it spanned chunks; consumed input is never
 * retained. On a protocol error `push` throws a `FastCgiProtocolError` and the decoder is
 * poisoned: later calls throw ERR_FCGI_DECODER_POISONED.
 *
 * @example
 * ```ts
 * import { RecordDecoder } from '@fcgi/codec';
 * const decoder = new RecordDecoder();
 * socket.on('data', (chunk) => {
 *   for (const record of decoder.push(chunk)) handle(record);
 * });
 * socket.on('end', () => decoder.end()); // throws if a record was cut short
 * ```
 */
export class RecordDecoder {
  readonly #maxValuesPairs: number;
  readonly #encoding: TextEncoding;
  readonly #copyContent: boolean;
  readonly #header = new Uint8Array(FCGI_HEADER_LENGTH);
  #headerFilled = 0;
  #phase = Phase.Header;
  #type = 0;
  #requestId = 0;
  #content: Uint8Array = emptyBytes;
  #contentFilled = 0;
  #paddingLeft = 0;
  #failure: unknown = undefined;

  constructor(options: RecordDecoderOptions = {}) {
    this.#maxValuesPairs = readLimit('maxValuesPairs', options.maxValuesPairs, DEFAULT_LIMITS.maxValuesPairs);
    this.#encoding = options.encoding ?? 'utf8';
    this.#copyContent = options.copyContent === true;
  }

  /** True when the input so far ends exactly at a record boundary. */
  get idle(): boolean {
    return this.#phase === Phase.Header && this.#headerFilled === 0;
  }

  /**
   * Consumes a chunk; returns the records it completed, in order.
   *
   * @example
   * ```ts
   * const records = decoder.push(new Uint8Array([1, 2, 0, 1, 0, 0, 0, 0])); // [{ type: 2, requestId: 1 }]
   * ```
   */
  push(chunk: Uint8Array): DecodedRecord[] {
    if (this.#failure !== undefined) {
      throw new FastCgiProtocolError(CodecErrorCode.DecoderPoisoned, 'The record decoder already failed', { cause: this.#failure });
    }
    const records: DecodedRecord[] = [];
    try {
      this.#consume(chunk, records);
    } catch (error) {
      this.#failure = error;
      throw error;
    }
    return records;
  }

  /**
   * Declares the end of input; throws ERR_FCGI_TRUNCATED_RECORD when it stopped inside a
   * record.
   *
   * @example
   * ```ts
   * socket.on('end', () => decoder.end());
   * ```
   */
  end(): void {
    if (this.#failure !== undefined) {
      throw new FastCgiProtocolError(CodecErrorCode.DecoderPoisoned, 'The record decoder already failed', { cause: this.#failure });
    }
    if (!this.idle) {
      const where = this.#phase === Phase.Header ? 'a record header' : `${recordTypeName(this.#type)} record`;
      this.#failure = new FastCgiProtocolError(CodecErrorCode.TruncatedRecord, `Input ended inside ${where}`, this.#phase === Phase.Header ? {} : { recordType: this.#type, requestId: this.#requestId });
      throw this.#failure;
    }
  }

  #consume(chunk: Uint8Array, records: DecodedRecord[]): void {
    const length = chunk.length;
    let offset = 0;
    while (offset < length) {
      if (this.#phase === Phase.Header && this.#headerFilled === 0 && offset + FCGI_HEADER_LENGTH <= length) {
        offset = this.#fastRecord(chunk, offset, records);
      } else if (this.#phase === Phase.Header) {
        offset = this.#fillHeader(chunk, offset, records);
      } else if (this.#phase === Phase.Content) {
        offset = this.#fillContent(chunk, offset, records);
      } else {
        const skip = Math.min(this.#paddingLeft, length - offset);
        this.#paddingLeft -= skip;
        offset += skip;
        if (this.#paddingLeft === 0) this.#phase = Phase.Header;
      }
    }
  }

  /** Reads a header lying whole in `chunk`; emits the record at once when it lies whole there too. */
  #fastRecord(chunk: Uint8Array, offset: number, records: DecodedRecord[]): number {
    const contentLength = ((chunk[offset + 4] as number) << 8) | (chunk[offset + 5] as number);
    const paddingLength = chunk[offset + 6] as number;
    this.#startRecord(chunk[offset] as number, chunk[offset + 1] as number, ((chunk[offset + 2] as number) << 8) | (chunk[offset + 3] as number), contentLength);
    const contentStart = offset + FCGI_HEADER_LENGTH;
    const contentEnd = contentStart + contentLength;
    if (contentEnd <= chunk.length) {
      if (contentLength === 0) {
        // Empty records (ends of streams) share one empty array: no view per record.
        records.push(this.#build(emptyBytes));
      } else {
        const view = chunk.subarray(contentStart, contentEnd);
        // Uint8Array's own slice: a Node Buffer's slice() would return a view, not a copy.
        records.push(this.#build(this.#copyContent ? Uint8Array.prototype.slice.call(view) : view));
      }
      const paddingEnd = contentEnd + paddingLength;
      if (paddingEnd <= chunk.length) return paddingEnd;
      this.#paddingLeft = paddingEnd - chunk.length;
      this.#phase = Phase.Padding;
      return chunk.length;
    }
    this.#paddingLeft = paddingLength;
    this.#beginContent(contentLength, records);
    return contentStart;
  }

  #fillHeader(chunk: Uint8Array, offset: number, records: DecodedRecord[]): number {
    const header = this.#header;
    while (offset < chunk.length && this.#headerFilled < FCGI_HEADER_LENGTH) header[this.#headerFilled++] = chunk[offset++] as number;
    if (this.#headerFilled < FCGI_HEADER_LENGTH) return offset;
    this.#headerFilled = 0;
    const contentLength = ((header[4] as number) << 8) | (header[5] as number);
    this.#startRecord(header[0] as number, header[1] as number, ((header[2] as number) << 8) | (header[3] as number), contentLength);
    this.#paddingLeft = header[6] as number;
    this.#beginContent(contentLength, records);
    return offset;
  }

  #startRecord(version: number, type: number, requestId: number, contentLength: number): void {
    if (version !== FCGI_VERSION_1) {
      throw new FastCgiProtocolError(CodecErrorCode.InvalidVersion, `Unsupported FastCGI version ${version} (expected 1)`, { recordType: type, requestId });
    }
    if ((type === 1 || type === 3 || type === 11) && contentLength !== 8) throw bodyLengthError(type, requestId, contentLength);
    this.#type = type;
    this.#requestId = requestId;
  }

  #beginContent(contentLength: number, records: DecodedRecord[]): void {
    if (contentLength === 0) {
      records.push(this.#build(emptyBytes));
      this.#phase = this.#paddingLeft > 0 ? Phase.Padding : Phase.Header;
      return;
    }
    this.#content = new Uint8Array(contentLength);
    this.#contentFilled = 0;
    this.#phase = Phase.Content;
  }

  #fillContent(chunk: Uint8Array, offset: number, records: DecodedRecord[]): number {
    const content = this.#content;
    const take = Math.min(content.length - this.#contentFilled, chunk.length - offset);
    content.set(chunk.subarray(offset, offset + take), this.#contentFilled);
    this.#contentFilled += take;
    if (this.#contentFilled === content.length) {
      this.#content = emptyBytes;
      records.push(this.#build(content));
      this.#phase = this.#paddingLeft > 0 ? Phase.Padding : Phase.Header;
    }
    return offset + take;
  }

  #build(content: Uint8Array): DecodedRecord {
    const type = this.#type;
    const requestId = this.#requestId;
    switch (type) {
      case 1: {
        const flags = content[2] as number;
        return { type, requestId, role: ((content[0] as number) << 8) | (content[1] as number), keepConn: (flags & 1) === 1, flags };
      }
      case 2:
        return { type, requestId };
      case 3:
        return { type, requestId, appStatus: ((content[0] as number) * 0x1000000) + (((content[1] as number) << 16) | ((content[2] as number) << 8) | (content[3] as number)), protocolStatus: content[4] as number };
      case 4: case 5: case 6: case 7: case 8:
        return { type, requestId, content };
      case 9: case 10:
        return { type, requestId, pairs: this.#decodePairs(content) };
      case 11:
        return { type, requestId, unknownType: content[0] as number };
      default:
        return { type: 'unknown', rawType: type, requestId, content };
    }
  }

  #decodePairs(content: Uint8Array): ReturnType<typeof decodeParams> {
    return decodeParams(content, { maxParamsPairs: this.#maxValuesPairs, maxParamsBytes: 65535, encoding: this.#encoding }, { tooMany: CodecErrorCode.TooManyValues });
  }
}
