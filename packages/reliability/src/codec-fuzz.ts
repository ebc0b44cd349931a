/**
 * Fuzzes the codec's three parsers (RecordDecoder, decodeParams/ParamsDecoder,
 * CgiHeadParser) with mutated real-shaped traffic and random bytes, split at random
 * points, each input a view inside a larger buffer of guard bytes. A case passes when the
 * parser returns, or throws a `FastCgiProtocolError`, and what it returns stays inside its
 * limits and inside its input (no view reaches the guard bytes: no out-of-bounds read). Anything else is an anomaly, reported with the
 * seed and case number that replay it.
 *
 * @module
 */
import {
  CgiHeadParser,
  CodecErrorCode,
  FastCgiProtocolError,
  type FcgiRecord,
  ParamsDecoder,
  RecordDecoder,
  decodeParams,
} from '@fcgi/codec';
import { type Corpus, type Seed, buildCorpus } from './corpus.js';
import { Random, chunksAt, mutate, splitPoints } from './mutate.js';

/** The parser a case feeds. */
export type FuzzTarget = 'records' | 'params' | 'head';

/** One case that broke a rule: replay it with `runCase(seed, index)`. */
export interface Anomaly {
  readonly target: FuzzTarget;
  readonly seed: number;
  readonly index: number;
  readonly message: string;
}

/** What a run saw. */
export interface FuzzSummary {
  cases: number;
  byTarget: Record<FuzzTarget, number>;
  /** Typed errors by `code` ('ok' for cases that parsed). */
  outcomes: Record<string, number>;
  anomalies: Anomaly[];
  maxCaseMilliseconds: number;
  milliseconds: number;
  /** Peak of `process.memoryUsage().arrayBuffers` seen during the run. */
  peakArrayBufferBytes: number;
}

/** Options of {@link runCodecFuzz}. */
export interface CodecFuzzOptions {
  cases: number;
  seed?: number;
  /** Stop early after this many milliseconds (default: no bound). */
  timeLimit?: number;
}

const targets: readonly FuzzTarget[] = ['records', 'params', 'head'];

class RuleBroken extends Error {}

function check(condition: boolean, message: string): void {
  if (!condition) throw new RuleBroken(message);
}

/**
 * Places `bytes` inside a larger buffer between guard bytes, so that a parser reading past
 * its input's view would return bytes (or views) from outside it.
 */
function guarded(bytes: Uint8Array, random: Random): Uint8Array {
  const before = random.below(16);
  const outer = new Uint8Array(before + bytes.length + 16).fill(0xee);
  outer.set(bytes, before);
  return outer.subarray(before, before + bytes.length);
}

/** A returned view must lie inside the input's view (or be a copy in another buffer). */
function checkInside(view: Uint8Array, input: Uint8Array, what: string): void {
  if (view.buffer !== input.buffer || view.length === 0) return;
  check(view.byteOffset >= input.byteOffset && view.byteOffset + view.length <= input.byteOffset + input.length, `${what} outside the input`);
}

function contentLength(record: FcgiRecord): number {
  return 'content' in record ? record.content.length : 0;
}

function fuzzRecords(bytes: Uint8Array, random: Random): string {
  const maxValuesPairs = random.pick([2, 100]);
  const decoder = new RecordDecoder({ maxValuesPairs, copyContent: random.below(2) === 0 });
  const input = guarded(bytes, random);
  try {
    for (const chunk of chunksAt(input, splitPoints(input.length, random))) {
      for (const record of decoder.push(chunk)) {
        check(contentLength(record) <= 65535, 'record content over 65535 bytes');
        if ('content' in record) checkInside(record.content, chunk, 'record content');
        if ('pairs' in record) check(record.pairs.length <= maxValuesPairs, 'more pairs than maxValuesPairs');
      }
    }
    decoder.end();
    return 'ok';
  } catch (error) {
    if (!(error instanceof FastCgiProtocolError)) throw error;
    let poisoned = false;
    try {
      decoder.push(new Uint8Array(8));
    } catch (next) {
      poisoned = next instanceof FastCgiProtocolError && next.code === CodecErrorCode.DecoderPoisoned;
    }
    check(poisoned, 'decoder not poisoned after an error');
    return error.code;
  }
}

function pairBytes(pairs: readonly { nameBytes: Uint8Array; valueBytes: Uint8Array }[]): number {
  let total = 0;
  for (const pair of pairs) total += pair.nameBytes.length + pair.valueBytes.length;
  return total;
}

function incrementalParams(bytes: Uint8Array, random: Random, options: { maxParamsBytes: number; maxParamsPairs: number }): number | string {
  const decoder = new ParamsDecoder(options);
  let count = 0;
  try {
    for (const chunk of chunksAt(bytes, splitPoints(bytes.length, random))) count += decoder.push(chunk).length;
    decoder.end();
    return count;
  } catch (error) {
    if (!(error instanceof FastCgiProtocolError)) throw error;
    return error.code;
  }
}

