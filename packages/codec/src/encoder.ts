/**
 * Record encoding: one header writer shared by the one-shot encoder and the stream
 * framer, so both produce the same bytes.
 *
 * @module
 */
import { FCGI_HEADER_LENGTH, FCGI_KEEP_CONN, FCGI_MAX_CONTENT_LENGTH, FCGI_VERSION_1 } from './constants.js';
import { type EncodeParamsOptions, type MeasuredPairs, type ParamsInput, asciiParamsText, encodeParams, measurePairs, writeAsciiParamsText, writePairs } from './encode-pairs.js';
import { CodecErrorCode, FastCgiArgumentError } from './errors.js';
import type { FcgiRecord, StreamRecordType } from './records.js';
import type { TextEncoding } from './text.js';

/**
 * Padding options shared by every encoder.
 *
 * @example
 * ```ts
 * encodeRecord(record, { pad: false } satisfies PaddingOptions); // no padding at all
 * ```
 */
export interface PaddingOptions {
  /** Pad each record so the next starts on an 8-byte boundary (default true). */
  pad?: boolean;
  /** An exact padding length (0-255) for every record, overriding `pad` (for tests and fault injection). */
  paddingLength?: number;
}

/**
 * Options of {@link encodeRecord}.
 *
 * @example
 * ```ts
 * encodeRecord({ type: 6, requestId: 1, content }, { paddingLength: 255 } satisfies EncodeRecordOptions);
 * ```
 */
export interface EncodeRecordOptions extends PaddingOptions, EncodeParamsOptions {}

const zeroPadding = new Uint8Array(255);
const emptyContent = new Uint8Array(0);

/** Below this many content bytes a framed record is copied into one buffer instead of framed as views. */
const copyThreshold = 8192;

/**
 * Framed records of up to `slabMaxPiece` bytes are cut from a shared zero-filled slab (as
 * Node's Buffer pool does) instead of one allocation each; every byte of a slab is handed
 * out once, so pieces never overlap and padding stays zero.
 */
const slabSize = 16 * 1024;
const slabMaxPiece = 4 * 1024;
let slab = new ArrayBuffer(slabSize);
let slabUsed = 0;

function allocate(length: number): Uint8Array {
  if (length > slabMaxPiece) return new Uint8Array(length);
  // A transferred (detached) slab has byteLength 0: start a new one.
  if (slabUsed + length > slab.byteLength) {
    slab = new ArrayBuffer(slabSize);
    slabUsed = 0;
  }
  const bytes = new Uint8Array(slab, slabUsed, length);
  slabUsed += (length + 7) & ~7;
  return bytes;
}

function invalid(message: string, details?: { recordType?: number; requestId?: number }): FastCgiArgumentError {
  return new FastCgiArgumentError(CodecErrorCode.InvalidRecord, message, details);
}

function checkInteger(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) throw invalid(`${name} must be an integer in 0..${max}, got ${String(value)}`);
}

/**
 * The padding length for a record with `contentLength` bytes of content.
 *
 * @example
 * ```ts
 * paddingLengthFor(5); // 3
 * paddingLengthFor(5, { pad: false }); // 0
 * ```
 */
export function paddingLengthFor(contentLength: number, options: PaddingOptions = {}): number {
  if (options.paddingLength !== undefined) {
    checkInteger('paddingLength', options.paddingLength, 255);
    return options.paddingLength;
  }
  return options.pad === false ? 0 : (8 - (contentLength & 7)) & 7;
}

/**
 * Writes an 8-byte record header into `target` at `offset`.
 *
 * @example
 * ```ts
 * const header = new Uint8Array(8);
 * writeHeader(header, 0, 6, 1, 5, 3); // STDOUT, request 1, 5 bytes, 3 of padding
 * ```
 */
export function writeHeader(target: Uint8Array, offset: number, type: number, requestId: number, contentLength: number, paddingLength: number): void {
  target[offset] = FCGI_VERSION_1;
  target[offset + 1] = type;
  target[offset + 2] = requestId >>> 8;
  target[offset + 3] = requestId & 0xff;
  target[offset + 4] = contentLength >>> 8;
  target[offset + 5] = contentLength & 0xff;
  target[offset + 6] = paddingLength;
  target[offset + 7] = 0;
}

