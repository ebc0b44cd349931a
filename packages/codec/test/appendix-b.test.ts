/**
 * The message flows of the FastCGI specification's Appendix B, byte for byte through the
 * encoder and back through the decoder, split at every byte offset.
 */
import { describe, expect, it } from 'vitest';
import {
  type FcgiRecord,
  FCGI_KEEP_CONN,
  type NameValuePair,
  ParamsDecoder,
  ProtocolStatus,
  RecordType,
  Role,
  concatBytes,
} from '../src/index.js';
import { ascii, pair } from './support/fixtures.js';
import { decodeChunks, encodeAll, splitAt } from './support/helpers.js';

const text = (value: string): Uint8Array => new Uint8Array(ascii(value));
const begin = (requestId: number, flags = 0): FcgiRecord => ({ type: 1, requestId, role: Role.Responder, keepConn: (flags & 1) === 1, flags });
const params = (requestId: number, content: string): FcgiRecord => ({ type: 4, requestId, content: text(content) });
const stdin = (requestId: number, content: string): FcgiRecord => ({ type: 5, requestId, content: text(content) });
const stdout = (requestId: number, content: string): FcgiRecord => ({ type: 6, requestId, content: text(content) });
const stderr = (requestId: number, content: string): FcgiRecord => ({ type: 7, requestId, content: text(content) });
const end = (requestId: number, appStatus = 0): FcgiRecord => ({ type: 3, requestId, appStatus, protocolStatus: ProtocolStatus.RequestComplete });

/** The spec's "\013\002SERVER_PORT80\013\016SERVER_ADDR199.170.183.42". */
const serverParams = '\u000b\u0002SERVER_PORT80\u000b\u000eSERVER_ADDR199.170.183.42';
const expectedParams = [pair('SERVER_PORT', '80'), pair('SERVER_ADDR', '199.170.183.42')];
const page = 'Content-type: text/html\r\n\r\n<html>\n<head> ... ';

/** Per request id: the params (through ParamsDecoder, record by record) and the joined streams. */
interface Demultiplexed {
  params: NameValuePair[];
  stdin: string;
  stdout: string;
  stderr: string;
  appStatus: number | undefined;
}

function demultiplex(records: readonly FcgiRecord[]): { requests: Map<number, Demultiplexed>; endOrder: number[] } {
  const requests = new Map<number, Demultiplexed>();
  const paramsDecoders = new Map<number, ParamsDecoder>();
  const endOrder: number[] = [];
  const decoder = new TextDecoder();
  for (const record of records) {
    if (record.type === RecordType.BeginRequest) {
      requests.set(record.requestId, { params: [], stdin: '', stdout: '', stderr: '', appStatus: undefined });
      paramsDecoders.set(record.requestId, new ParamsDecoder());
      continue;
    }
    const request = requests.get(record.requestId)!;
    switch (record.type) {
      case RecordType.Params:
        if (record.content.length === 0) paramsDecoders.get(record.requestId)!.end();
        else request.params.push(...paramsDecoders.get(record.requestId)!.push(record.content));
        break;
      case RecordType.Stdin:
        request.stdin += decoder.decode(record.content);
        break;
      case RecordType.Stdout:
        request.stdout += decoder.decode(record.content);
        break;
      case RecordType.Stderr:
        request.stderr += decoder.decode(record.content);
        break;
      case RecordType.EndRequest:
        request.appStatus = record.appStatus;
        endOrder.push(record.requestId);
        break;
      default:
        throw new Error(`unexpected record type ${String(record.type)}`);
    }
  }
  return { requests, endOrder };
}

/** Asserts the flow decodes to itself however the byte stream is split. */
function expectEverySplitDecodes(records: readonly FcgiRecord[]): void {
  const bytes = encodeAll(records);
  for (let cut = 0; cut <= bytes.length; cut++) expect(decodeChunks(splitAt(bytes, [cut]))).toEqual(records);
  for (let cut = 0; cut <= bytes.length; cut += 5) expect(decodeChunks(splitAt(bytes, [cut, cut + 9, cut + 70]))).toEqual(records);
}