function fuzzParams(bytes: Uint8Array, random: Random): string {
  const options = { maxParamsBytes: random.pick([64, 1024, 262144]), maxParamsPairs: random.pick([3, 1000]) };
  const input = guarded(bytes, random);
  const incremental = incrementalParams(input, random, options);
  try {
    const pairs = decodeParams(input, options);
    for (const pair of pairs) {
      checkInside(pair.nameBytes, input, 'a name');
      checkInside(pair.valueBytes, input, 'a value');
    }
    check(pairs.length <= options.maxParamsPairs, 'more pairs than maxParamsPairs');
    check(pairBytes(pairs) <= options.maxParamsBytes, 'pair bytes over maxParamsBytes');
    check(incremental === pairs.length, `ParamsDecoder disagrees: ${String(incremental)} vs ${pairs.length} pairs`);
    return 'ok';
  } catch (error) {
    if (!(error instanceof FastCgiProtocolError)) throw error;
    check(typeof incremental === 'string', 'ParamsDecoder accepted what decodeParams refused');
    return error.code;
  }
}

function fuzzHead(bytes: Uint8Array, random: Random): string {
  const options = { maxHeadBytes: random.pick([32, 1024, 65536]), maxHeaders: random.pick([2, 200]) };
  const parser = new CgiHeadParser(options);
  let consumed = 0;
  const input = guarded(bytes, random);
  try {
    for (const chunk of chunksAt(input, splitPoints(input.length, random))) {
      consumed += chunk.length;
      const result = parser.push(chunk);
      if (result === undefined) continue;
      checkInside(result.rest, chunk, 'the body after the head');
      check(result.head.headers.length <= options.maxHeaders, 'more headers than maxHeaders');
      check(result.head.status >= 100 && result.head.status <= 999, `status ${result.head.status} out of range`);
      check(consumed - result.rest.length <= options.maxHeadBytes, 'a head over maxHeadBytes accepted');
      return 'ok';
    }
    parser.end();
    return 'ok';
  } catch (error) {
    if (!(error instanceof FastCgiProtocolError)) throw error;
    return error.code;
  }
}

function seedsFor(corpus: Corpus, target: FuzzTarget): readonly Seed[] {
  return target === 'records' ? corpus.records : target === 'params' ? corpus.params : corpus.heads;
}

/** The input of one case: mostly a mutated seed, sometimes random bytes. */
function caseInput(corpus: Corpus, target: FuzzTarget, random: Random): Uint8Array {
  const seeds = seedsFor(corpus, target);
  if (random.below(10) === 0) return random.bytes(random.below(300));
  return mutate(random.pick(seeds).bytes, random, random.pick(seeds).bytes);
}

const fuzzers: Record<FuzzTarget, (bytes: Uint8Array, random: Random) => string> = { records: fuzzRecords, params: fuzzParams, head: fuzzHead };

/**
 * Runs case `index` of the run seeded `seed`; returns its outcome ('ok' or an error code)
 * or throws what broke the rules.
 *
 * @example
 * ```ts
 * runCase(1, 4711, buildCorpus()); // 'ERR_FCGI_INVALID_VERSION', for instance
 * ```
 */
export function runCase(seed: number, index: number, corpus: Corpus = buildCorpus()): { target: FuzzTarget; outcome: string } {
  const target = targets[index % targets.length] as FuzzTarget;
  const random = new Random(Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b));
  return { target, outcome: fuzzers[target](caseInput(corpus, target, random), random) };
}

/**
 * Runs `cases` cases (or until `timeLimit`) and summarises them.
 *
 * @example
 * ```ts
 * const summary = runCodecFuzz({ cases: 20_000, seed: 1 });
 * summary.anomalies.length; // 0
 * ```
 */
export function runCodecFuzz(options: CodecFuzzOptions): FuzzSummary {
  const seed = options.seed ?? 1;
  const corpus = buildCorpus();
  const summary: FuzzSummary = { cases: 0, byTarget: { records: 0, params: 0, head: 0 }, outcomes: {}, anomalies: [], maxCaseMilliseconds: 0, milliseconds: 0, peakArrayBufferBytes: 0 };
  const start = performance.now();
  for (let index = 0; index < options.cases; index++) {
    const before = performance.now();
    try {
      const { target, outcome } = runCase(seed, index, corpus);
      summary.byTarget[target]++;
      summary.outcomes[outcome] = (summary.outcomes[outcome] ?? 0) + 1;
    } catch (error) {
      summary.anomalies.push({ target: targets[index % targets.length] as FuzzTarget, seed, index, message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    }
    const after = performance.now();
    summary.cases++;
    summary.maxCaseMilliseconds = Math.max(summary.maxCaseMilliseconds, after - before);
    if ((index & 4095) === 0) {
      summary.peakArrayBufferBytes = Math.max(summary.peakArrayBufferBytes, process.memoryUsage().arrayBuffers);
      if (options.timeLimit !== undefined && after - start > options.timeLimit) break;
    }
  }
  summary.milliseconds = performance.now() - start;
  return summary;
}
