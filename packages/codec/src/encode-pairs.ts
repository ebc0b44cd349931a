/**
 * Encoding of name-value pairs.
 *
 * @module
 */
import { CodecErrorCode, FastCgiArgumentError } from './errors.js';
import type { NameValuePair } from './pairs.js';
import type { PairInput } from './records.js';
import { type TextEncoding, encodeAsciiInto, encodeTextInto, encodedLength } from './text.js';

/**
 * Pairs to encode: a plain object (`undefined` values are skipped) or an iterable of
 * `[name, value]` tuples or decoded pairs. Strings are encoded per `encoding`; bytes are
 * sent as they are.
 *
 * @example
 * ```ts
 * const params: ParamsInput = { REQUEST_METHOD: 'GET', QUERY_STRING: '' };
 * const same: ParamsInput = [['REQUEST_METHOD', 'GET'], ['QUERY_STRING', '']];
 * ```
 */
export type ParamsInput = Readonly<Record<string, string | Uint8Array | undefined>> | Iterable<PairInput>;

/**
 * Options of {@link encodeParams}.
 *
 * @example
 * ```ts
 * encodeParams({ HTTP_X: 'caf\u00e9' }, { encoding: 'latin1' } satisfies EncodeParamsOptions);
 * ```
 */
export interface EncodeParamsOptions {
  /** How strings become bytes: `'utf8'` (default) or `'latin1'` (code units 0-255 only). */
  encoding?: TextEncoding;
}

/** The largest length a name or value can declare (31 bits). */
export const MAX_PAIR_FIELD_LENGTH = 0x7fffffff;

type Field = string | Uint8Array;

function isIterable(value: unknown): value is Iterable<PairInput> {
  return typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';
}

function isDecodedPair(pair: PairInput): pair is NameValuePair {
  return !Array.isArray(pair) && (pair as NameValuePair).nameBytes !== undefined;
}

/** Flattens any params input into alternating name/value fields. */
export function flattenParams(input: ParamsInput): Field[] {
  const fields: Field[] = [];
  if (isIterable(input)) {
    for (const pair of input) {
      if (isDecodedPair(pair)) fields.push(pair.nameBytes, pair.valueBytes);
      else fields.push(pair[0], pair[1]);
    }
    return fields;
  }
  for (const name of Object.keys(input)) {
    const value = input[name];
    if (value !== undefined) fields.push(name, value);
  }
  return fields;
}

function fieldLength(field: Field, encoding: TextEncoding): number {
  if (typeof field === 'string') return encodedLength(field, encoding);
  if (field instanceof Uint8Array) return field.length;
  throw new FastCgiArgumentError(CodecErrorCode.InvalidRecord, `A name or value must be a string or Uint8Array, got ${typeof field}`);
}

function lengthPrefixSize(length: number): number {
  if (length > MAX_PAIR_FIELD_LENGTH) {
    throw new FastCgiArgumentError(CodecErrorCode.ParamTooLarge, `A name or value of ${length} bytes exceeds the 31-bit limit`);
  }
  return length < 0x80 ? 1 : 4;
}

function writeLength(target: Uint8Array, offset: number, length: number): number {
  if (length < 0x80) {
    target[offset] = length;
    return offset + 1;
  }
  target[offset] = (length >>> 24) | 0x80;
  target[offset + 1] = (length >>> 16) & 0xff;
  target[offset + 2] = (length >>> 8) & 0xff;
  target[offset + 3] = length & 0xff;
  return offset + 4;
}

function writeField(target: Uint8Array, offset: number, field: Field, encoding: TextEncoding): number {
  if (typeof field === 'string') return encodeTextInto(field, target, offset, encoding);
  target.set(field, offset);
  return offset + field.length;
}

/** Encoded pairs plus the offset where each pair ends (for cutting at pair boundaries). */
export interface EncodedPairs {
  readonly bytes: Uint8Array;
  readonly pairEnds: readonly number[];
}

