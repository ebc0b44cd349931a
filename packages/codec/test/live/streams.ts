/**
 * Reassembling what the recording proxy saw: streams by record type, PARAMS as pairs,
 * STDOUT split into the CGI head and the body; and deterministic test bodies.
 */
import { type FcgiRecord, type CgiHead, CgiHeadParser, ParamsDecoder, RecordType } from '@fcgi/codec';

type StreamType = (typeof RecordType)[keyof Pick<typeof RecordType, 'Params' | 'Stdin' | 'Stdout' | 'Stderr'>];

/**
 * The content of every record of a stream type, in order (empty records included).
 *
 * @example
 * ```ts
 * streamRecords(records, RecordType.Stdin).at(-1)?.length; // 0: the end of STDIN
 * ```
 */
export function streamRecords(records: readonly FcgiRecord[], type: StreamType): Uint8Array[] {
  const contents: Uint8Array[] = [];
  for (const record of records) {
    if (record.type === type) contents.push(record.content);
  }
  return contents;
}

/**
 * One stream's bytes, joined.
 *
 * @example
 * ```ts
 * joinStream(records, RecordType.Stderr).toString(); // 'PHP message: ...'
 * ```
 */
export function joinStream(records: readonly FcgiRecord[], type: StreamType): Buffer {
  return Buffer.concat(streamRecords(records, type));
}

/**
 * The PARAMS stream decoded with the incremental decoder, one record at a time, as an object.
 *
 * @example
 * ```ts
 * decodeParamsStream(records).REQUEST_METHOD; // 'GET'
 * ```
 */
export function decodeParamsStream(records: readonly FcgiRecord[]): Record<string, string> {
  const decoder = new ParamsDecoder();
  const params: Record<string, string> = {};
  for (const content of streamRecords(records, RecordType.Params)) {
    for (const pair of decoder.push(content)) params[pair.name] = pair.value;
  }
  decoder.end();
  return params;
}

/**
 * STDOUT split into the parsed CGI head and the body bytes after it.
 *
 * @example
 * ```ts
 * const { head, body } = splitStdout(records);
 * head.status; // 200
 * ```
 */
export function splitStdout(records: readonly FcgiRecord[]): { head: CgiHead; body: Buffer } {
  const parser = new CgiHeadParser();
  const body: Uint8Array[] = [];
  let head: CgiHead | undefined;
  for (const content of streamRecords(records, RecordType.Stdout)) {
    if (head !== undefined) {
      body.push(content);
      continue;
    }
    const result = parser.push(content);
    if (result === undefined) continue;
    head = result.head;
    body.push(result.rest);
  }
  if (head === undefined) throw new Error('STDOUT never completed its CGI head');
  return { head, body: Buffer.concat(body) };
}

/**
 * `length` pseudo-random bytes from a xorshift32 generator: the same bytes for the same seed.
 *
 * @example
 * ```ts
 * pseudoRandomBytes(4, 1).equals(pseudoRandomBytes(4, 1)); // true
 * ```
 */
export function pseudoRandomBytes(length: number, seed: number): Buffer {
  const bytes = Buffer.alloc(length);
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

/**
 * The sequence of record types with consecutive repeats collapsed.
 *
 * @example
 * ```ts
 * typeSequence(records); // ['STDOUT', 'STDERR', 'STDOUT', 'END_REQUEST']
 * ```
 */
export function typeSequence(records: readonly FcgiRecord[]): string[] {
  const names: Record<number, string> = { 1: 'BEGIN_REQUEST', 3: 'END_REQUEST', 4: 'PARAMS', 5: 'STDIN', 6: 'STDOUT', 7: 'STDERR' };
  const sequence: string[] = [];
  for (const record of records) {
    const name = record.type === 'unknown' ? `unknown ${record.rawType}` : (names[record.type] ?? `type ${record.type}`);
    if (sequence[sequence.length - 1] !== name) sequence.push(name);
  }
  return sequence;
}

/**
 * `'equal'`, or where two byte strings first differ: a short failure message instead of a 3 MB diff.
 *
 * @example
 * ```ts
 * expect(compareBytes(received, sent)).toBe('equal');
 * ```
 */
export function compareBytes(actual: Uint8Array, expected: Uint8Array): string {
  const length = Math.min(actual.length, expected.length);
  for (let index = 0; index < length; index++) {
    if (actual[index] !== expected[index]) return `differ at byte ${index} (${actual[index]} vs ${expected[index]})`;
  }
  return actual.length === expected.length ? 'equal' : `lengths differ: ${actual.length} vs ${expected.length}`;
}
