import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  CodecErrorCode,
  FastCgiError,
  FastCgiProtocolError,
  RecordDecoder,
  RecordType,
  encodeRecord,
} from '../src/index.js';
import { recordFixtures } from './support/fixtures.js';
import { encodeAll, thrown } from './support/helpers.js';

/** A record header: version, type, request id, content length, padding length. */
function header(version: number, type: number, requestId: number, contentLength: number, paddingLength = 0): number[] {
  return [version, type, requestId >> 8, requestId & 0xff, contentLength >> 8, contentLength & 0xff, paddingLength, 0];
}

const stdout = { type: RecordType.Stdout, requestId: 1, content: new Uint8Array([65, 66]) } as const;

describe('RecordDecoder validation', () => {
  it.each([0, 2, 255])('rejects version %i with ERR_FCGI_INVALID_VERSION as soon as the header is complete', (version) => {
    const decoder = new RecordDecoder();
    const error = thrown(() => decoder.push(new Uint8Array(header(version, 6, 1, 100))));
    expect(error).toBeInstanceOf(FastCgiProtocolError);
    expect((error as FastCgiProtocolError).code).toBe(CodecErrorCode.InvalidVersion);
    expect((error as FastCgiProtocolError).requestId).toBe(1);
  });

  it('rejects a bad version in a header split over chunks', () => {
    const decoder = new RecordDecoder();
    expect(decoder.push(new Uint8Array([2, 6, 0]))).toEqual([]);
    expect(() => decoder.push(new Uint8Array([1, 0, 0, 0, 0]))).toThrow(expect.objectContaining({ code: 'ERR_FCGI_INVALID_VERSION' }));
  });

  describe.each([
    ['BEGIN_REQUEST', RecordType.BeginRequest],
    ['END_REQUEST', RecordType.EndRequest],
    ['UNKNOWN_TYPE', RecordType.UnknownType],
  ])('%s', (_name, type) => {
    it.each([0, 1, 7, 9, 16, 65535])('rejects a body of %i bytes with ERR_FCGI_INVALID_BODY_LENGTH', (length) => {
      const error = thrown(() => new RecordDecoder().push(new Uint8Array(header(1, type, 3, length))));
      expect(error).toBeInstanceOf(FastCgiProtocolError);
      expect(error).toMatchObject({ code: CodecErrorCode.InvalidBodyLength, recordType: type, requestId: 3 });
    });
  });

  it('accepts any body length for ABORT_REQUEST, as content is ignored', () => {
    const bytes = new Uint8Array([...header(1, RecordType.AbortRequest, 5, 3, 5), 1, 2, 3, 0, 0, 0, 0, 0]);
    expect(new RecordDecoder().push(bytes)).toEqual([{ type: RecordType.AbortRequest, requestId: 5 }]);
  });

  it.each([0, 1, 7, 8, 100, 255])('skips %i bytes of padding, whatever their value', (paddingLength) => {
    const bytes = new Uint8Array([...header(1, 6, 1, 2, paddingLength), 65, 66, ...new Array<number>(paddingLength).fill(1)]);
    const decoder = new RecordDecoder();
    const records = [...decoder.push(bytes), ...decoder.push(encodeRecord(stdout))];
    expect(records).toEqual([stdout, stdout]);
  });

  it('skips padding pushed one byte at a time', () => {
    const decoder = new RecordDecoder();
    expect(decoder.push(new Uint8Array([...header(1, 6, 1, 2, 200), 65, 66]))).toEqual([stdout]);
    for (let index = 0; index < 200; index++) expect(decoder.push(new Uint8Array([1]))).toEqual([]);
    expect(decoder.idle).toBe(true);
    expect(decoder.push(encodeRecord(stdout))).toEqual([stdout]);
  });

  it('rejects a GET_VALUES record whose pair runs past its content with ERR_FCGI_INVALID_PARAMS', () => {
    const bytes = new Uint8Array([...header(1, RecordType.GetValues, 0, 3, 5), 5, 0, 65, 0, 0, 0, 0, 0]);
    expect(() => new RecordDecoder().push(bytes)).toThrow(expect.objectContaining({ code: CodecErrorCode.InvalidParams }));
  });
});

describe('RecordDecoder poisoning', () => {
  it('throws ERR_FCGI_DECODER_POISONED on every push and end after an error, citing the first error', () => {
    const decoder = new RecordDecoder();
    const first = thrown(() => decoder.push(new Uint8Array(header(9, 6, 1, 0))));
    const again = thrown(() => decoder.push(encodeRecord(stdout)));
    expect(again).toMatchObject({ code: CodecErrorCode.DecoderPoisoned });
    expect((again as Error).cause).toBe(first);
    expect(() => decoder.end()).toThrow(expect.objectContaining({ code: CodecErrorCode.DecoderPoisoned }));
  });

  it('returns no record that follows the error in the same chunk', () => {
    const decoder = new RecordDecoder();
    const bytes = new Uint8Array([...header(1, RecordType.EndRequest, 1, 4, 4), 0, 0, 0, 0, 0, 0, 0, 0, ...encodeRecord(stdout)]);
    expect(() => decoder.push(bytes)).toThrow(FastCgiProtocolError);
    expect(() => decoder.push(new Uint8Array(0))).toThrow(expect.objectContaining({ code: CodecErrorCode.DecoderPoisoned }));
  });

  it('is also poisoned after end() found a truncated record', () => {
    const decoder = new RecordDecoder();
    decoder.push(encodeRecord(stdout).subarray(0, 9));
    expect(() => decoder.end()).toThrow(expect.objectContaining({ code: CodecErrorCode.TruncatedRecord }));
    expect(() => decoder.push(encodeRecord(stdout))).toThrow(expect.objectContaining({ code: CodecErrorCode.DecoderPoisoned }));
  });
});

