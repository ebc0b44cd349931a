import { describe, expect, it } from 'vitest';
import { type FcgiRecord, RecordDecoder, RecordType, encodeRecord, isStreamRecord, wireType } from '../src/index.js';
import { decodeOnlyFixtures, recordFixtures } from './support/fixtures.js';
import { bytewise, decodeChunks, encodeAll, splitAt } from './support/helpers.js';

const allFixtures = [...recordFixtures, ...decodeOnlyFixtures];

describe('record fixtures (table-driven)', () => {
  describe.each(recordFixtures)('$name', ({ record, bytes }) => {
    it('decode(fixture) = object', () => {
      expect(new RecordDecoder().push(new Uint8Array(bytes))).toEqual([record]);
    });

    it('encode(object) = fixture bytes', () => {
      expect(Array.from(encodeRecord(record))).toEqual(bytes);
    });

    it('decode(encode(object)) = object', () => {
      expect(decodeChunks([encodeRecord(record)])).toEqual([record]);
    });

    it('has 8-byte aligned length, as the encoder pads by default', () => {
      expect(bytes.length % 8).toBe(0);
    });
  });

  describe.each(decodeOnlyFixtures)('decode only: $name', ({ record, bytes }) => {
    it('decode(fixture) = object', () => {
      expect(decodeChunks([new Uint8Array(bytes)])).toEqual([record]);
    });
  });
});

describe('chunking', () => {
  it.each(allFixtures)('decodes "$name" split at every byte offset, in two and in three pieces', ({ record, bytes }) => {
    const input = new Uint8Array(bytes);
    for (let cut = 0; cut <= input.length; cut++) {
      expect(decodeChunks(splitAt(input, [cut]))).toEqual([record]);
      for (let second = cut; second <= input.length; second += 3) {
        expect(decodeChunks(splitAt(input, [cut, second]))).toEqual([record]);
      }
    }
  });

  it.each(allFixtures)('decodes "$name" pushed one byte at a time', ({ record, bytes }) => {
    expect(decodeChunks(bytewise(new Uint8Array(bytes)))).toEqual([record]);
  });

  it('decodes every fixture back to back, the stream split at every byte offset', () => {
    const records = recordFixtures.map((fixture) => fixture.record);
    const stream = new Uint8Array(recordFixtures.flatMap((fixture) => [...fixture.bytes]));
    for (let cut = 0; cut <= stream.length; cut++) {
      expect(decodeChunks(splitAt(stream, [cut]))).toEqual(records);
    }
  });

  it('decodes one chunk holding 10,000 records, in order', () => {
    const records: FcgiRecord[] = [];
    for (let index = 0; index < 10_000; index++) {
      const content = new Uint8Array(index % 17).fill(index & 0xff);
      records.push({ type: RecordType.Stdout, requestId: (index % 3) + 1, content });
    }
    const decoded = new RecordDecoder().push(encodeAll(records));
    expect(decoded).toHaveLength(10_000);
    expect(decoded).toEqual(records);
  });

  it('decodes one record spread over many chunks', () => {
    const content = new Uint8Array(65535).map((_, index) => index * 7);
    const bytes = encodeRecord({ type: RecordType.Stdin, requestId: 4, content });
    const decoder = new RecordDecoder();
    const chunks = splitAt(bytes, Array.from({ length: 300 }, (_, index) => index * 219 + 1));
    const records: FcgiRecord[] = [];
    for (const [index, chunk] of chunks.entries()) {
      const completed = decoder.push(chunk);
      if (index < chunks.length - 1) expect(completed).toEqual([]);
      records.push(...completed);
    }
    expect(records).toEqual([{ type: RecordType.Stdin, requestId: 4, content }]);
  });

  it('handles empty chunks anywhere', () => {
    const [fixture] = recordFixtures;
    const decoder = new RecordDecoder();
    expect(decoder.push(new Uint8Array(0))).toEqual([]);
    const records = decoder.push(new Uint8Array(fixture!.bytes));
    expect(decoder.push(new Uint8Array(0))).toEqual([]);
    expect(records).toEqual([fixture!.record]);
  });
});

describe('content views and copies', () => {
  const record = { type: RecordType.Stdout, requestId: 1, content: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]) } as const;

  it('returns content as a view into the chunk when the record lies inside it', () => {
    const chunk = encodeAll([record, record]);
    const [first, second] = new RecordDecoder().push(chunk) as [typeof record, typeof record];
    expect(first.content.buffer).toBe(chunk.buffer);
    expect(first.content.byteOffset).toBe(chunk.byteOffset + 8);
    expect(second.content.buffer).toBe(chunk.buffer);
    chunk[8] = 99;
    expect(first.content[0]).toBe(99);
  });

  it('copies content that spans chunks, so later changes to the chunks do not show', () => {
    const bytes = encodeAll([record]);
    const head = bytes.slice(0, 12);
    const tail = bytes.slice(12);
    const decoder = new RecordDecoder();
    expect(decoder.push(head)).toEqual([]);
    const [decoded] = decoder.push(tail) as [typeof record];
    expect(decoded.content.buffer).not.toBe(head.buffer);
    expect(decoded.content.buffer).not.toBe(tail.buffer);
    head.fill(0);
    tail.fill(0);
    expect(decoded.content).toEqual(record.content);
  });

  it('copies every content with copyContent: true', () => {
    const chunk = encodeAll([record]);
    const [decoded] = new RecordDecoder({ copyContent: true }).push(chunk) as [typeof record];
    expect(decoded.content.buffer).not.toBe(chunk.buffer);
    chunk.fill(0);
    expect(decoded.content).toEqual(record.content);
  });

  it('copies with copyContent: true even when the chunk is a Node Buffer (whose slice is a view)', () => {
    const chunk = Buffer.from(encodeAll([record]));
    const [decoded] = new RecordDecoder({ copyContent: true }).push(chunk) as [typeof record];
    chunk.fill(0);
    expect(Array.from(decoded.content)).toEqual(Array.from(record.content));
  });

  it('returns a view when the content lies in the chunk but the padding spills into the next', () => {
    const bytes = encodeRecord(record, { paddingLength: 7 });
    const decoder = new RecordDecoder();
    const first = bytes.slice(0, 8 + 9 + 3);
    const [decoded] = decoder.push(first) as [typeof record];
    expect(decoded.content.buffer).toBe(first.buffer);
    expect(decoder.idle).toBe(false);
    expect(decoder.push(bytes.slice(8 + 9 + 3))).toEqual([]);
    expect(decoder.idle).toBe(true);
    expect(decoder.push(encodeRecord(record))).toHaveLength(1);
  });
});

describe('record helpers', () => {
  it('isStreamRecord is true for types 4-8 only', () => {
    const flags = recordFixtures.map((fixture) => [wireType(fixture.record), isStreamRecord(fixture.record)] as const);
    for (const [type, isStream] of flags) expect(isStream).toBe(type >= 4 && type <= 8);
  });

  it('wireType gives the wire value of known and unknown records', () => {
    expect(recordFixtures.map((fixture) => wireType(fixture.record))).toEqual(recordFixtures.map((fixture) => fixture.bytes[1]));
  });
});
