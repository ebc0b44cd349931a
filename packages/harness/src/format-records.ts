/**
 * The record transcript: raw FastCGI bytes (or records) in, one readable line per record
 * out, plus one trailing `!` line when the bytes end inside a record or break the protocol.
 * It never throws on bad input: problems are reported with the codec's typed error codes.
 *
 * Line format (documented in full in docs/cli.md, under `fcgi decode`, which prints these lines):
 *
 * ```text
 * BEGIN_REQUEST     id=1 len=8 pad=0  role=RESPONDER keepConn=true
 * PARAMS            id=1 len=42 pad=6  REQUEST_METHOD=GET SCRIPT_NAME=/index.php
 * PARAMS            id=1 len=0 pad=0  end of stream (2 pairs)
 * STDIN             id=1 len=0 pad=0  end of stream
 * STDOUT            id=1 len=23 pad=1  "Status: 200 OK\r\n\r\nhello"
 * END_REQUEST       id=1 len=8 pad=0  appStatus=0 protocolStatus=REQUEST_COMPLETE
 * ! ERR_FCGI_TRUNCATED_RECORD at byte 144: Input ended inside STDOUT record (request id 1, 12 of 48 bytes)
 * ```
 *
 * @module
 */
import {
  type FcgiRecord,
  type NameValuePair,
  FCGI_HEADER_LENGTH,
  FastCgiError,
  ParamsDecoder,
  RecordDecoder,
  encodeRecord,
} from '@fcgi/codec';
import { type ParamsFacts, type TranscriptError, formatLine, toNameValuePair, typeNameOf } from './format-line.js';

export { type TranscriptError } from './format-line.js';

/**
 * Options of {@link formatRecords}, {@link describeRecords} and {@link RecordTranscriber}.
 *
 * @example
 * ```ts
 * formatRecords(bytes, { previewLength: 200 } satisfies FormatRecordsOptions);
 * ```
 */
export interface FormatRecordsOptions {
  /** About how many characters of preview each line shows (default 96; `Infinity` for everything). */
  previewLength?: number;
}

/**
 * One transcribed record: the record, where it was and how long, and its line.
 *
 * @example
 * ```ts
 * const [entry] = describeRecords(bytes).entries;
 * entry.typeName; // 'BEGIN_REQUEST'
 * entry.line; // 'BEGIN_REQUEST     id=1 len=8 pad=0  role=RESPONDER keepConn=true'
 * ```
 */
export interface RecordEntry {
  /** The decoded record. */
  readonly record: FcgiRecord;
  /** The spec's type name (`STDOUT`, `UNKNOWN(42)`...). */
  readonly typeName: string;
  /** The wire type value (1-255). */
  readonly typeValue: number;
  /** Byte offset of the record's header in the capture (undefined for records input). */
  readonly offset: number | undefined;
  /** The header's content length (computed for records input; undefined if not encodable). */
  readonly contentLength: number | undefined;
  /** The header's padding length (undefined for records input). */
  readonly paddingLength: number | undefined;
  /** PARAMS: the pairs this record completed. GET_VALUES(_RESULT): the record's pairs. */
  readonly pairs: readonly NameValuePair[] | undefined;
  /** The empty PARAMS record ending a stream: the number of pairs in the stream. */
  readonly paramsTotal: number | undefined;
  /** PARAMS: the stream's decoding error, on the record where it happened. */
  readonly paramsError: TranscriptError | undefined;
  /** The transcript line of this record. */
  readonly line: string;
}

/**
 * Why a capture could not be read to its end: a record cut short, or bytes that are not
 * FastCGI. Records before it are transcribed; nothing after it is.
 *
 * @example
 * ```ts
 * const { problem } = describeRecords(new Uint8Array([1, 6, 0, 1]));
 * problem?.code; // 'ERR_FCGI_TRUNCATED_RECORD'
 * ```
 */
export interface TranscriptProblem extends TranscriptError {
  /** Byte offset where the offending record starts. */
  readonly offset: number;
  /** The trailing transcript line: `! CODE at byte N: message`. */
  readonly line: string;
}

/**
 * A transcript as data.
 *
 * @example
 * ```ts
 * const { entries, problem } = describeRecords(bytes);
 * ```
 */
export interface RecordTranscript {
  readonly entries: readonly RecordEntry[];
  readonly problem: TranscriptProblem | undefined;
}

interface ParamsStream {
  readonly decoder: ParamsDecoder;
  total: number;
  failed: boolean;
}

const emptyBytes = new Uint8Array(0);
const defaultPreviewLength = 96;

function asTranscriptError(error: unknown): TranscriptError {
  if (FastCgiError.is(error)) return { code: error.code, message: error.message };
  return { code: 'ERR_FCGI_DECODE_FAILED', message: error instanceof Error ? error.message : String(error) };
}

