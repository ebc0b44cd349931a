import { describe, expect, it } from 'vitest';
import { type FcgiRecord, RecordType, concatBytes, encodeRecord, encodeStream } from '@fcgi/codec';
import { ResponseDecoder } from '../src/response-decoder.js';

const big = Uint8Array.from({ length: 150_000 }, (_, index) => index % 251);

/** A reply as php-fpm sends it: STDOUT in 64 KiB records, a STDERR line between, END_REQUEST. */
function reply(): Uint8Array {
  return concatBytes([
    ...encodeStream(RecordType.Stdout, 1, big.subarray(0, 100_000), { maxRecordLength: 65535 }),
    encodeRecord({ type: RecordType.Stderr, requestId: 1, content: new TextEncoder().encode('warn\n') }),
    ...encodeStream(RecordType.Stdout, 1, big.subarray(100_000), { end: true, maxRecordLength: 65535 }),
    encodeRecord({ type: RecordType.EndRequest, requestId: 1, appStatus: 3, protocolStatus: 0 }),
  ]);
}

/** Feeds `bytes` in pieces cut at `cuts`; returns the records and the pieces fed. */
function decode(bytes: Uint8Array, cuts: number[]): { records: FcgiRecord[]; pieces: Uint8Array[] } {
  const decoder = new ResponseDecoder();
  const records: FcgiRecord[] = [];
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    const piece = bytes.slice(start, cut);
    pieces.push(piece);
    records.push(...decoder.push(piece));
    start = cut;
  }
  decoder.end();
  return { records, pieces };
}

function summary(records: FcgiRecord[]): { stdout: Uint8Array; order: string[] } {
  const stdout: Uint8Array[] = [];
  const order: string[] = [];
  for (const record of records) {
    if (record.type === RecordType.Stdout) {
      stdout.push(record.content);
      if (record.content.length === 0) order.push('stdout-end');
    } else if (record.type === RecordType.Stderr) {
      order.push(`stderr:${new TextDecoder().decode(record.content)}`);
    } else if (record.type === RecordType.EndRequest) {
      order.push(`end:${record.appStatus}`);
    }
  }
  return { stdout: concatBytes(stdout), order };
}

describe('ResponseDecoder', () => {
  it('decodes a reply cut anywhere: same bytes, same order of STDERR, end of STDOUT and END_REQUEST', () => {
    const bytes = reply();
    const cutSets = [[], [1], [7], [8], [9], [65_536], [65_543], [65_544], [65_545], [100_010], [bytes.length - 3]];
    for (let size = 997; size < 70_000; size += 9_973) cutSets.push(Array.from({ length: Math.floor((bytes.length - 1) / size) }, (_, index) => (index + 1) * size));
    for (const cuts of cutSets) {
      const { stdout, order } = summary(decode(bytes, cuts).records);
      expect(Buffer.from(stdout).equals(Buffer.from(big)), `cuts ${cuts.slice(0, 3).join(',')}`).toBe(true);
      expect(order).toEqual(['stderr:warn\n', 'stdout-end', 'end:3']);
    }
  });

  it('hands a STDOUT record that spans reads on as views of the reads, never empty', () => {
    const bytes = reply();
    const { records, pieces } = decode(bytes, [65_536, 131_072]);
    const stdout = records.filter((record) => record.type === RecordType.Stdout);
    // The first record (65535 bytes of content) spans the first two reads: two pieces, both views.
    expect(stdout[0]!.content.length + stdout[1]!.content.length).toBe(65_535);
    expect(stdout[0]!.content.buffer).toBe(pieces[0]!.buffer);
    expect(stdout[1]!.content.buffer).toBe(pieces[1]!.buffer);
    expect(stdout.filter((record) => record.content.length === 0)).toHaveLength(1);
  });

  it('throws ERR_FCGI_TRUNCATED_RECORD when the input ends inside a STDOUT record it was passing on', () => {
    const decoder = new ResponseDecoder();
    const bytes = reply();
    decoder.push(bytes.subarray(0, 30_000));
    expect(() => decoder.end()).toThrow(expect.objectContaining({ code: 'ERR_FCGI_TRUNCATED_RECORD' }));
  });

  it('still rejects a record of another version that follows a passed-on STDOUT record', () => {
    const decoder = new ResponseDecoder();
    const stdout = encodeRecord({ type: RecordType.Stdout, requestId: 1, content: big.subarray(0, 1000) });
    decoder.push(stdout.subarray(0, 500));
    const bad = Uint8Array.from([2, 6, 0, 1, 0, 0, 0, 0]);
    expect(() => decoder.push(concatBytes([stdout.subarray(500), bad]))).toThrow(expect.objectContaining({ code: 'ERR_FCGI_INVALID_VERSION' }));
  });
});
