/**
 * Byte <-> string conversion without Node built-ins. Strings are UTF-8 by default; `latin1`
 * maps each byte to one UTF-16 code unit and back, so it is lossless for any bytes.
 *
 * @module
 */

import { CodecErrorCode, FastCgiArgumentError } from './errors.js';

/**
 * How names and values map to strings: `utf8` (default) or byte-exact `latin1`.
 *
 * @example
 * ```ts
 * const pairs = decodeParams(bytes, { encoding: 'latin1' satisfies TextEncoding });
 * ```
 */
export type TextEncoding = 'utf8' | 'latin1';

interface TextDecoderLike { decode(input: Uint8Array): string }
interface TextEncoderLike { encodeInto(source: string, destination: Uint8Array): { read: number; written: number } }

const runtime = globalThis as unknown as {
  TextDecoder: new (label: string) => TextDecoderLike;
  TextEncoder: new () => TextEncoderLike;
};
const utf8Decoder = new runtime.TextDecoder('utf-8');
const utf8Encoder = new runtime.TextEncoder();

const chunkSize = 4096;

/** From this length on, latin1 text is first tried as ASCII through TextDecoder (native, several times faster than fromCharCode). */
const asciiDecodeLength = 32;
const nonAsciiPattern = /[\u0080-\uffff]/;

/**
 * `bytes[start, end)` through the UTF-8 decoder when every byte is ASCII (where UTF-8 and
 * latin1 agree), else undefined. Any other byte shows in the result: as a character of
 * U+0080 or above (a sequence or U+FFFD), or as a shorter string (a leading BOM is dropped).
 */
function asciiSlice(bytes: Uint8Array, start: number, end: number): string | undefined {
  const view = start === 0 && end === bytes.length ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset + start, end - start);
  const text = utf8Decoder.decode(view);
  return text.length === end - start && !nonAsciiPattern.test(text) ? text : undefined;
}

function latin1Slice(bytes: Uint8Array, start: number, end: number): string {
  if (end - start >= asciiDecodeLength) {
    const text = asciiSlice(bytes, start, end);
    if (text !== undefined) return text;
  }
  if (end - start <= chunkSize) {
    const view = start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end);
    return String.fromCharCode.apply(null, view as unknown as number[]);
  }
  let text = '';
  for (let offset = start; offset < end; offset += chunkSize) {
    const stop = Math.min(end, offset + chunkSize);
    text += String.fromCharCode.apply(null, bytes.subarray(offset, stop) as unknown as number[]);
  }
  return text;
}

/** Below this length an ASCII string is built in JavaScript; longer text goes to TextDecoder (fast for ASCII too). */
const shortText = 8;

/**
 * Decodes `bytes[start, end)` as text. Invalid UTF-8 becomes U+FFFD in `utf8` mode.
 *
 * @example
 * ```ts
 * decodeText(new Uint8Array([104, 105]), 0, 2, 'utf8'); // 'hi'
 * ```
 */
export function decodeText(bytes: Uint8Array, start: number, end: number, encoding: TextEncoding): string {
  if (start === end) return '';
  if (encoding === 'latin1') return latin1Slice(bytes, start, end);
  if (end - start <= shortText) {
    let text = '';
    for (let index = start; index < end; index++) {
      const byte = bytes[index] as number;
      if (byte > 0x7f) return utf8Decoder.decode(bytes.subarray(start, end));
      text += String.fromCharCode(byte);
    }
    return text;
  }
  return utf8Decoder.decode(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end));
}

/** Slots of the name cache (two per set, a power of two) and the longest name it keeps. */
const internSlots = 1024;
const internMaxLength = 40;
const internedBytes: Array<Uint8Array | undefined> = new Array<Uint8Array | undefined>(internSlots).fill(undefined);
const internedText: string[] = new Array<string>(internSlots).fill('');

function sameBytes(cached: Uint8Array | undefined, bytes: Uint8Array, length: number): boolean {
  if (cached === undefined || cached.length !== length) return false;
  let index = 0;
  while (index < length && cached[index] === bytes[index]) index++;
  return index === length;
}

/**
 * Like {@link decodeText} over all of `bytes`, for names that repeat on every request
 * (`REQUEST_METHOD`, `HTTP_HOST`...): ASCII names of up to 40 bytes are remembered in a
 * small two-way cache (at most 1024 names, copied), so a repeated name costs a compare
 * instead of a decode. The result is the string `decodeText` gives (ASCII decodes alike in
 * both encodings).
 *
 * @example
 * ```ts
 * decodeInterned(new Uint8Array([65, 66]), 'utf8'); // 'AB'
 * ```
 */
