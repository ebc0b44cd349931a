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
  const fields = flattenParams(input);
  const lengths = new Array<number>(fields.length);
  let total = 0;
  for (let index = 0; index < fields.length; index++) {
    const length = fieldLength(fields[index] as Field, encoding);
    lengths[index] = length;
    total += lengthPrefixSize(length) + length;
  }
  const bytes = new Uint8Array(total);
  const pairEnds: number[] = [];
  let offset = 0;
  for (let index = 0; index < fields.length; index += 2) {
    offset = writeLength(bytes, offset, lengths[index] as number);
    offset = writeLength(bytes, offset, lengths[index + 1] as number);
    offset = writeField(bytes, offset, fields[index] as Field, encoding);
    offset = writeField(bytes, offset, fields[index + 1] as Field, encoding);
    pairEnds.push(offset);
  }
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
  return encodePairsWithBoundaries(pairs, options).bytes;
}