function concat(first: Uint8Array, second: Uint8Array): Uint8Array {
  if (first.length === 0) return second;
  const joined = new Uint8Array(first.length + second.length);
  joined.set(first, 0);
  joined.set(second, first.length);
  return joined;
}

function recordSize(bytes: Uint8Array): number {
  const contentLength = ((bytes[4] as number) << 8) | (bytes[5] as number);
  return FCGI_HEADER_LENGTH + contentLength + (bytes[6] as number);
}

function encodedContentLength(record: FcgiRecord): number | undefined {
  if ('content' in record) return record.content.length;
  try {
    return encodeRecord(record, { pad: false }).length - FCGI_HEADER_LENGTH;
  } catch {
    return undefined;
  }
}

/**
 * An incremental transcriber: push a capture's bytes in chunks as they arrive (split
 * anywhere), get one {@link RecordEntry} per complete record, and call `end()` at the end
 * of input to learn whether it ended cleanly. PARAMS streams are decoded per request id,
 * so a pair split across records is shown on the record that completes it. After a
 * problem, `push` returns nothing more. It never throws on bad bytes.
 *
 * @example
 * ```ts
 * import { RecordTranscriber } from '@fcgi/harness';
 * const transcriber = new RecordTranscriber();
 * for await (const chunk of process.stdin) for (const entry of transcriber.push(chunk)) console.log(entry.line);
 * const problem = transcriber.end();
 * if (problem !== undefined) console.error(problem.line);
 * ```
 */
export class RecordTranscriber {
  readonly #previewLength: number;
  readonly #decoder = new RecordDecoder();
  readonly #params = new Map<number, ParamsStream>();
  #pending: Uint8Array = emptyBytes;
  #offset = 0;
  #probedOffset = -1;
  #problem: TranscriptProblem | undefined = undefined;

  constructor(options: FormatRecordsOptions = {}) {
    const previewLength = options.previewLength ?? defaultPreviewLength;
    this.#previewLength = Number.isNaN(previewLength) ? defaultPreviewLength : Math.max(8, previewLength);
  }

  /** The problem met so far, if any. */
  get problem(): TranscriptProblem | undefined {
    return this.#problem;
  }