export function decodeInterned(bytes: Uint8Array, encoding: TextEncoding): string {
  const length = bytes.length;
  if (length < 2 || length > internMaxLength) return decodeText(bytes, 0, length, encoding);
  // Hash the length and four sampled bytes; the full compare below decides.
  let hash = Math.imul(length, 0x9e3779b1) ^ (bytes[0] as number) ^ ((bytes[length >> 1] as number) << 8) ^ ((bytes[length - 1] as number) << 16) ^ ((bytes[length - 2] as number) << 24);
  hash = Math.imul(hash ^ (hash >>> 15), 0x85ebca6b);
  const slot = (hash ^ (hash >>> 13)) & (internSlots - 2);
  if (sameBytes(internedBytes[slot], bytes, length)) return internedText[slot] as string;
  if (sameBytes(internedBytes[slot + 1], bytes, length)) return internedText[slot + 1] as string;
  const text = decodeText(bytes, 0, length, encoding);
  for (let index = 0; index < length; index++) {
    if ((bytes[index] as number) > 0x7f) return text;
  }
  internedBytes[slot + 1] = internedBytes[slot];
  internedText[slot + 1] = internedText[slot] as string;
  // A copy (never a view: Buffer#slice would be one), so the cache never sees the caller's memory change.
  internedBytes[slot] = new Uint8Array(bytes);
  internedText[slot] = text;
  return text;
}

/**
 * The number of bytes `text` takes in `encoding`. Throws for `latin1` text with code
 * units above 255 (they have no latin1 byte).
 *
 * @example
 * ```ts
 * encodedLength('é', 'utf8'); // 2
 * ```
 */
export function encodedLength(text: string, encoding: TextEncoding): number {
  const length = text.length;
  if (encoding === 'latin1') return latin1Length(text);
  let bytes = length;
  for (let index = 0; index < length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    else if (code >= 0xd800 && code <= 0xdbff && index + 1 < length && isLowSurrogate(text.charCodeAt(index + 1))) {
      bytes += 2;
      index++;
    } else bytes += 2;
  }
  return bytes;
}

function latin1Length(text: string): number {
  for (let index = 0; index < text.length; index++) {
    if (text.charCodeAt(index) > 0xff) {
      throw new FastCgiArgumentError(CodecErrorCode.InvalidOption, `Text has a character above U+00FF at index ${index}; it cannot be encoded as latin1`);
    }
  }
  return text.length;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/**
 * Writes `text` into `target` at `offset`; returns the new offset. The caller sized the
 * target with {@link encodedLength}.
 *
 * @example
 * ```ts
 * const target = new Uint8Array(2);
 * encodeTextInto('hi', target, 0, 'utf8'); // 2
 * ```
 */
export function encodeTextInto(text: string, target: Uint8Array, offset: number, encoding: TextEncoding): number {
  const length = text.length;
  let index = 0;
  for (; index < length; index++) {
    const code = text.charCodeAt(index);
    if (code >= 0x80 && encoding === 'utf8') break;
    target[offset + index] = code;
  }
  if (index === length) return offset + length;
  const { written } = utf8Encoder.encodeInto(text.slice(index), target.subarray(offset + index));
  return offset + index + written;
}

/**
 * Writes `text` at `offset` when every code unit is ASCII (below 0x80): one native
 * `encodeInto` over `text.length` bytes, which also tells whether the text was ASCII.
 * Returns the new offset, or -1 when it was not (some bytes may then have been written).
 *
 * @example
 * ```ts
 * encodeAsciiInto('hi', new Uint8Array(2), 0); // 2
 * encodeAsciiInto('h\u00e9', new Uint8Array(2), 0); // -1
 * ```
 */
export function encodeAsciiInto(text: string, target: Uint8Array, offset: number): number {
  const length = text.length;
  if (length === 0) return offset;
  // Exactly `length` bytes of room: a non-ASCII code unit needs two or more, so it shows as
  // fewer code units read or more bytes written than there are code units.
  // A plain view even for a Node Buffer target (whose own `subarray` costs more).
  const room = new Uint8Array(target.buffer, target.byteOffset + offset, Math.min(length, target.length - offset));
  const { read, written } = utf8Encoder.encodeInto(text, room);
  return read === length && written === length ? offset + length : -1;
}
