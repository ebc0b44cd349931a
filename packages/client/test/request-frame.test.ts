import { describe, expect, it } from 'vitest';
import { RecordType, concatBytes, encodeParamsStream, encodeRecord, encodeStream } from '@fcgi/codec';
import { type RequestParts, frameRequest, framedLength } from '../src/request-frame.js';
import { paramsFor, prepareRequest } from '../src/request-options.js';

/** The same request framed by the codec's encoders, piece by piece, then joined. */
function viaCodec(parts: RequestParts): Uint8Array {
  const { requestId, maxRecordLength } = parts;
  const pieces = [encodeRecord({ type: RecordType.BeginRequest, requestId, role: parts.role, keepConn: parts.keepConn }), ...parts.params];
  pieces.push(...encodeStream(RecordType.Stdin, requestId, parts.stdin, { end: true, maxRecordLength }));
  if (parts.data !== undefined) pieces.push(...encodeStream(RecordType.Data, requestId, parts.data, { end: true, maxRecordLength }));
  return concatBytes(pieces);
}

const bytes = (length: number): Uint8Array => Uint8Array.from({ length }, (_, index) => (index * 7 + 3) & 0xff);

describe('frameRequest', () => {
  it.each([
    ['no body', 1, 1, true, 0, undefined, 65535],
    ['a 1-byte body', 1, 1, true, 1, undefined, 65535],
    ['an 8-byte body (no padding)', 2, 1, false, 8, undefined, 65535],
    ['a body over several records', 7, 1, true, 2500, undefined, 1000],
    ['a body of exactly two records', 1, 1, true, 2000, undefined, 1000],
    ['filter data', 300, 3, true, 13, 4001, 1000],
    ['empty filter data', 1, 3, false, 0, 0, 65535],
  ])('gives the bytes of the codec encoders for %s', (_name, requestId, role, keepConn, stdinLength, dataLength, maxRecordLength) => {
    const parts: RequestParts = {
      requestId,
      role,
      keepConn,
      params: encodeParamsStream(requestId, { REQUEST_METHOD: 'GET', SCRIPT_FILENAME: '/srv/www/index.php' }),
      stdin: bytes(stdinLength),
      data: dataLength === undefined ? undefined : bytes(dataLength),
      maxRecordLength,
    };
    const framed = frameRequest(parts);
    expect(framed.length).toBe(framedLength(parts));
    expect(Buffer.from(framed).equals(Buffer.from(viaCodec(parts)))).toBe(true);
  });
});

describe('prepared PARAMS records', () => {
  const many = Object.fromEntries(Array.from({ length: 300 }, (_, index) => [`NAME_${index}`, 'v'.repeat(400)]));

  it('are the same bytes for a plain object given whole and for its pairs', () => {
    for (const params of [{ REQUEST_METHOD: 'GET', CONTENT_LENGTH: '', SKIPPED: undefined }, { REQUEST_METHOD: 'GET' }, { ...many, CONTENT_LENGTH: '0' }]) {
      const fromObject = concatBytes(prepareRequest({ params }).paramsRecords);
      const fromPairs = concatBytes(prepareRequest({ params: Object.entries(params).filter(([, value]) => value !== undefined) as [string, string][] }).paramsRecords);
      expect(Buffer.from(fromObject).equals(Buffer.from(fromPairs))).toBe(true);
    }
  });

  it('are re-addressed to another request id by paramsFor, over several records', () => {
    const prepared = prepareRequest({ params: { ...many, CONTENT_LENGTH: '0' } });
    expect(prepared.paramsRecords.length).toBeGreaterThan(2);
    const expected = concatBytes(encodeParamsStream(258, { ...many, CONTENT_LENGTH: '0' }));
    expect(Buffer.from(concatBytes(paramsFor(prepared, 258))).equals(Buffer.from(expected))).toBe(true);
  });

  it('are a snapshot: changing the params object after the call changes nothing', () => {
    const params: Record<string, string> = { REQUEST_METHOD: 'GET', CONTENT_LENGTH: '' };
    const prepared = prepareRequest({ params });
    params.REQUEST_METHOD = 'POST';
    expect(Buffer.from(concatBytes(paramsFor(prepared, 2))).equals(Buffer.from(concatBytes(encodeParamsStream(2, { REQUEST_METHOD: 'GET', CONTENT_LENGTH: '' }))))).toBe(true);
  });
});