function fixedBody(record: FcgiRecord): Uint8Array | undefined {
  switch (record.type) {
    case 1: {
      const flags = record.flags ?? (record.keepConn ? FCGI_KEEP_CONN : 0);
      checkInteger('role', record.role, 0xffff);
      checkInteger('flags', flags, 0xff);
      return new Uint8Array([record.role >>> 8, record.role & 0xff, flags, 0, 0, 0, 0, 0]);
    }
    case 3: {
      checkInteger('appStatus', record.appStatus, 0xffffffff);
      checkInteger('protocolStatus', record.protocolStatus, 0xff);
      const status = record.appStatus;
      return new Uint8Array([status >>> 24, (status >>> 16) & 0xff, (status >>> 8) & 0xff, status & 0xff, record.protocolStatus, 0, 0, 0]);
    }
    case 11:
      checkInteger('unknownType', record.unknownType, 0xff);
      return new Uint8Array([record.unknownType, 0, 0, 0, 0, 0, 0, 0]);
    default:
      return undefined;
  }
}

/**
 * The content bytes of a record (its body before padding).
 *
 * @example
 * ```ts
 * recordContent({ type: 2, requestId: 1 }).length; // 0
 * ```
 */
export function recordContent(record: FcgiRecord, options: EncodeParamsOptions = {}): Uint8Array {
  const fixed = fixedBody(record);
  if (fixed !== undefined) return fixed;
  switch (record.type) {
    case 2:
      return emptyContent;
    case 9:
    case 10:
      return encodeParams(record.pairs, options);
    case 1:
    case 3:
    case 11:
      throw invalid('unreachable');
    default:
      if (!(record.content instanceof Uint8Array)) throw invalid('A stream record needs `content` bytes');
      return record.content;
  }
}

/**
 * Encodes one record (header, content, padding) into a new buffer. Content over 65535
 * bytes throws ERR_FCGI_RECORD_TOO_LARGE: use {@link encodeStream} for streams.
 *
 * @example
 * ```ts
 * import { encodeRecord, RecordType, Role } from '@fcgi/codec';
 * const begin = encodeRecord({ type: RecordType.BeginRequest, requestId: 1, role: Role.Responder, keepConn: true });
 * const stdin = encodeRecord({ type: RecordType.Stdin, requestId: 1, content: new Uint8Array(0) });
 * ```
 */
export function encodeRecord(record: FcgiRecord, options: EncodeRecordOptions = {}): Uint8Array {
  const type = record.type === 'unknown' ? record.rawType : record.type;
  checkInteger('type', type, 0xff);
  checkInteger('requestId', record.requestId, 0xffff);
  const content = recordContent(record, options);
  if (content.length > FCGI_MAX_CONTENT_LENGTH) {
    throw new FastCgiArgumentError(CodecErrorCode.RecordTooLarge, `Record content of ${content.length} bytes exceeds ${FCGI_MAX_CONTENT_LENGTH}`, { recordType: type, requestId: record.requestId });
  }
  const paddingLength = paddingLengthFor(content.length, options);
  const bytes = new Uint8Array(FCGI_HEADER_LENGTH + content.length + paddingLength);
  writeHeader(bytes, 0, type, record.requestId, content.length, paddingLength);
  bytes.set(content, FCGI_HEADER_LENGTH);
  return bytes;
}

/**
 * Options of {@link encodeStream}.
 *
 * @example
 * ```ts
 * encodeStream(RecordType.Stdout, 1, body, { end: true, maxRecordLength: 32768 } satisfies EncodeStreamOptions);
 * ```
 */
export interface EncodeStreamOptions extends PaddingOptions {
  /** Also emit the empty record that ends the stream (default false). */
  end?: boolean;
  /** Most content bytes per record, 1-65535 (default 65535). */
  maxRecordLength?: number;
}

