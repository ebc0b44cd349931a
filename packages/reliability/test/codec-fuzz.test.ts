import { CgiHeadParser, FastCgiProtocolError, ParamsDecoder, RecordDecoder, decodeParams } from '@fcgi/codec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildCorpus } from '../src/corpus.js';
import { runCase, runCodecFuzz } from '../src/codec-fuzz.js';
import { Random, chunksAt, mutate, splitPoints } from '../src/mutate.js';

/** Runs `parse`, which must return or throw a FastCgiProtocolError; returns the code or 'ok'. */
/** The error a record type's checked content gives (BEGIN_REQUEST, END_REQUEST, UNKNOWN_TYPE: their fixed size; GET_VALUES and its result: pairs). */
const contentErrors = new Map<number, string>([
  [1, 'ERR_FCGI_INVALID_BODY_LENGTH'],
  [3, 'ERR_FCGI_INVALID_BODY_LENGTH'],
  [11, 'ERR_FCGI_INVALID_BODY_LENGTH'],
  [9, 'ERR_FCGI_INVALID_PARAMS'],
  [10, 'ERR_FCGI_INVALID_PARAMS'],
]);

function outcome(parse: () => unknown): string {
  try {
    parse();
    return 'ok';
  } catch (error) {
    expect(error).toBeInstanceOf(FastCgiProtocolError);
    return (error as FastCgiProtocolError).code;
  }
}

describe('the mutator', () => {
  it('is deterministic for a seed and never modifies its input', () => {
    const seed = buildCorpus().records[0]?.bytes as Uint8Array;
    const copy = seed.slice();
    const first = mutate(seed, new Random(9), seed);
    expect(mutate(seed, new Random(9), seed)).toEqual(first);
    expect(seed).toEqual(copy);
    expect(chunksAt(seed, splitPoints(seed.length, new Random(3))).reduce((total, chunk) => total + chunk.length, 0)).toBe(seed.length);
  });

  it('replays one case from its seed and index', () => {
    expect(runCase(77, 1234)).toEqual(runCase(77, 1234));
  });
});

describe('codec fuzzing (CI size)', () => {
  it('20,000 mutated and random inputs: the three parsers return or throw a FastCgiProtocolError, within their limits', () => {
    const summary = runCodecFuzz({ cases: 20_000, seed: 20261126, timeLimit: 30_000 });
    expect(summary.anomalies).toEqual([]);
    expect(summary.cases).toBe(20_000);
    // The corpus reaches every class of outcome, not only one error.
    for (const code of ['ok', 'ERR_FCGI_INVALID_VERSION', 'ERR_FCGI_INVALID_PARAMS', 'ERR_FCGI_PARAMS_TOO_LARGE', 'ERR_FCGI_HEAD_TOO_LARGE', 'ERR_FCGI_INVALID_HEADER', 'ERR_FCGI_TRUNCATED_RECORD']) {
      expect(summary.outcomes[code] ?? 0).toBeGreaterThan(0);
    }
    expect(summary.maxCaseMilliseconds).toBeLessThan(1000);
  }, 60_000);

  it('fast-check: pairs with 31-bit lengths near 0x7FFFFFFF (CVE-2025-23016) never allocate or read past the data', () => {
    const nearMax = fc.integer({ min: 0x7fffff00, max: 0x7fffffff });
    const length4 = (value: number): number[] => [((value >>> 24) & 0x7f) | 0x80, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
    fc.assert(fc.property(nearMax, nearMax, fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 0, max: 7 }), (nameLength, valueLength, tail, cut) => {
      const bytes = new Uint8Array([...length4(nameLength), ...length4(valueLength), ...tail]);
      const truncated = bytes.subarray(0, Math.max(0, bytes.length - cut));
      const before = process.memoryUsage().arrayBuffers;
      expect(outcome(() => decodeParams(truncated))).toMatch(/^ERR_FCGI_(INVALID_PARAMS|PARAMS_TOO_LARGE)$/);
      const decoder = new ParamsDecoder();
      expect(outcome(() => {
        for (let index = 0; index < truncated.length; index++) decoder.push(truncated.subarray(index, index + 1));
        decoder.end();
      })).toMatch(/^ERR_FCGI_(INVALID_PARAMS|PARAMS_TOO_LARGE)$/);
      // 2 GiB declared, nothing near that allocated (a generous bound for GC noise).
      expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 1024 * 1024);
    }), { numRuns: 300 });
  });

  it('fast-check: any record header (any version, type, lengths, padding) ends as records or one typed error, however split', () => {
    const header = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 255 }));
    fc.assert(fc.property(header, fc.uint8Array({ maxLength: 600 }), fc.array(fc.nat(), { maxLength: 3 }), ([version, type, id, length, padding], body, cuts) => {
      const bytes = new Uint8Array([version, type, id >> 8, id & 0xff, length >> 8, length & 0xff, padding, 0, ...body]);
      const decoder = new RecordDecoder();
      const code = outcome(() => {
        for (const chunk of chunksAt(bytes, cuts.map((cut) => cut % (bytes.length + 1)).sort((left, right) => left - right))) decoder.push(chunk);
        decoder.end();
      });
      if (version !== 1) expect(code).toBe('ERR_FCGI_INVALID_VERSION');
      else if (8 + length + padding > bytes.length) {
        // Types whose content the decoder checks as soon as the content is in (before the
        // padding) may fail that check first: a fixed-size body, or name-value pairs.
        const contentError = contentErrors.get(type);
        expect(contentError === undefined ? ['ERR_FCGI_TRUNCATED_RECORD'] : ['ERR_FCGI_TRUNCATED_RECORD', contentError]).toContain(code);
      }
    }), { numRuns: 2000 });
  });

  it('fast-check: a CGI head of any size and lines stays within maxHeadBytes / maxHeaders', () => {
    const line = fc.oneof(fc.constantFrom('Status: 200', 'Status: 99', 'Status: 2000', 'Status: abc', 'A: b', 'X', ': v', ' folded', 'Location: /x', '\0: nul'), fc.string({ maxLength: 40 }));
    fc.assert(fc.property(fc.array(line, { maxLength: 40 }), fc.boolean(), (lines, crlf) => {
      const text = `${lines.join(crlf ? '\r\n' : '\n')}${crlf ? '\r\n\r\n' : '\n\n'}body`;
      const parser = new CgiHeadParser({ maxHeadBytes: 256, maxHeaders: 5 });
      let headers = 0;
      const code = outcome(() => {
        headers = parser.push(new TextEncoder().encode(text))?.head.headers.length ?? 0;
      });
      expect(headers).toBeLessThanOrEqual(5);
      const headLines = lines.includes('') ? lines.slice(0, lines.indexOf('')) : lines;
      if (headLines.filter((entry) => /^status:/i.test(entry)).length > 1 && code === 'ok') expect.fail('two Status headers accepted');
    }), { numRuns: 1500 });
  });
});