  /**
   * Consumes the next chunk of the capture; returns the records it completed.
   *
   * @example
   * ```ts
   * transcriber.push(chunk).forEach((entry) => console.log(entry.line));
   * ```
   */
  push(chunk: Uint8Array): RecordEntry[] {
    if (this.#problem !== undefined) return [];
    let pending = concat(this.#pending, chunk);
    const entries: RecordEntry[] = [];
    while (pending.length >= FCGI_HEADER_LENGTH && this.#problem === undefined) {
      const size = recordSize(pending);
      if (pending.length < size) {
        this.#probeHeader(pending);
        break;
      }
      const entry = this.#decodeOne(pending.subarray(0, size));
      if (entry !== undefined) entries.push(entry);
      this.#offset += size;
      pending = pending.subarray(size);
    }
    this.#pending = this.#problem === undefined ? pending : emptyBytes;
    return entries;
  }

  /**
   * Declares the end of the capture; returns the problem (a record cut short, or an
   * earlier protocol error), or undefined when it ended at a record boundary.
   *
   * @example
   * ```ts
   * const problem = transcriber.end();
   * if (problem) console.error(problem.line);
   * ```
   */
  end(): TranscriptProblem | undefined {
    if (this.#problem !== undefined || this.#pending.length === 0) return this.#problem;
    const pending = this.#pending;
    this.#pending = emptyBytes;
    try {
      this.#decoder.push(pending);
      this.#decoder.end();
    } catch (error) {
      this.#fail(error, this.#truncationDetail(pending));
    }
    return this.#problem;
  }

  /** Reports a bad header as soon as it is seen, without waiting for its content. */
  #probeHeader(pending: Uint8Array): void {
    if (this.#probedOffset === this.#offset) return;
    this.#probedOffset = this.#offset;
    try {
      new RecordDecoder().push(pending.subarray(0, FCGI_HEADER_LENGTH));
    } catch (error) {
      this.#fail(error, '');
    }
  }

  #truncationDetail(pending: Uint8Array): string {
    if (pending.length < FCGI_HEADER_LENGTH) return ` (${pending.length} of ${FCGI_HEADER_LENGTH} header bytes)`;
    const requestId = ((pending[2] as number) << 8) | (pending[3] as number);
    return ` (request id ${requestId}, ${pending.length} of ${recordSize(pending)} bytes)`;
  }

  #fail(error: unknown, detail: string): void {
    const { code, message } = asTranscriptError(error);
    const fullMessage = `${message}${detail}`;
    this.#problem = { code, message: fullMessage, offset: this.#offset, line: `! ${code} at byte ${this.#offset}: ${fullMessage}` };
  }

  #decodeOne(bytes: Uint8Array): RecordEntry | undefined {
    let records: FcgiRecord[];
    try {
      records = this.#decoder.push(bytes);
    } catch (error) {
      this.#fail(error, '');
      return undefined;
    }
    const record = records[0];
    if (record === undefined) return undefined;
    return this.describe(record, this.#offset, ((bytes[4] as number) << 8) | (bytes[5] as number), bytes[6]);
  }

  /**
   * Describes one already-decoded record (used for records input; tracks PARAMS streams
   * the same way as bytes input).
   *
   * @example
   * ```ts
   * transcriber.describe({ type: 2, requestId: 1 }).line; // 'ABORT_REQUEST     id=1 len=0'
   * ```
   */
  describe(record: FcgiRecord, offset?: number, contentLength?: number, paddingLength?: number): RecordEntry {
    const length = contentLength ?? encodedContentLength(record);
    const params = record.type === 4 ? this.#trackParams(record.requestId, record.content) : undefined;
    if (record.type === 1) this.#params.delete(record.requestId);
    const pairs = record.type === 9 || record.type === 10 ? record.pairs.map(toNameValuePair) : params?.pairs;
    const line = formatLine({ record, contentLength: length, paddingLength, params, previewLength: this.#previewLength });
    const typeValue = record.type === 'unknown' ? record.rawType : record.type;
    return { record, typeName: typeNameOf(record), typeValue, offset, contentLength: length, paddingLength, pairs, paramsTotal: params?.total, paramsError: params?.error, line };
  }

  #trackParams(requestId: number, content: Uint8Array): ParamsFacts {
    const stream = this.#params.get(requestId) ?? { decoder: new ParamsDecoder(), total: 0, failed: false };
    this.#params.set(requestId, stream);
    if (content.length === 0) this.#params.delete(requestId);
    if (stream.failed) return { pairs: [], total: content.length === 0 ? stream.total : undefined, error: undefined, undecodable: true };
    try {
      const pairs = content.length === 0 ? (stream.decoder.end(), []) : stream.decoder.push(content);
      stream.total += pairs.length;
      return { pairs, total: content.length === 0 ? stream.total : undefined, error: undefined, undecodable: false };
    } catch (error) {
      stream.failed = true;
      return { pairs: [], total: content.length === 0 ? stream.total : undefined, error: asTranscriptError(error), undecodable: false };
    }
  }
}

function isRecordArray(input: Uint8Array | readonly FcgiRecord[]): input is readonly FcgiRecord[] {
  return Array.isArray(input);
}

/**
 * Transcribes a whole capture (or a list of records) into entries and the problem, if any.
 *
 * @example
 * ```ts
 * import { describeRecords } from '@fcgi/harness';
 * const { entries, problem } = describeRecords(capturedBytes);
 * entries.map((entry) => entry.typeName); // ['BEGIN_REQUEST', 'PARAMS', ...]
 * ```
 */
export function describeRecords(input: Uint8Array | readonly FcgiRecord[], options: FormatRecordsOptions = {}): RecordTranscript {
  const transcriber = new RecordTranscriber(options);
  if (isRecordArray(input)) return { entries: input.map((record) => transcriber.describe(record)), problem: undefined };
  const entries = transcriber.push(input);
  return { entries, problem: transcriber.end() };
}

/**
 * A readable transcript of raw FastCGI bytes or of decoded records: one line per record
 * (type name, request id, content and padding lengths where known, and a preview), then
 * one `! CODE at byte N: message` line if the bytes end inside a record or break the
 * protocol. Lines are joined with `\n`, with no trailing newline. Never throws on bad bytes.
 * Given decoded records instead of bytes, lines have no `pad=` (padding is not part of the
 * record model) and `len=` is the content length the record encodes to.
 *
 * @example
 * ```ts
 * import { formatRecords } from '@fcgi/harness';
 * import { encodeRecord } from '@fcgi/codec';
 * console.log(formatRecords(encodeRecord({ type: 3, requestId: 1, appStatus: 0, protocolStatus: 0 })));
 * // END_REQUEST       id=1 len=8 pad=0  appStatus=0 protocolStatus=REQUEST_COMPLETE
 * ```
 */
export function formatRecords(input: Uint8Array | readonly FcgiRecord[], options: FormatRecordsOptions = {}): string {
  const { entries, problem } = describeRecords(input, options);
  const lines = entries.map((entry) => entry.line);
  if (problem !== undefined) lines.push(problem.line);
  return lines.join('\n');
}