function frame(frames: Uint8Array[], type: number, requestId: number, content: Uint8Array, options: PaddingOptions): void {
  const paddingLength = paddingLengthFor(content.length, options);
  if (content.length < copyThreshold) {
    const bytes = allocate(FCGI_HEADER_LENGTH + content.length + paddingLength);
    writeHeader(bytes, 0, type, requestId, content.length, paddingLength);
    bytes.set(content, FCGI_HEADER_LENGTH);
    frames.push(bytes);
    return;
  }
  const header = new Uint8Array(FCGI_HEADER_LENGTH);
  writeHeader(header, 0, type, requestId, content.length, paddingLength);
  frames.push(header, content);
  if (paddingLength > 0) frames.push(zeroPadding.subarray(0, paddingLength));
}

/**
 * Frames stream content (PARAMS, STDIN, STDOUT, STDERR, DATA) as records of at most
 * `maxRecordLength` bytes, returning the pieces to write in order (for `writev`). Large
 * content is not copied: the pieces are its views, between new headers and shared zero
 * padding. Empty content produces no record unless `end` is set. Small records are cut
 * from a shared slab, as Node's Buffer pool does: a piece's `buffer` may hold other pieces,
 * so never transfer or detach it.
 *
 * @example
 * ```ts
 * import { encodeStream, RecordType } from '@fcgi/codec';
 * const pieces = encodeStream(RecordType.Stdout, 1, body, { end: true });
 * socket.cork(); pieces.forEach((piece) => socket.write(piece)); socket.uncork();
 * ```
 */
export function encodeStream(type: StreamRecordType, requestId: number, content: Uint8Array, options: EncodeStreamOptions = {}): Uint8Array[] {
  checkInteger('requestId', requestId, 0xffff);
  const maxLength = options.maxRecordLength ?? FCGI_MAX_CONTENT_LENGTH;
  if (!Number.isInteger(maxLength) || maxLength < 1 || maxLength > FCGI_MAX_CONTENT_LENGTH) {
    throw new FastCgiArgumentError(CodecErrorCode.InvalidOption, `maxRecordLength must be in 1..65535, got ${String(maxLength)}`);
  }
  const frames: Uint8Array[] = [];
  if (content.length <= maxLength) {
    if (content.length > 0) frame(frames, type, requestId, content, options);
  } else {
    for (let offset = 0; offset < content.length; offset += maxLength) {
      frame(frames, type, requestId, content.subarray(offset, Math.min(content.length, offset + maxLength)), options);
    }
  }
  if (options.end === true) frame(frames, type, requestId, emptyContent, options);
  return frames;
}

/**
 * Options of {@link encodeParamsStream}.
 *
 * @example
 * ```ts
 * encodeParamsStream(1, params, { keepPairsWhole: false, end: true } satisfies EncodeParamsStreamOptions);
 * ```
 */
export interface EncodeParamsStreamOptions extends PaddingOptions, EncodeParamsOptions {
  /** Never split a name-value pair across PARAMS records (default true; php-fpm needs it). */
  keepPairsWhole?: boolean;
  /** Also emit the empty PARAMS record that ends the stream (default true). */
  end?: boolean;
}

/**
 * Encodes a request's params as PARAMS records. By default no pair is split across
 * records (php-fpm parses each record on its own), so one pair larger than 65535 bytes
 * throws ERR_FCGI_PARAM_TOO_LARGE; `keepPairsWhole: false` splits anywhere.
 *
 * @example
 * ```ts
 * import { encodeParamsStream } from '@fcgi/codec';
 * const pieces = encodeParamsStream(1, { REQUEST_METHOD: 'GET', SCRIPT_FILENAME: '/srv/index.php' });
 * ```
 */
