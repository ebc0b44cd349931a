/** Property tests (fast-check): any split, any records, any bytes. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CgiHeadParser,
  CodecErrorCode,
  FastCgiProtocolError,
  type FcgiRecord,
  type NameValuePair,
  ParamsDecoder,
  RecordDecoder,
  concatBytes,
  decodeParams,
  encodeParams,
  encodeRecord,
  encodeStream,
  serializeCgiHead,
} from '../src/index.js';
import { bytewise, decodeChunks, encodeAll, splitAt } from './support/helpers.js';

const utf8 = new TextDecoder();
const requestId = fc.integer({ min: 0, max: 65535 });
const content = fc.oneof({ weight: 4, arbitrary: fc.uint8Array({ maxLength: 64 }) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 3000 }) });
const rawPair = fc.tuple(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 200 }));

/** The pair the decoder returns for raw name and value bytes (UTF-8 text, raw bytes kept). */
function decodedPair([nameBytes, valueBytes]: [Uint8Array, Uint8Array]): NameValuePair {
  return { name: utf8.decode(nameBytes), value: utf8.decode(valueBytes), nameBytes, valueBytes };
}

/** Any record, in the exact form the decoder returns, so decode(encode(record)) = record. */
const recordArbitrary: fc.Arbitrary<FcgiRecord> = fc.oneof(
  fc.record({ requestId, role: fc.integer({ min: 0, max: 65535 }), flags: fc.integer({ min: 0, max: 255 }) })
    .map(({ requestId: id, role, flags }) => ({ type: 1 as const, requestId: id, role, keepConn: (flags & 1) === 1, flags })),
  requestId.map((id) => ({ type: 2 as const, requestId: id })),
  fc.record({ requestId, appStatus: fc.integer({ min: 0, max: 0xffffffff }), protocolStatus: fc.integer({ min: 0, max: 255 }) })
    .map((fields) => ({ type: 3 as const, ...fields })),
  fc.record({ type: fc.constantFrom(4 as const, 5 as const, 6 as const, 7 as const, 8 as const), requestId, content }),
  fc.record({ type: fc.constantFrom(9 as const, 10 as const), requestId, pairs: fc.array(rawPair, { maxLength: 20 }) })
    .map(({ type, requestId: id, pairs }) => ({ type, requestId: id, pairs: pairs.map(decodedPair) })),
  fc.record({ requestId, unknownType: fc.integer({ min: 0, max: 255 }) }).map((fields) => ({ type: 11 as const, ...fields })),
  fc.record({ rawType: fc.oneof(fc.constant(0), fc.integer({ min: 12, max: 255 })), requestId, content })
    .map((fields) => ({ type: 'unknown' as const, ...fields })),
);

const cuts = fc.array(fc.nat(), { maxLength: 12 });

/** Runs the decoder over chunks; returns the records and the one error, if any, checking the rules on the way. */
function decodeDefensively(chunks: readonly Uint8Array[]): { records: FcgiRecord[]; error: unknown } {
  const decoder = new RecordDecoder();
  const records: FcgiRecord[] = [];
  try {
    for (const chunk of chunks) records.push(...decoder.push(chunk));
    decoder.end();
    return { records, error: undefined };
  } catch (error) {
    expect(error).toBeInstanceOf(FastCgiProtocolError);
    expect((error as FastCgiProtocolError).code).toMatch(/^ERR_FCGI_/);
    expect(() => decoder.push(new Uint8Array([1, 2, 0, 1, 0, 0, 0, 0]))).toThrow(expect.objectContaining({ code: CodecErrorCode.DecoderPoisoned }));
    return { records, error };
  }
}

/**
 * Decodes `bytes` one byte at a time (the most records a stream can yield before an error)
 * and split at `offsets`: both end alike (records or the same error code), and the split
 * run's records are a prefix of the bytewise run's (a push that throws returns none of the
 * records completed earlier in its chunk).
 */
