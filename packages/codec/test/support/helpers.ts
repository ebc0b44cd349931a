/** Small helpers shared by the codec tests. */
import { type FcgiRecord, RecordDecoder, concatBytes, encodeRecord } from '../../src/index.js';

/** Decodes `bytes` pushed as the given chunks (cut at `cuts`, sorted offsets), then calls end(). */
export function decodeChunks(chunks: readonly Uint8Array[], decoder = new RecordDecoder()): FcgiRecord[] {
  const records: FcgiRecord[] = [];
  for (const chunk of chunks) records.push(...decoder.push(chunk));
  decoder.end();
  return records;
}

/** Cuts `bytes` at the given offsets (any order, duplicates and out-of-range values allowed). */
export function splitAt(bytes: Uint8Array, offsets: readonly number[]): Uint8Array[] {
  const cuts = [...new Set(offsets.map((offset) => offset % (bytes.length + 1)))].sort((left, right) => left - right);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const cut of cuts) {
    chunks.push(bytes.subarray(start, cut));
    start = cut;
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}

/** Every byte on its own. */
export function bytewise(bytes: Uint8Array): Uint8Array[] {
  return Array.from(bytes, (_, index) => bytes.subarray(index, index + 1));
}

/** Encodes records back to back into one buffer. */
export function encodeAll(records: readonly FcgiRecord[]): Uint8Array {
  return concatBytes(records.map((record) => encodeRecord(record)));
}

/** Captures the error a function throws (fails the test when it does not throw). */
export function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

/** Deterministic pseudo-random bytes (xorshift32), so failures reproduce. */
export function pseudoRandomBytes(length: number, seed = 0x9e3779b9): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = seed >>> 0 || 1;
  for (let index = 0; index < length; index++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    bytes[index] = state & 0xff;
  }
  return bytes;
}

/** True when two byte arrays hold the same bytes (fast for large arrays, unlike a deep equal). */
export function sameBytes(left: Uint8Array, right: Uint8Array): boolean {
  return left.length === right.length && Buffer.compare(left, right) === 0;
}
