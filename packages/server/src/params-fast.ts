/**
 * The fast path for the usual PARAMS stream: every pair in one record (nginx, Apache and
 * HAProxy send them so). Such a record is checked without allocating, kept as it is, and
 * decoded in one pass into names and values when PARAMS end; the codec's
 * `NameValuePair` objects (with their byte views) are built only if someone asks for them.
 *
 * @module
 */
import { isAscii } from 'node:buffer';

function readLength(bytes: Uint8Array, offset: number, end: number): number {
  const first = bytes[offset] as number;
  if (first < 0x80) return first;
  if (offset + 4 > end) return -1;
  return (first & 0x7f) * 0x1000000 + ((bytes[offset + 1] as number) << 16) + ((bytes[offset + 2] as number) << 8) + (bytes[offset + 3] as number);
}

/**
 * The number of pairs when `bytes` holds whole name-value pairs only, at most `maxPairs` of
 * them, else -1 (the streaming decoder then takes over and reports any error). Allocates
 * nothing.
 *
 * @example
 * ```ts
 * countWholePairs(new Uint8Array([1, 1, 65, 66]), 10); // 1
 * countWholePairs(new Uint8Array([1, 5, 65]), 10); // -1: the value is cut short
 * ```
 */
export function countWholePairs(bytes: Uint8Array, maxPairs: number): number {
  const end = bytes.length;
  let offset = 0;
  let count = 0;
  while (offset < end) {
    if (count === maxPairs) return -1;
    const nameLength = readLength(bytes, offset, end);
    if (nameLength < 0) return -1;
    offset += (bytes[offset] as number) < 0x80 ? 1 : 4;
    if (offset >= end) return -1;
    const valueLength = readLength(bytes, offset, end);
    if (valueLength < 0) return -1;
    offset += (bytes[offset] as number) < 0x80 ? 1 : 4;
    if (nameLength + valueLength > end - offset) return -1;
    offset += nameLength + valueLength;
    count++;
  }
  return count;
}

const utf8Decoder = new TextDecoder('utf-8');

/** How many positions {@link DecodedParams} remembers a name for. */
const rememberedPositions = 64;

/** The name last seen at each position of a PARAMS record, and its bytes. */
const recentNames: (string | undefined)[] = [];
const recentNameBytes: (Uint8Array | undefined)[] = [];

function sameBytes(bytes: Uint8Array, start: number, expected: Uint8Array): boolean {
  const length = expected.length;
  for (let index = 0; index < length; index++) if (bytes[start + index] !== expected[index]) return false;
  return true;
}

function sameText(bytes: Uint8Array, start: number, expected: string): boolean {
  const length = expected.length;
  for (let index = 0; index < length; index++) if (bytes[start + index] !== expected.charCodeAt(index)) return false;
  return true;
}

/** `HTTP_` as bytes: the prefix of every header param. */
const headerPrefix = [0x48, 0x54, 0x54, 0x50, 0x5f];

/** Each pair's name start, name end (= value start) and value end in the record. */
const fieldsPerPair = 3;

/** How many values are sliced from the bytes one by one before the record becomes one latin1 string. */
const wholeTextAfter = 6;

/** node's Buffer method, which works on any Uint8Array: latin1 text of a byte range. */
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice: (this: Uint8Array, start: number, end: number) => string }).latin1Slice;

/**
 * The names and values of a whole-pairs PARAMS record, in arrival order, decoded only
 * when read: the constructor just finds where each pair sits. A hello-world handler behind
 * nginx reads 3 values and 1 name of 18 pairs. Lookups by name compare bytes; a name read
 * at a position reuses the previous record's string there when the bytes match (web
 * servers send the same names in the same order every time, and V8 then finds the string
 * already internalized when it becomes a property key). Text is UTF-8, as the codec
 * decodes params, and {@link latin1Value} gives a value's exact bytes as latin1 text (as
 * node:http gives header text).
 *
 * @example
 * ```ts
 * const decoded = new DecodedParams(new Uint8Array([1, 1, 65, 66]), 1);
 * decoded.find('A'); // 'B'
 * decoded.names; // ['A']
 * decoded.values; // ['B']
 * ```
 */
export class DecodedParams {
  /** How many pairs the record holds. */
  readonly count: number;
  /** True when every byte of the record is ASCII: the values are then their exact bytes as latin1 too. */
  readonly ascii: boolean;
  readonly #bytes: Uint8Array;
  /** See {@link fieldsPerPair}. */
  readonly #offsets: number[];
  /** The whole record as latin1 text (one character per byte), made on first need. */
  #text: string | undefined;
  /** Values sliced one by one so far (see {@link wholeTextAfter}). */
  #slices = 0;
  #names: string[] | undefined;
  #values: string[] | undefined;

  /** `count`: the pairs of `bytes`, from {@link countWholePairs}. */
  constructor(bytes: Uint8Array, count: number) {
    const offsets = new Array<number>(count * fieldsPerPair);
    this.count = count;
    this.#offsets = offsets;
    this.#bytes = bytes;
    this.ascii = isAscii(bytes);
    const end = bytes.length;
    let offset = 0;
    for (let index = 0; index < count; index++) {
      const nameLength = readLength(bytes, offset, end);
      offset += (bytes[offset] as number) < 0x80 ? 1 : 4;
      const valueLength = readLength(bytes, offset, end);
      offset += (bytes[offset] as number) < 0x80 ? 1 : 4;
      const at = index * fieldsPerPair;
      offsets[at] = offset;
      offsets[at + 1] = offset + nameLength;
      offset += nameLength + valueLength;
      offsets[at + 2] = offset;
    }
  }