/** Pairs measured for encoding: alternating name/value fields, their byte lengths, and the encoded size. */
export interface MeasuredPairs {
  readonly fields: readonly Field[];
  readonly lengths: readonly number[];
  /** Bytes of the encoded pairs, length prefixes included. */
  readonly total: number;
}

/**
 * Validates and measures pairs (throws for a field that is not text or bytes, or too long).
 *
 * @example
 * ```ts
 * measurePairs({ A: '1' }, 'utf8').total; // 4
 * ```
 */
export function measurePairs(input: ParamsInput, encoding: TextEncoding): MeasuredPairs {
  const fields = flattenParams(input);
  const lengths = new Array<number>(fields.length);
  let total = 0;
  for (let index = 0; index < fields.length; index++) {
    const length = fieldLength(fields[index] as Field, encoding);
    lengths[index] = length;
    total += lengthPrefixSize(length) + length;
  }
  return { fields, lengths, total };
}

/**
 * Writes measured pairs into `target` at `offset` (which has `measured.total` bytes free);
 * returns the offset after them. Pushes where each pair ends to `pairEnds` when given.
 *
 * @example
 * ```ts
 * const measured = measurePairs({ A: '1' }, 'utf8');
 * writePairs(measured, new Uint8Array(measured.total), 0, 'utf8'); // 4
 * ```
 */
export function writePairs(measured: MeasuredPairs, target: Uint8Array, offset: number, encoding: TextEncoding, pairEnds?: number[]): number {
  const { fields, lengths } = measured;
  for (let index = 0; index < fields.length; index += 2) {
    offset = writeLength(target, offset, lengths[index] as number);
    offset = writeLength(target, offset, lengths[index + 1] as number);
    offset = writeField(target, offset, fields[index] as Field, encoding);
    offset = writeField(target, offset, fields[index + 1] as Field, encoding);
    pairEnds?.push(offset);
  }
  return offset;
}

/** ASCII params as one string of one character per byte: per pair, two length prefixes, the name, the value. */
export interface AsciiParamsText {
  /** The encoded block; a 4-byte length prefix stands in it as four NULs until written. */
  readonly text: string;
  /** Offset in `text` and value of each 4-byte length prefix, in pairs (empty when all fields are short). */
  readonly longLengths: readonly number[];
}

/** Stands for a 4-byte length prefix in the text; {@link writeAsciiParamsText} writes the real bytes over it. */
const longLengthMark = '\0\0\0\0';
const noLongLengths: readonly number[] = [];
/** Larger blocks take the general path in {@link encodeParams} (no string of that size is built). */
const asciiTextLimit = 1024 * 1024;

function prefixText(length: number): string {
  return length < 0x80 ? String.fromCharCode(length) : longLengthMark;
}

/** Builds the text of ASCII params pair by pair. */
class AsciiParamsBuilder {
  text = '';
  longLengths: number[] | undefined;

  /** Appends a pair, or returns false (appending nothing) when the text would reach `limit` characters. */
  add(name: string, value: string, limit: number): boolean {
    const nameLength = name.length;
    const valueLength = value.length;
    const size = (nameLength < 0x80 ? 1 : 4) + nameLength + (valueLength < 0x80 ? 1 : 4) + valueLength;
    if (this.text.length + size >= limit) return false;
    if (nameLength >= 0x80 || valueLength >= 0x80) this.#markLong(nameLength, valueLength);
    this.text += prefixText(nameLength) + prefixText(valueLength) + name + value;
    return true;
  }

  #markLong(nameLength: number, valueLength: number): void {
    const longLengths = (this.longLengths ??= []);
    const start = this.text.length;
    if (nameLength >= 0x80) longLengths.push(start, nameLength);
    if (valueLength >= 0x80) longLengths.push(start + (nameLength >= 0x80 ? 4 : 1), valueLength);
  }

  result(): AsciiParamsText {
    return { text: this.text, longLengths: this.longLengths ?? noLongLengths };
  }
}

