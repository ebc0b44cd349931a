/**
 * The fast path for the usual PARAMS stream: every pair in one record (nginx, Apache and
 * HAProxy send them so). Such a record is checked without allocating, kept as it is, and
 * decoded in one pass into names and values when PARAMS end; the codec's
 * `NameValuePair` objects (with their byte views) are built only if someone asks for them.
 *
 * @module
 */

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

/** How many positions {@link knownName} remembers a name for. */
const rememberedPositions = 64;

/** The name last seen at each position of a PARAMS record. */
const recentNames: (string | undefined)[] = [];

/**
 * The name at `start` of `text`: the same string as the last record's name at this
 * position when the bytes match. Web servers send the same names in the same order on
 * every request; reusing the string spares a new one per pair, and V8 then finds it
 * already internalized when it becomes a property key.
 */
function knownName(text: string, start: number, length: number, index: number): string {
  const recent = recentNames[index];
  if (recent !== undefined && recent.length === length && text.startsWith(recent, start)) return recent;
  const name = text.substring(start, start + length);
  if (index < rememberedPositions) recentNames[index] = name;
  return name;
}

function isAscii(bytes: Uint8Array, start: number, end: number): boolean {
  for (let index = start; index < end; index++) if ((bytes[index] as number) > 0x7f) return false;
  return true;
}

/**
 * The names and values of a whole-pairs PARAMS record, in arrival order, with each value's
 * exact bytes as latin1 text on demand (as node:http gives header text). The record is
 * turned into text once; names and values are slices of it (UTF-8 decoding, as the
 * codec's, only for pairs with non-ASCII bytes).
 *
 * @example
 * ```ts
 * const decoded = new DecodedParams(new Uint8Array([1, 1, 65, 66]), 1);
 * decoded.names[0]; // 'A'
 * decoded.values[0]; // 'B'
 * ```
 */
export class DecodedParams {
  readonly names: string[];
  readonly values: string[];
  /** True when every byte of the record is ASCII: the values are then their exact bytes as latin1 too. */
  readonly ascii: boolean;
  /** The whole record as latin1 text (one character per byte). */
  readonly #text: string;
  /** Start and length of each value, kept only when some pair has non-ASCII bytes. */
  #valueOffsets: number[] | undefined;

  /** `count`: the pairs of `bytes`, from {@link countWholePairs}. */
  constructor(bytes: Uint8Array, count: number) {
    const names = new Array<string>(count);
    const values = new Array<string>(count);
    this.names = names;
    this.values = values;
    const end = bytes.length;
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, end).toString('latin1');
    this.#text = text;
    const ascii = isAscii(bytes, 0, end);
    this.ascii = ascii;
    if (!ascii) this.#valueOffsets = [];
    let offset = 0;
    for (let index = 0; index < count; index++) {
      const nameLength = readLength(bytes, offset, end);
      offset += (bytes[offset] as number) < 0x80 ? 1 : 4;
      const valueLength = readLength(bytes, offset, end);
      offset += (bytes[offset] as number) < 0x80 ? 1 : 4;
      const valueStart = offset + nameLength;
      const valueEnd = valueStart + valueLength;
      if (ascii) {
        names[index] = knownName(text, offset, nameLength, index);
        values[index] = text.substring(valueStart, valueEnd);
      } else {
        names[index] = this.#utf8(bytes, offset, valueStart);
        values[index] = this.#utf8(bytes, valueStart, valueEnd);
        this.#valueOffsets?.push(valueStart, valueEnd);
      }
      offset = valueEnd;
    }
  }

  /** The value of pair `index` as latin1 text of its exact bytes. */
  latin1Value(index: number): string {
    const offsets = this.#valueOffsets;
    if (offsets === undefined) return this.values[index] ?? '';
    return this.#text.substring(offsets[index * 2] ?? 0, offsets[index * 2 + 1]);
  }

  /** UTF-8 text, as the codec decodes params (ASCII as it is). */
  #utf8(bytes: Uint8Array, start: number, end: number): string {
    if (isAscii(bytes, start, end)) return this.#text.substring(start, end);
    return utf8Decoder.decode(bytes.subarray(start, end));
  }
}