describe('Appendix B flows', () => {
  it('B.1: a simple request with no stdin and a successful response', () => {
    const flow = [begin(1), params(1, serverParams), params(1, ''), stdin(1, ''), stdout(1, page), stdout(1, ''), end(1)];
    expectEverySplitDecodes(flow);
    const { requests } = demultiplex(decodeChunks([encodeAll(flow)]));
    expect(requests.get(1)).toEqual({ params: expectedParams, stdin: '', stdout: page, stderr: '', appStatus: 0 });
  });

  it('B.2: stdin data, and a name-value pair split across PARAMS records', () => {
    const flow = [
      begin(1),
      params(1, '\u000b\u0002SERVER_PORT80\u000b\u000eSER'),
      params(1, 'VER_ADDR199.170.183.42'),
      params(1, ''),
      stdin(1, 'quantity=100&item=3047936'),
      stdin(1, ''),
      stdout(1, page),
      stdout(1, ''),
      end(1),
    ];
    const bytes = encodeAll(flow);
    // The first PARAMS record: version, type, request id 1, content length 20, padding 4, reserved; then content.
    expect(Array.from(bytes.subarray(16, 24))).toEqual([1, 4, 0, 1, 0, 20, 4, 0]);
    expect(Array.from(bytes.subarray(24, 44))).toEqual([11, 2, ...ascii('SERVER_PORT80'), 11, 14, ...ascii('SER')]);
    expectEverySplitDecodes(flow);
    const { requests } = demultiplex(decodeChunks([bytes]));
    expect(requests.get(1)).toEqual({ params: expectedParams, stdin: 'quantity=100&item=3047936', stdout: page, stderr: '', appStatus: 0 });
  });

  it('B.3: an error logged to stderr between stdout records, and a non-zero exit status', () => {
    const flow = [
      begin(1),
      params(1, serverParams),
      params(1, ''),
      stdin(1, ''),
      stdout(1, 'Content-type: text/html\r\n\r\n<ht'),
      stderr(1, 'config error: missing SI_UID\n'),
      stdout(1, 'ml>\n<head> ... '),
      stdout(1, ''),
      stderr(1, ''),
      end(1, 938),
    ];
    expectEverySplitDecodes(flow);
    const { requests } = demultiplex(decodeChunks([encodeAll(flow)]));
    expect(requests.get(1)).toEqual({ params: expectedParams, stdin: '', stdout: page, stderr: 'config error: missing SI_UID\n', appStatus: 938 });
    const endBytes = encodeAll([end(1, 938)]);
    expect(Array.from(endBytes.subarray(8, 13))).toEqual([0, 0, 0x03, 0xaa, 0]); // appStatus 938, REQUEST_COMPLETE
  });

  it('B.4: two multiplexed requests with keep-conn, finishing out of order', () => {
    const flow = [
      begin(1, FCGI_KEEP_CONN),
      params(1, serverParams),
      params(1, ''),
      begin(2, FCGI_KEEP_CONN),
      params(2, serverParams),
      stdin(1, ''),
      stdout(1, 'Content-type: text/html\r\n\r\n'),
      params(2, ''),
      stdin(2, ''),
      stdout(2, page),
      stdout(2, ''),
      end(2),
      stdout(1, '<html>\n<head> ... '),
      stdout(1, ''),
      end(1),
    ];
    expectEverySplitDecodes(flow);
    const { requests, endOrder } = demultiplex(decodeChunks([encodeAll(flow)]));
    expect(endOrder).toEqual([2, 1]);
    for (const requestId of [1, 2]) {
      expect(requests.get(requestId)).toEqual({ params: expectedParams, stdin: '', stdout: page, stderr: '', appStatus: 0 });
    }
    const decoded = decodeChunks([encodeAll(flow)]);
    expect(decoded[0]).toMatchObject({ keepConn: true, flags: 1 });
    expect(concatBytes([encodeAll([flow[3]!])]).subarray(8, 11)).toEqual(new Uint8Array([0, 1, 1])); // role RESPONDER, FCGI_KEEP_CONN
  });
});