/**
 * Fast path: the encoded block of params given as an array of `[string, string]` tuples or
 * a plain object of strings, built as one string on the assumption that every code unit is
 * below 0x80 (one byte each in both encodings; {@link writeAsciiParamsText} checks it).
 * Undefined for any other input, or when the block would reach `limit` bytes: the general
 * path ({@link measurePairs}) then does the work.
 *
 * @example
 * ```ts
 * asciiParamsText([['A', '1']], 8192)?.text; // '\x01\x01A1'
 * ```
 */
export function asciiParamsText(input: ParamsInput, limit: number): AsciiParamsText | undefined {
  const builder = new AsciiParamsBuilder();
  if (Array.isArray(input)) {
    const pairs = input as readonly unknown[];
    for (let index = 0; index < pairs.length; index++) {
      const pair = pairs[index];
      if (!Array.isArray(pair)) return undefined;
      const name: unknown = pair[0];
      const value: unknown = pair[1];
      if (typeof name !== 'string' || typeof value !== 'string') return undefined;
      if (!builder.add(name, value, limit)) return undefined;
    }
    return builder.result();
  }
  if (isIterable(input)) return undefined;
  const record = input as Readonly<Record<string, unknown>>;
  for (const name of Object.keys(record)) {
    const value = record[name];
    if (value === undefined) continue;
    if (typeof value !== 'string') return undefined;
    if (!builder.add(name, value, limit)) return undefined;
  }
  return builder.result();
}

/**
 * Writes params built by {@link asciiParamsText} into `target` at `offset` (which has
 * `params.text.length` bytes free); returns the offset after them, or -1 when some text is
 * not ASCII after all (then use the general path; the bytes written are garbage).
 *
 * @example
 * ```ts
 * const params = asciiParamsText([['A', '1']], 8192);
 * if (params) writeAsciiParamsText(params, new Uint8Array(4), 0); // 4
 * ```
 */
export function writeAsciiParamsText(params: AsciiParamsText, target: Uint8Array, offset: number): number {
  const end = encodeAsciiInto(params.text, target, offset);
  if (end < 0) return -1;
  const longLengths = params.longLengths;
  for (let index = 0; index < longLengths.length; index += 2) {
    writeLength(target, offset + (longLengths[index] as number), longLengths[index + 1] as number);
  }
  return end;
}

/**
 * Encodes pairs and reports where each pair ends.
 *
 * @example
 * ```ts
 * const { bytes, pairEnds } = encodePairsWithBoundaries({ A: '1', B: '2' });
 * pairEnds; // [4, 8]
 * ```
 */
export function encodePairsWithBoundaries(input: ParamsInput, options: EncodeParamsOptions = {}): EncodedPairs {
  const encoding = options.encoding ?? 'utf8';
  const measured = measurePairs(input, encoding);
  const bytes = new Uint8Array(measured.total);
  const pairEnds: number[] = [];
  writePairs(measured, bytes, 0, encoding, pairEnds);
  return { bytes, pairEnds };
}

/**
 * Encodes name-value pairs into one block of bytes (1-byte lengths below 128, 4-byte
 * lengths otherwise).
 *
 * @example
 * ```ts
 * import { encodeParams } from '@fcgi/codec';
 * encodeParams({ REQUEST_METHOD: 'GET', QUERY_STRING: '' });
 * encodeParams([['SCRIPT_FILENAME', '/srv/index.php'], ['HTTP_X', new Uint8Array([0xff])]]);
 * ```
 */
export function encodeParams(pairs: ParamsInput, options: EncodeParamsOptions = {}): Uint8Array {
  const ascii = asciiParamsText(pairs, asciiTextLimit);
  if (ascii !== undefined) {
    const bytes = new Uint8Array(ascii.text.length);
    if (writeAsciiParamsText(ascii, bytes, 0) === bytes.length) return bytes;
  }
  return encodePairsWithBoundaries(pairs, options).bytes;
}