describe('RecordDecoder.end() and idle', () => {
  const bytes = encodeAll(recordFixtures.map((fixture) => fixture.record));

  it('throws ERR_FCGI_TRUNCATED_RECORD when the input stopped at any byte inside a record', () => {
    const boundaries = new Set<number>();
    let offset = 0;
    for (const fixture of recordFixtures) boundaries.add((offset += fixture.bytes.length));
    for (let cut = 1; cut < bytes.length; cut++) {
      const decoder = new RecordDecoder();
      decoder.push(bytes.subarray(0, cut));
      expect(decoder.idle).toBe(boundaries.has(cut));
      if (boundaries.has(cut)) {
        expect(() => decoder.end()).not.toThrow();
      } else {
        const error = thrown(() => decoder.end());
        expect(error).toBeInstanceOf(FastCgiProtocolError);
        expect(error).toMatchObject({ code: CodecErrorCode.TruncatedRecord });
      }
    }
  });

  it('reports the record type and request id of the truncated record', () => {
    const decoder = new RecordDecoder();
    decoder.push(encodeRecord({ type: RecordType.Stdin, requestId: 77, content: new Uint8Array(20) }).subarray(0, 20));
    expect(thrown(() => decoder.end())).toMatchObject({ recordType: RecordType.Stdin, requestId: 77 });
  });

  it('succeeds on empty input', () => {
    expect(() => new RecordDecoder().end()).not.toThrow();
  });

  it('counts a record whose padding was cut off as truncated', () => {
    const decoder = new RecordDecoder();
    expect(decoder.push(encodeRecord(stdout).subarray(0, 12))).toEqual([stdout]);
    expect(() => decoder.end()).toThrow(expect.objectContaining({ code: CodecErrorCode.TruncatedRecord }));
  });
});

describe('RecordDecoder options', () => {
  it.each([-1, 1.5, Number.NaN, Infinity])('rejects maxValuesPairs %s with ERR_FCGI_INVALID_OPTION', (value) => {
    const error = thrown(() => new RecordDecoder({ maxValuesPairs: value }));
    expect(FastCgiError.is(error)).toBe(true);
    expect(error).toMatchObject({ code: CodecErrorCode.InvalidOption });
  });

  it('limits the pairs of one GET_VALUES record with maxValuesPairs (ERR_FCGI_TOO_MANY_VALUES)', () => {
    const pairs = Array.from({ length: 4 }, (_, index) => [`NAME_${index}`, ''] as const);
    const bytes = encodeRecord({ type: RecordType.GetValues, requestId: 0, pairs });
    expect(new RecordDecoder({ maxValuesPairs: 4 }).push(bytes)).toHaveLength(1);
    const error = thrown(() => new RecordDecoder({ maxValuesPairs: 3 }).push(bytes));
    expect(error).toMatchObject({ code: CodecErrorCode.TooManyValues, limit: 3 });
  });

  it('defaults maxValuesPairs to 100', () => {
    const pairsOf = (count: number): [string, string][] => Array.from({ length: count }, (_, index) => [`N${index}`, '1']);
    expect(new RecordDecoder().push(encodeRecord({ type: RecordType.GetValuesResult, requestId: 0, pairs: pairsOf(100) }))).toHaveLength(1);
    expect(() => new RecordDecoder().push(encodeRecord({ type: RecordType.GetValuesResult, requestId: 0, pairs: pairsOf(101) })))
      .toThrow(expect.objectContaining({ code: CodecErrorCode.TooManyValues }));
  });

  it('decodes GET_VALUES text as latin1 with encoding: latin1, keeping the raw bytes', () => {
    const bytes = encodeRecord({ type: RecordType.GetValuesResult, requestId: 0, pairs: [[new Uint8Array([0xe9]), new Uint8Array([0xff, 0x41])]] });
    const [record] = new RecordDecoder({ encoding: 'latin1' }).push(bytes);
    expect(record).toMatchObject({ pairs: [{ name: '\u00e9', value: '\u00ffA', nameBytes: new Uint8Array([0xe9]), valueBytes: new Uint8Array([0xff, 0x41]) }] });
  });
});

describe('RecordDecoder memory', () => {
  /** Forces a full garbage collection (exposes `gc` in this worker). */
  function collectGarbage(): void {
    setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as () => void)();
  }

  /** Pushes three pieces of one large record, each a fresh buffer; returns weak references to them. */
  function pushPieces(decoder: RecordDecoder): WeakRef<ArrayBuffer>[] {
    const bytes = encodeRecord({ type: RecordType.Stdout, requestId: 1, content: new Uint8Array(60_000).fill(7) });
    return [[0, 3], [3, 1000], [1000, 30_000]].map(([start, end]) => {
      const chunk = bytes.slice(start, end);
      expect(decoder.push(chunk)).toEqual([]);
      return new WeakRef(chunk.buffer);
    });
  }

  it('holds no reference to consumed chunks, even mid-record', async () => {
    const decoder = new RecordDecoder();
    const references = pushPieces(decoder);
    await new Promise((resolve) => setTimeout(resolve, 0));
    collectGarbage();
    expect(references.map((reference) => reference.deref() === undefined)).toEqual([true, true, true]);
    expect(decoder.idle).toBe(false);
  });
});