export function encodeParamsStream(requestId: number, params: ParamsInput, options: EncodeParamsStreamOptions = {}): Uint8Array[] {
  if (options.keepPairsWhole !== false && options.paddingLength === undefined && Number.isInteger(requestId) && requestId >= 0 && requestId <= 0xffff) {
    const frames = asciiParamsStream(requestId, params, options);
    if (frames !== undefined) return frames;
  }
  const encoding = options.encoding ?? 'utf8';
  const measured = measurePairs(params, encoding);
  const end = options.end !== false;
  if (options.keepPairsWhole !== false && measured.total < copyThreshold) return smallParamsStream(requestId, measured, encoding, end, options);
  const bytes = new Uint8Array(measured.total);
  const pairEnds: number[] = [];
  writePairs(measured, bytes, 0, encoding, pairEnds);
  if (options.keepPairsWhole === false) return encodeStream(4, requestId, bytes, { ...options, end });
  checkInteger('requestId', requestId, 0xffff);
  const frames: Uint8Array[] = [];
  let recordStart = 0;
  let pairStart = 0;
  for (const pairEnd of pairEnds) {
    if (pairEnd - pairStart > FCGI_MAX_CONTENT_LENGTH) {
      throw new FastCgiArgumentError(CodecErrorCode.ParamTooLarge, `A name-value pair of ${pairEnd - pairStart} bytes does not fit in one PARAMS record; pass keepPairsWhole: false to split it`);
    }
    if (pairEnd - recordStart > FCGI_MAX_CONTENT_LENGTH) {
      frame(frames, 4, requestId, bytes.subarray(recordStart, pairStart), options);
      recordStart = pairStart;
    }
    pairStart = pairEnd;
  }
  if (pairStart > recordStart) frame(frames, 4, requestId, bytes.subarray(recordStart, pairStart), options);
  if (end) frame(frames, 4, requestId, emptyContent, options);
  return frames;
}

/**
 * Fast path for ASCII params that fit one copied record (the usual request): built as one
 * string and written straight into the record with one `encodeInto`. Undefined (nothing
 * returned) when the params are anything else; the general path then does the work.
 */
function asciiParamsStream(requestId: number, params: ParamsInput, options: EncodeParamsStreamOptions): Uint8Array[] | undefined {
  const ascii = asciiParamsText(params, copyThreshold);
  if (ascii === undefined) return undefined;
  const total = ascii.text.length;
  const frames: Uint8Array[] = [];
  if (total > 0) {
    const paddingLength = options.pad === false ? 0 : (8 - (total & 7)) & 7;
    const bytes = allocate(FCGI_HEADER_LENGTH + total + paddingLength);
    if (writeAsciiParamsText(ascii, bytes, FCGI_HEADER_LENGTH) !== FCGI_HEADER_LENGTH + total) return undefined;
    writeHeader(bytes, 0, 4, requestId, total, paddingLength);
    frames.push(bytes);
  }
  if (options.end !== false) frame(frames, 4, requestId, emptyContent, options);
  return frames;
}

/** Params that fit one copied record: the pairs are written straight into it (same bytes as `frame`). */
function smallParamsStream(requestId: number, measured: MeasuredPairs, encoding: TextEncoding, end: boolean, options: PaddingOptions): Uint8Array[] {
  checkInteger('requestId', requestId, 0xffff);
  const frames: Uint8Array[] = [];
  if (measured.total > 0) {
    const paddingLength = paddingLengthFor(measured.total, options);
    const bytes = allocate(FCGI_HEADER_LENGTH + measured.total + paddingLength);
    writeHeader(bytes, 0, 4, requestId, measured.total, paddingLength);
    writePairs(measured, bytes, FCGI_HEADER_LENGTH, encoding);
    frames.push(bytes);
  }
  if (end) frame(frames, 4, requestId, emptyContent, options);
  return frames;
}

/**
 * Joins pieces into one buffer (for tests, or transports without `writev`).
 *
 * @example
 * ```ts
 * concatBytes([new Uint8Array([1]), new Uint8Array([2, 3])]); // Uint8Array [1, 2, 3]
 * ```
 */
export function concatBytes(pieces: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const piece of pieces) total += piece.length;
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const piece of pieces) {
    bytes.set(piece, offset);
    offset += piece.length;
  }
  return bytes;
}

/** Re-exported for callers that frame params themselves. */
export type { ParamsInput };
