import { describe, expect, it } from 'vitest';
import {
  CodecErrorCode,
  FCGI_MAX_CONTENT_LENGTH,
  FastCgiArgumentError,
  type FcgiRecord,
  ParamsDecoder,
  RecordDecoder,
  RecordType,
  concatBytes,
  decodeParams,
  encodeParams,
  encodeParamsStream,
  encodeRecord,
  encodeStream,
  paddingLengthFor,
  writeHeader,
} from '../src/index.js';
import { pair } from './support/fixtures.js';
import { decodeChunks, pseudoRandomBytes, sameBytes, thrown } from './support/helpers.js';

type Stream = Extract<FcgiRecord, { content: Uint8Array; type: number }>;

/** Decodes pieces from encodeStream/encodeParamsStream into records. */
function decodePieces(pieces: readonly Uint8Array[]): Stream[] {
  return decodeChunks([concatBytes(pieces)]) as Stream[];
}

describe('encodeStream', () => {
  it('writes 66000 bytes of STDIN on request 300 as 65535 + 465 bytes with 1 and 7 bytes of padding', () => {
    const content = pseudoRandomBytes(66_000);
    const bytes = concatBytes(encodeStream(RecordType.Stdin, 300, content, { end: true }));
    const first = [1, 5, 0x01, 0x2c, 0xff, 0xff, 1, 0]; // version, STDIN, id 300, length 65535, padding 1, reserved
    const second = [1, 5, 0x01, 0x2c, 0x01, 0xd1, 7, 0]; // version, STDIN, id 300, length 465, padding 7, reserved
    const end = [1, 5, 0x01, 0x2c, 0, 0, 0, 0]; // version, STDIN, id 300, length 0, padding 0, reserved
    expect(bytes.length).toBe(8 + 65535 + 1 + 8 + 465 + 7 + 8);
    expect(Array.from(bytes.subarray(0, 8))).toEqual(first);
    expect(sameBytes(bytes.subarray(8, 8 + 65535), content.subarray(0, 65535))).toBe(true);
    expect(bytes[8 + 65535]).toBe(0);
    const secondStart = 8 + 65535 + 1;
    expect(Array.from(bytes.subarray(secondStart, secondStart + 8))).toEqual(second);
    expect(bytes.subarray(secondStart + 8, secondStart + 8 + 465)).toEqual(content.subarray(65535));
    expect(Array.from(bytes.subarray(secondStart + 8 + 465, secondStart + 8 + 465 + 7))).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(bytes.subarray(bytes.length - 8))).toEqual(end);
    const records = decodeChunks([bytes]) as Stream[];
    expect(records.map((record) => [record.type, record.requestId, record.content.length])).toEqual([[5, 300, 65535], [5, 300, 465], [5, 300, 0]]);
    expect(sameBytes(concatBytes(records.map((record) => record.content)), content)).toBe(true);
  });

  it('returns large content as views, not copies, between fresh headers', () => {
    const content = new Uint8Array(100_000);
    const pieces = encodeStream(RecordType.Stdout, 1, content);
    const views = pieces.filter((piece) => piece.buffer === content.buffer);
    expect(views.map((view) => view.length)).toEqual([65535, 34465]);
  });

  it('writes nothing for empty content, and only the end record with end: true', () => {
    expect(encodeStream(RecordType.Stdout, 1, new Uint8Array(0))).toEqual([]);
    expect(Array.from(concatBytes(encodeStream(RecordType.Stderr, 2, new Uint8Array(0), { end: true })))).toEqual([1, 7, 0, 2, 0, 0, 0, 0]);
  });

  it.each([1, 7, 8, 1000, 65535])('splits content into records of at most maxRecordLength = %i bytes', (maxRecordLength) => {
    const content = pseudoRandomBytes(20_000, maxRecordLength);
    const records = decodePieces(encodeStream(RecordType.Data, 9, content, { maxRecordLength, end: true }));
    expect(records.every((record) => record.content.length <= maxRecordLength && record.type === RecordType.Data && record.requestId === 9)).toBe(true);
    expect(records.at(-1)?.content.length).toBe(0);
    expect(records.length).toBe(Math.ceil(20_000 / maxRecordLength) + 1);
    expect(concatBytes(records.map((record) => record.content))).toEqual(content);
  });

  it('pads every record to an 8-byte boundary by default', () => {
    for (let length = 0; length < 20; length++) {
      const bytes = concatBytes(encodeStream(RecordType.Stdout, 1, new Uint8Array(length), { end: true }));
      expect(bytes.length % 8).toBe(0);
    }
  });

  it('writes no padding with pad: false', () => {
    const bytes = concatBytes(encodeStream(RecordType.Stdout, 1, new Uint8Array(70_000), { pad: false }));
    expect(bytes.length).toBe(8 + 65535 + 8 + 4465);
    expect(bytes[6]).toBe(0);
    expect(bytes[8 + 65535 + 6]).toBe(0);
  });

  it('writes an exact paddingLength when given, overriding pad', () => {
    const bytes = concatBytes(encodeStream(RecordType.Stdout, 1, new Uint8Array([1, 2]), { paddingLength: 255, pad: false }));
    expect(bytes.length).toBe(8 + 2 + 255);
    expect(bytes[6]).toBe(255);
    expect(decodeChunks([bytes])).toEqual([{ type: 6, requestId: 1, content: new Uint8Array([1, 2]) }]);
  });

  it.each([0, -1, 65536, 1.5])('rejects maxRecordLength %s with ERR_FCGI_INVALID_OPTION', (maxRecordLength) => {
    const error = thrown(() => encodeStream(RecordType.Stdout, 1, new Uint8Array(1), { maxRecordLength }));
    expect(error).toBeInstanceOf(FastCgiArgumentError);
    expect(error).toMatchObject({ code: CodecErrorCode.InvalidOption });
  });

  it.each([-1, 65536, 0.5])('rejects request id %s with ERR_FCGI_INVALID_RECORD', (requestId) => {
    expect(() => encodeStream(RecordType.Stdout, requestId, new Uint8Array(1))).toThrow(expect.objectContaining({ code: CodecErrorCode.InvalidRecord }));
  });
});