  /** The name of pair `index`. */
  name(index: number): string {
    const names = (this.#names ??= new Array<string>(this.count));
    const known = names[index];
    if (known !== undefined) return known;
    const start = this.#offsets[index * fieldsPerPair] as number;
    const end = this.#offsets[index * fieldsPerPair + 1] as number;
    const recentBytes = recentNameBytes[index];
    let name: string;
    if (recentBytes !== undefined && recentBytes.length === end - start && sameBytes(this.#bytes, start, recentBytes)) {
      name = recentNames[index] as string;
    } else {
      name = this.#decode(start, end);
      if (index < rememberedPositions) {
        recentNames[index] = name;
        recentNameBytes[index] = this.#bytes.slice(start, end);
      }
    }
    names[index] = name;
    return name;
  }

  /** The value of pair `index`, decoded as UTF-8 (as the codec does). */
  value(index: number): string {
    const values = (this.#values ??= new Array<string>(this.count));
    const known = values[index];
    if (known !== undefined) return known;
    const value = this.#decode(this.#offsets[index * fieldsPerPair + 1] as number, this.#offsets[index * fieldsPerPair + 2] as number);
    values[index] = value;
    return value;
  }

  /** The value of pair `index` as latin1 text of its exact bytes. */
  latin1Value(index: number): string {
    if (this.ascii) return this.value(index);
    return this.#latin1(this.#offsets[index * fieldsPerPair + 1] as number, this.#offsets[index * fieldsPerPair + 2] as number);
  }

  /** The value of the last pair named `name` (as a params object keeps it), or undefined. */
  find(name: string): string | undefined {
    for (let index = this.count - 1; index >= 0; index--) if (this.isNamed(index, name)) return this.value(index);
    return undefined;
  }

  /**
   * {@link find} for several names in one pass from the end: `values[k]` becomes the value of
   * the last pair named `names[k]`, or undefined.
   *
   * @example
   * ```ts
   * const values: (string | undefined)[] = [];
   * decoded.findEach(['REQUEST_METHOD', 'REQUEST_URI'], values); // values: ['GET', '/']
   * ```
   */
  findEach(names: readonly string[], values: (string | undefined)[]): void {
    const wanted = names.length;
    for (let slot = 0; slot < wanted; slot++) values[slot] = undefined;
    let missing = wanted;
    const offsets = this.#offsets;
    for (let index = this.count - 1; index >= 0 && missing > 0; index--) {
      const start = offsets[index * fieldsPerPair] as number;
      const length = (offsets[index * fieldsPerPair + 1] as number) - start;
      for (let slot = 0; slot < wanted; slot++) {
        const name = names[slot] as string;
        if (values[slot] !== undefined) continue;
        if (this.ascii ? name.length !== length || !sameText(this.#bytes, start, name) : this.name(index) !== name) continue;
        values[slot] = this.value(index);
        missing--;
        break;
      }
    }
  }

  /** True when the name of pair `index` is `name` (compared as bytes in an ASCII record). */
  isNamed(index: number, name: string): boolean {
    if (!this.ascii) return this.name(index) === name;
    const start = this.#offsets[index * fieldsPerPair] as number;
    return (this.#offsets[index * fieldsPerPair + 1] as number) - start === name.length && sameText(this.#bytes, start, name);
  }

  /** True when pair `index` is a request header (`HTTP_` and at least one more byte). */
  isHeader(index: number): boolean {
    const start = this.#offsets[index * fieldsPerPair] as number;
    if ((this.#offsets[index * fieldsPerPair + 1] as number) - start <= headerPrefix.length) return false;
    const bytes = this.#bytes;
    for (let at = 0; at < headerPrefix.length; at++) if (bytes[start + at] !== headerPrefix[at]) return false;
    return true;
  }

  /** Every name, in arrival order. */
  get names(): readonly string[] {
    for (let index = 0; index < this.count; index++) this.name(index);
    return this.#names ?? [];
  }

  /** Every value, in arrival order. */
  get values(): readonly string[] {
    for (let index = 0; index < this.count; index++) this.value(index);
    return this.#values ?? [];
  }

  #latin1(start: number, end: number): string {
    let text = this.#text;
    if (text === undefined) {
      // The first few values are sliced on their own (most handlers read 3 or 4 of about 20);
      // past that, one string of the whole record, cut with substring.
      if (this.#slices < wholeTextAfter) {
        this.#slices++;
        return latin1Slice.call(this.#bytes, start, end);
      }
      text = latin1Slice.call(this.#bytes, 0, this.#bytes.length);
      this.#text = text;
    }
    return text.substring(start, end);
  }

  /** UTF-8 text, as the codec decodes params (ASCII as it is). */
  #decode(start: number, end: number): string {
    if (this.ascii || isAscii(this.#bytes.subarray(start, end))) return this.#latin1(start, end);
    return utf8Decoder.decode(this.#bytes.subarray(start, end));
  }
}
