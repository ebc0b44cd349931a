/**
 * A seeded byte-level mutator (in the style of libFuzzer's): bit flips, random and
 * "interesting" bytes, FastCGI length fields set to hostile values (31-bit lengths near
 * 0x7FFFFFFF, 65535, 255), inserted, deleted and duplicated ranges, splices of two seeds,
 * truncation. Deterministic for a given seed, so every failure can be replayed.
 *
 * @module
 */

/**
 * A small fast PRNG (xorshift32). Not for cryptography: for replayable fuzzing.
 *
 * @example
 * ```ts
 * const random = new Random(42);
 * random.below(10); // 0..9, the same on every run
 * ```
 */
export class Random {
  #state: number;

  constructor(seed: number) {
    this.#state = (seed >>> 0) || 0x9e3779b9;
  }

  /** The next 32-bit unsigned integer. */
  next(): number {
    let value = this.#state;
    value ^= value << 13;
    value ^= value >>> 17;
    value ^= value << 5;
    this.#state = value >>> 0;
    return this.#state;
  }

  /** An integer in 0..limit-1 (0 when limit is 0). */
  below(limit: number): number {
    return limit <= 0 ? 0 : this.next() % limit;
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)] as T;
  }

  /** Random bytes. */
  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let index = 0; index < length; index++) out[index] = this.next() & 0xff;
    return out;
  }
}

const interestingBytes = [0, 1, 0x7f, 0x80, 0x81, 0xfe, 0xff, 8, 10, 13, 58, 11, 12, 42];
/** 4-byte name-value lengths (top bit set) and 2-byte record lengths a hostile peer would send. */
const interestingLengths4 = [0xffffffff, 0xfffffffe, 0x80000000, 0xfffffff0, 0x80000080, 0x8000ffff, 0x80010000, 0x8001831f];
const interestingLengths2 = [0xffff, 0xfffe, 0x8000, 0, 8, 7, 9];

type Mutation = (input: Uint8Array, random: Random, other: Uint8Array) => Uint8Array;

function withByte(input: Uint8Array, index: number, value: number): Uint8Array {
  const out = input.slice();
  out[index] = value;
  return out;
}

function writeBigEndian(input: Uint8Array, at: number, value: number, width: number): Uint8Array {
  const out = input.slice();
  for (let index = 0; index < width && at + index < out.length; index++) out[at + index] = (value >>> (8 * (width - 1 - index))) & 0xff;
  return out;
}

const mutations: readonly Mutation[] = [
  (input, random) => (input.length === 0 ? input : withByte(input, random.below(input.length), (input[random.below(input.length)] as number) ^ (1 << random.below(8)))),
  (input, random) => (input.length === 0 ? input : withByte(input, random.below(input.length), random.next() & 0xff)),
  (input, random) => (input.length === 0 ? input : withByte(input, random.below(input.length), random.pick(interestingBytes))),
  (input, random) => writeBigEndian(input, random.below(input.length), random.pick(interestingLengths4), 4),
  (input, random) => writeBigEndian(input, random.below(input.length), random.pick(interestingLengths2), 2),
  (input, random) => {
    const at = random.below(input.length + 1);
    return concat([input.subarray(0, at), random.bytes(1 + random.below(16)), input.subarray(at)]);
  },
  (input, random) => {
    const at = random.below(input.length + 1);
    return concat([input.subarray(0, at), input.subarray(Math.min(input.length, at + 1 + random.below(32)))]);
  },
  (input, random) => {
    const at = random.below(input.length + 1);
    const end = Math.min(input.length, at + 1 + random.below(64));
    return concat([input.subarray(0, end), input.subarray(at, end), input.subarray(end)]);
  },
  (input, random, other) => concat([input.subarray(0, random.below(input.length + 1)), other.subarray(random.below(other.length + 1))]),
  (input, random) => input.subarray(0, random.below(input.length + 1)),
];

function concat(pieces: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const piece of pieces) length += piece.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const piece of pieces) {
    out.set(piece, offset);
    offset += piece.length;
  }
  return out;
}

/**
 * Applies 1 to 4 random mutations to `input` (never modified in place); `other` is the
 * second seed for splices.
 *
 * @example
 * ```ts
 * const mutated = mutate(seedBytes, new Random(7), otherSeedBytes);
 * ```
 */
export function mutate(input: Uint8Array, random: Random, other: Uint8Array): Uint8Array {
  let out = input;
  const count = 1 + random.below(4);
  for (let index = 0; index < count; index++) out = random.pick(mutations)(out, random, other);
  return out;
}

/**
 * Cut points that split `length` bytes into 1 to 4 chunks (sorted, inside 0..length).
 *
 * @example
 * ```ts
 * splitPoints(100, new Random(1)); // e.g. [13, 70]
 * ```
 */
export function splitPoints(length: number, random: Random): number[] {
  const points: number[] = [];
  const count = random.below(4);
  for (let index = 0; index < count; index++) points.push(random.below(length + 1));
  return points.sort((left, right) => left - right);
}

/**
 * The chunks of `bytes` at the given cut points (views).
 *
 * @example
 * ```ts
 * chunksAt(new Uint8Array(10), [3, 7]).map((chunk) => chunk.length); // [3, 4, 3]
 * ```
 */
export function chunksAt(bytes: Uint8Array, points: readonly number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of points) {
    chunks.push(bytes.subarray(start, point));
    start = point;
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}
