/**
 * Encoding of name-value pairs.
 *
 * @module
 */
import { CodecErrorCode, FastCgiArgumentError } from './errors.js';
import type { NameValuePair } from './pairs.js';
import type { PairInput } from './records.js';
import { type TextEncoding, encodeTextInto, encodedLength } from './text.js';

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

/**
 * Fast path: sizes params given as an array of `[string, string]` tuples or a plain object
 * of strings, assuming every code unit is below 0x80 (one byte each in both encodings).
 * Returns -1 for any other input, which then goes through {@link measurePairs}.
 *
 * @example
 * ```ts
 * measureAsciiParams([['A', '1']]); // 4
 * ```
 */
export function measureAsciiParams(input: ParamsInput): number {
  let total = 0;
  if (Array.isArray(input)) {
    const pairs = input as readonly unknown[];
    for (let index = 0; index < pairs.length; index++) {
      const pair = pairs[index];
      if (!Array.isArray(pair)) return -1;
      const name: unknown = pair[0];
      const value: unknown = pair[1];
      if (typeof name !== 'string' || typeof value !== 'string') return -1;
      total += (name.length < 0x80 ? 1 : 4) + name.length + (value.length < 0x80 ? 1 : 4) + value.length;
    }
    return total;
  }
  if (isIterable(input)) return -1;
  const record = input as Readonly<Record<string, unknown>>;
  for (const name of Object.keys(record)) {
    const value = record[name];
    if (value === undefined) continue;
    if (typeof value !== 'string') return -1;
    total += (name.length < 0x80 ? 1 : 4) + name.length + (value.length < 0x80 ? 1 : 4) + value.length;
  }
  return total;
}

function writeAscii(target: Uint8Array, offset: number, text: string): number {
  const length = text.length;
  for (let index = 0; index < length; index++) {
    const code = text.charCodeAt(index);
    if (code > 0x7f) return -1;
    target[offset + index] = code;
  }
  return offset + length;
}

/**
 * Writes params sized by {@link measureAsciiParams} into `target` at `offset`; returns the
 * offset after them, or -1 when some text is not ASCII after all (then use the general path).
 *
 * @example
 * ```ts
 * writeAsciiParams([['A', '1']], new Uint8Array(4), 0); // 4
 * ```
 */
export function writeAsciiParams(input: ParamsInput, target: Uint8Array, offset: number): number {
  if (Array.isArray(input)) {
    const pairs = input as ReadonlyArray<readonly [string, string]>;
    for (let index = 0; index < pairs.length && offset >= 0; index++) {
      const pair = pairs[index] as readonly [string, string];
      offset = writeAsciiPair(target, offset, pair[0], pair[1]);
    }
    return offset;
  }
  const record = input as Readonly<Record<string, string | undefined>>;
  for (const name of Object.keys(record)) {
    const value = record[name];
    if (value === undefined) continue;
    if (typeof value !== 'string') return -1;
    offset = writeAsciiPair(target, offset, name, value);
    if (offset < 0) return -1;
  }
  return offset;
}

function writeAsciiPair(target: Uint8Array, offset: number, name: string, value: string): number {
  offset = writeLength(target, offset, name.length);
  offset = writeLength(target, offset, value.length);
  offset = writeAscii(target, offset, name);
  return offset < 0 ? -1 : writeAscii(target, offset, value);
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
  const total = measureAsciiParams(pairs);
  if (total >= 0) {
    const bytes = new Uint8Array(total);
    if (writeAsciiParams(pairs, bytes, 0) === total) return bytes;
  }
  return encodePairsWithBoundaries(pairs, options).bytes;
}