describe('encodeParamsStream', () => {
  const bigParams = Array.from({ length: 40 }, (_, index) => [`HTTP_X_${index}`, 'v'.repeat(5000 + index)] as [string, string]);

  it('never splits a pair across PARAMS records by default: each record decodes on its own (as php-fpm parses)', () => {
    const records = decodePieces(encodeParamsStream(1, bigParams));
    expect(records.length).toBeGreaterThan(3);
    expect(records.at(-1)?.content.length).toBe(0);
    const perRecord = records.flatMap((record) => decodeParams(record.content));
    expect(perRecord).toEqual(bigParams.map(([name, value]) => pair(name, value)));
    for (const record of records) expect(record.content.length).toBeLessThanOrEqual(FCGI_MAX_CONTENT_LENGTH);
    expect(records.every((record) => record.type === RecordType.Params && record.requestId === 1)).toBe(true);
  });

  it('fills records up to 65535 bytes before starting the next', () => {
    const records = decodePieces(encodeParamsStream(1, bigParams));
    const sizes = records.map((record) => record.content.length);
    const pairSize = (index: number): number => 1 + 4 + `HTTP_X_${index}`.length + 5000 + index;
    let consumed = 0;
    for (const size of sizes.slice(0, -2)) {
      let index = 0;
      let used = 0;
      while (used < size) used += pairSize(consumed + index++);
      consumed += index;
      expect(size + pairSize(consumed)).toBeGreaterThan(FCGI_MAX_CONTENT_LENGTH);
    }
  });

  it('throws ERR_FCGI_PARAM_TOO_LARGE for one pair over 65535 bytes unless keepPairsWhole is false', () => {
    const huge = { HTTP_COOKIE: 'c'.repeat(70_000) };
    const error = thrown(() => encodeParamsStream(1, huge));
    expect(error).toBeInstanceOf(FastCgiArgumentError);
    expect(error).toMatchObject({ code: CodecErrorCode.ParamTooLarge });
    const records = decodePieces(encodeParamsStream(1, huge, { keepPairsWhole: false }));
    expect(records.map((record) => record.content.length)).toEqual([65535, 70_000 + 1 + 4 + 11 - 65535, 0]);
    const decoder = new ParamsDecoder();
    const pairs = records.flatMap((record) => decoder.push(record.content));
    decoder.end();
    expect(pairs).toEqual([pair('HTTP_COOKIE', huge.HTTP_COOKIE)]);
  });

  it('writes one PARAMS record and the empty one for small params; end: false leaves the empty one out', () => {
    const params = { REQUEST_METHOD: 'GET', SCRIPT_FILENAME: '/srv/index.php' };
    const withEnd = decodePieces(encodeParamsStream(5, params));
    expect(withEnd.map((record) => record.content.length)).toEqual([encodeParams(params).length, 0]);
    expect(decodePieces(encodeParamsStream(5, params, { end: false })).map((record) => record.content.length)).toEqual([encodeParams(params).length]);
  });

  it('writes only the empty PARAMS record for no params', () => {
    expect(Array.from(concatBytes(encodeParamsStream(1, {})))).toEqual([1, 4, 0, 1, 0, 0, 0, 0]);
  });
});