function expectSplitInvariance(bytes: Uint8Array, offsets: readonly number[]): void {
  const reference = decodeDefensively(bytewise(bytes));
  const split = decodeDefensively(splitAt(bytes, offsets));
  expect(split.error === undefined).toBe(reference.error === undefined);
  if (reference.error === undefined) {
    expect(split.records).toEqual(reference.records);
  } else {
    expect((split.error as FastCgiProtocolError).code).toBe((reference.error as FastCgiProtocolError).code);
    expect(split.records).toEqual(reference.records.slice(0, split.records.length));
  }
}

describe('RecordDecoder properties', () => {
  it('decode(any split of encode(records)) = records', () => {
    fc.assert(
      fc.property(fc.array(recordArbitrary, { maxLength: 30 }), cuts, (records, offsets) => {
        expect(decodeChunks(splitAt(encodeAll(records), offsets))).toEqual(records);
      }),
      { numRuns: 400 },
    );
  });

  it('decode(any split of encodeStream(content)) = the content, in records of at most maxRecordLength', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), fc.integer({ min: 1, max: 65535 }), fc.boolean(), cuts, (data, maxRecordLength, pad, offsets) => {
        const bytes = concatBytes(encodeStream(6, 1, data, { maxRecordLength, pad, end: true }));
        const records = decodeChunks(splitAt(bytes, offsets)) as { content: Uint8Array }[];
        expect(records.at(-1)?.content.length).toBe(0);
        expect(records.every((record) => record.content.length <= maxRecordLength)).toBe(true);
        expect(concatBytes(records.map((record) => record.content))).toEqual(data);
      }),
      { numRuns: 200 },
    );
  });

  it('arbitrary bytes end as records or one FastCgiProtocolError, the same however they are split', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), cuts, (bytes, offsets) => {
        expectSplitInvariance(bytes, offsets);
      }),
      { numRuns: 1000 },
    );
  });

  it('random headers (version 1, any type and lengths) with random bodies end as records or one FastCgiProtocolError', () => {
    const piece = fc.record({
      type: fc.integer({ min: 0, max: 255 }),
      contentLength: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constant(8)),
      paddingLength: fc.integer({ min: 0, max: 12 }),
      body: fc.uint8Array({ maxLength: 60 }),
    });
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 20 }), cuts, (pieces, offsets) => {
        const bytes = new Uint8Array(pieces.flatMap(({ type, contentLength, paddingLength, body }) => [1, type, 0, 1, 0, contentLength, paddingLength, 0, ...body]));
        expectSplitInvariance(bytes, offsets);
      }),
      { numRuns: 1000 },
    );
  });

  it('mostly valid streams with one corrupted byte end as records or one FastCgiProtocolError', () => {
    fc.assert(
      fc.property(fc.array(recordArbitrary, { minLength: 1, maxLength: 10 }), fc.nat(), fc.integer({ min: 0, max: 255 }), cuts, (records, position, value, offsets) => {
        const bytes = encodeAll(records);
        bytes[position % bytes.length] = value;
        expectSplitInvariance(bytes, offsets);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('params properties', () => {
  it('the incremental decoder gives the pairs back for any split of encodeParams(pairs)', () => {
    fc.assert(
      fc.property(fc.array(rawPair, { maxLength: 30 }), cuts, (pairs, offsets) => {
        const decoder = new ParamsDecoder();
        const decoded = splitAt(encodeParams(pairs), offsets).flatMap((piece) => decoder.push(piece));
        decoder.end();
        expect(decoded).toEqual(pairs.map(decodedPair));
        expect(decodeParams(encodeParams(pairs))).toEqual(pairs.map(decodedPair));
      }),
      { numRuns: 400 },
    );
  });

  it('string pairs survive encodeParams/decodeParams (well-formed UTF-8 text, latin1 text)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' })), { maxLength: 10 }), (pairs) => {
        expect(decodeParams(encodeParams(pairs)).map(({ name, value }) => [name, value])).toEqual(pairs);
      }),
      { numRuns: 60 },
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ unit: 'binary' }).map((text) => text.replace(/[^\0-\xff]/g, '?')), fc.string()), { maxLength: 10 }), (pairs) => {
        const latin1 = pairs.map(([name, value]) => [name, value.replace(/[^\0-\xff]/g, '?')] as const);
        const decoded = decodeParams(encodeParams(latin1, { encoding: 'latin1' }), { encoding: 'latin1' });
        expect(decoded.map(({ name, value }) => [name, value])).toEqual(latin1);
      }),
      { numRuns: 60 },
    );
  });

  it('arbitrary bytes end as pairs or one FastCgiProtocolError, and the incremental decoder agrees with decodeParams', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1500 }), cuts, (bytes, offsets) => {
        let whole: NameValuePair[] | undefined;
        try {
          whole = decodeParams(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(FastCgiProtocolError);
        }
        const decoder = new ParamsDecoder();
        const pieces: NameValuePair[] = [];
        let failed = false;
        try {
          for (const piece of splitAt(bytes, offsets)) pieces.push(...decoder.push(piece));
          decoder.end();
        } catch (error) {
          expect(error).toBeInstanceOf(FastCgiProtocolError);
          failed = true;
        }
        expect(failed).toBe(whole === undefined);
        if (whole !== undefined) expect(pieces).toEqual(whole);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('CGI head properties', () => {
  const token = fc.string({ unit: fc.constantFrom(...'abcXYZ-_019!#$%&\'*+.^`|~'), minLength: 1, maxLength: 20 });
  const value = fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).filter((code) => code !== 0x7f).map((code) => String.fromCharCode(code)), maxLength: 40 })
    .map((text) => text.trim());
  const headers = fc.array(fc.tuple(token, value).filter(([name]) => !['status', 'location'].includes(name.toLowerCase())), { maxLength: 15 });

  it('parse(any split of serializeCgiHead(head) + body) = head, body', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 999 }), headers, fc.uint8Array({ maxLength: 100 }), cuts, (status, entries, body, offsets) => {
        const bytes = concatBytes([serializeCgiHead({ status, headers: entries }), body]);
        const parser = new CgiHeadParser();
        const chunks = splitAt(bytes, offsets);
        let index = 0;
        let result = parser.push(chunks[index]!);
        while (result === undefined) result = parser.push(chunks[++index]!);
        expect(result.head.status).toBe(status);
        expect(result.head.headers).toEqual(entries);
        expect(concatBytes([result.rest, ...chunks.slice(index + 1)])).toEqual(body);
      }),
      { numRuns: 300 },
    );
  });

  it('arbitrary bytes end as a head, a wait for more, or one FastCgiProtocolError', () => {
    const input = fc.oneof(fc.uint8Array({ maxLength: 600 }), fc.array(fc.constantFrom(...'A:b \t\r\n\r\nStatus: 2x0'.split('').map((character) => character.charCodeAt(0))), { maxLength: 300 }).map((codes) => new Uint8Array(codes)));
    fc.assert(
      fc.property(input, cuts, (bytes, offsets) => {
        const parser = new CgiHeadParser({ maxHeadBytes: 400, maxHeaders: 20 });
        try {
          for (const chunk of splitAt(bytes, offsets)) {
            if (parser.push(chunk) !== undefined) break;
          }
          if (!parser.done) parser.end();
        } catch (error) {
          expect(error).toBeInstanceOf(FastCgiProtocolError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('header properties', () => {
  it('encodeRecord writes every header field as given', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), requestId, fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 0, max: 255 }), (type, id, data, paddingLength) => {
        const bytes = encodeRecord({ type: 'unknown', rawType: type, requestId: id, content: data }, { paddingLength });
        expect(bytes.length).toBe(8 + data.length + paddingLength);
        expect([bytes[0], bytes[1], (bytes[2]! << 8) | bytes[3]!, (bytes[4]! << 8) | bytes[5]!, bytes[6], bytes[7]]).toEqual([1, type, id, data.length, paddingLength, 0]);
      }),
    );
  });
});