describe('encodeRecord arguments', () => {
  it.each<[string, FcgiRecord]>([
    ['request id 65536', { type: 2, requestId: 65536 }],
    ['request id -1', { type: 2, requestId: -1 }],
    ['role 65536', { type: 1, requestId: 1, role: 65536, keepConn: false }],
    ['flags 256', { type: 1, requestId: 1, role: 1, keepConn: false, flags: 256 }],
    ['appStatus 2^32', { type: 3, requestId: 1, appStatus: 2 ** 32, protocolStatus: 0 }],
    ['appStatus -1', { type: 3, requestId: 1, appStatus: -1, protocolStatus: 0 }],
    ['protocolStatus 256', { type: 3, requestId: 1, appStatus: 0, protocolStatus: 256 }],
    ['unknownType 256', { type: 11, requestId: 0, unknownType: 256 }],
    ['rawType 256', { type: 'unknown', rawType: 256, requestId: 0, content: new Uint8Array(0) }],
    ['content that is not bytes', { type: 6, requestId: 1, content: 'text' as unknown as Uint8Array }],
  ])('rejects %s with ERR_FCGI_INVALID_RECORD', (_name, record) => {
    const error = thrown(() => encodeRecord(record));
    expect(error).toBeInstanceOf(FastCgiArgumentError);
    expect(error).toMatchObject({ code: CodecErrorCode.InvalidRecord });
  });

  it('rejects content over 65535 bytes with ERR_FCGI_RECORD_TOO_LARGE', () => {
    expect(encodeRecord({ type: 6, requestId: 1, content: new Uint8Array(65535) }).length).toBe(8 + 65535 + 1);
    const error = thrown(() => encodeRecord({ type: 6, requestId: 1, content: new Uint8Array(65536) }));
    expect(error).toMatchObject({ code: CodecErrorCode.RecordTooLarge, recordType: 6, requestId: 1 });
  });

  it('derives the flags byte from keepConn when flags is absent', () => {
    expect(encodeRecord({ type: 1, requestId: 1, role: 1, keepConn: true })[10]).toBe(1);
    expect(encodeRecord({ type: 1, requestId: 1, role: 1, keepConn: false })[10]).toBe(0);
  });

  it('writes an unknown record with any raw type, even a known one, for fault injection', () => {
    const bytes = encodeRecord({ type: 'unknown', rawType: RecordType.BeginRequest, requestId: 1, content: new Uint8Array(3) });
    expect(Array.from(bytes.subarray(0, 8))).toEqual([1, 1, 0, 1, 0, 3, 5, 0]);
    expect(() => new RecordDecoder().push(bytes)).toThrow(expect.objectContaining({ code: CodecErrorCode.InvalidBodyLength }));
  });

  it('honours pad: false and paddingLength', () => {
    const record = { type: 6, requestId: 1, content: new Uint8Array(3) } as const;
    expect(encodeRecord(record, { pad: false }).length).toBe(11);
    expect(encodeRecord(record, { paddingLength: 0 }).length).toBe(11);
    expect(encodeRecord(record, { paddingLength: 13 }).length).toBe(24);
    expect(() => encodeRecord(record, { paddingLength: 256 })).toThrow(expect.objectContaining({ code: CodecErrorCode.InvalidRecord }));
  });

  it('encodes GET_VALUES names with the latin1 encoding option', () => {
    const bytes = encodeRecord({ type: 9, requestId: 0, pairs: [['\u00e9', '']] }, { encoding: 'latin1' });
    expect(Array.from(bytes.subarray(8, 11))).toEqual([1, 0, 0xe9]);
  });
});

describe('encoding helpers', () => {
  it('paddingLengthFor pads to the next multiple of 8', () => {
    expect(Array.from({ length: 17 }, (_, length) => paddingLengthFor(length))).toEqual([0, 7, 6, 5, 4, 3, 2, 1, 0, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(paddingLengthFor(65535)).toBe(1);
    expect(paddingLengthFor(5, { pad: false })).toBe(0);
    expect(paddingLengthFor(5, { paddingLength: 9 })).toBe(9);
  });

  it('writeHeader writes the 8 header bytes at an offset, big-endian', () => {
    const target = new Uint8Array(12).fill(0xee);
    writeHeader(target, 2, RecordType.Stdout, 0x1234, 0xabcd, 3);
    expect(Array.from(target)).toEqual([0xee, 0xee, 1, 6, 0x12, 0x34, 0xab, 0xcd, 3, 0, 0xee, 0xee]);
  });

  it('concatBytes joins pieces in order', () => {
    expect(Array.from(concatBytes([new Uint8Array([1]), new Uint8Array(0), new Uint8Array([2, 3])]))).toEqual([1, 2, 3]);
    expect(concatBytes([]).length).toBe(0);
  });
});
