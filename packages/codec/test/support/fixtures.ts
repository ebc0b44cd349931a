/**
 * Record fixtures for the table-driven codec tests: each is the exact wire bytes (one
 * comment per field) next to the record object the decoder must produce for them.
 */
import type { FcgiRecord, NameValuePair } from '../../src/index.js';

/** The bytes of an ASCII string, spread into a fixture. */
export function ascii(text: string): number[] {
  return Array.from(text, (character) => character.charCodeAt(0));
}

/** A decoded name-value pair as the decoder returns it (UTF-8 text plus the raw bytes). */
export function pair(name: string, value: string): NameValuePair {
  const encoder = new TextEncoder();
  return { name, value, nameBytes: encoder.encode(name), valueBytes: encoder.encode(value) };
}

/** One fixture: encodeRecord(record) = bytes and decode(bytes) = [record]. */
export interface RecordFixture {
  readonly name: string;
  readonly record: FcgiRecord;
  readonly bytes: readonly number[];
}

/** Canonical fixtures: what `encodeRecord` writes (8-byte aligned padding) and what decodes back. */
export const recordFixtures: readonly RecordFixture[] = [
  {
    name: 'BEGIN_REQUEST responder, keep-conn, request 1',
    record: { type: 1, requestId: 1, role: 1, keepConn: true, flags: 1 },
    bytes: [
      1, // version
      1, // type BEGIN_REQUEST
      0, 1, // requestId 1
      0, 8, // contentLength 8
      0, // paddingLength
      0, // reserved
      0, 1, // role RESPONDER
      1, // flags FCGI_KEEP_CONN
      0, 0, 0, 0, 0, // reserved
    ],
  },
  {
    name: 'BEGIN_REQUEST authorizer, no keep-conn, request 258',
    record: { type: 1, requestId: 258, role: 2, keepConn: false, flags: 0 },
    bytes: [
      1, // version
      1, // type BEGIN_REQUEST
      1, 2, // requestId 258
      0, 8, // contentLength 8
      0, // paddingLength
      0, // reserved
      0, 2, // role AUTHORIZER
      0, // flags: none
      0, 0, 0, 0, 0, // reserved
    ],
  },
  {
    name: 'BEGIN_REQUEST unknown role 0x1234 with reserved flag bits, request 65535',
    record: { type: 1, requestId: 65535, role: 0x1234, keepConn: true, flags: 0x83 },
    bytes: [
      1, // version
      1, // type BEGIN_REQUEST
      0xff, 0xff, // requestId 65535
      0, 8, // contentLength 8
      0, // paddingLength
      0, // reserved
      0x12, 0x34, // role 4660 (unknown, kept so the app can answer UNKNOWN_ROLE)
      0x83, // flags: KEEP_CONN plus reserved bits 1 and 7
      0, 0, 0, 0, 0, // reserved
    ],
  },
  {
    name: 'ABORT_REQUEST request 1',
    record: { type: 2, requestId: 1 },
    bytes: [
      1, // version
      2, // type ABORT_REQUEST
      0, 1, // requestId 1
      0, 0, // contentLength 0
      0, // paddingLength
      0, // reserved
    ],
  },
  {
    name: 'END_REQUEST appStatus 0xdeadbeef, REQUEST_COMPLETE',
    record: { type: 3, requestId: 1, appStatus: 0xdeadbeef, protocolStatus: 0 },
    bytes: [
      1, // version
      3, // type END_REQUEST
      0, 1, // requestId 1
      0, 8, // contentLength 8
      0, // paddingLength
      0, // reserved
      0xde, 0xad, 0xbe, 0xef, // appStatus 3735928559 (unsigned, big-endian)
      0, // protocolStatus REQUEST_COMPLETE
      0, 0, 0, // reserved
    ],
  },
  {
    name: 'END_REQUEST OVERLOADED on request 2',
    record: { type: 3, requestId: 2, appStatus: 0, protocolStatus: 2 },
    bytes: [
      1, // version
      3, // type END_REQUEST
      0, 2, // requestId 2
      0, 8, // contentLength 8
      0, // paddingLength
      0, // reserved
      0, 0, 0, 0, // appStatus 0
      2, // protocolStatus OVERLOADED
      0, 0, 0, // reserved
    ],
  },
  {
    name: 'PARAMS with one pair A=BC',
    record: { type: 4, requestId: 1, content: new Uint8Array([1, 2, 0x41, 0x42, 0x43]) },
    bytes: [
      1, // version
      4, // type PARAMS
      0, 1, // requestId 1
      0, 5, // contentLength 5
      3, // paddingLength 3 (to an 8-byte boundary)
      0, // reserved
      1, // nameLength 1
      2, // valueLength 2
      ...ascii('A'), // name
      ...ascii('BC'), // value
      0, 0, 0, // padding
    ],
  },
  {
    name: 'PARAMS empty (end of stream)',
    record: { type: 4, requestId: 1, content: new Uint8Array(0) },
    bytes: [
      1, // version
      4, // type PARAMS
      0, 1, // requestId 1
      0, 0, // contentLength 0
      0, // paddingLength
      0, // reserved
    ],
  },
  {
    name: 'STDIN with 8 bytes (no padding needed)',
    record: { type: 5, requestId: 1, content: new Uint8Array(ascii('x=1&y=22')) },
    bytes: [
      1, // version
      5, // type STDIN
      0, 1, // requestId 1
      0, 8, // contentLength 8
      0, // paddingLength 0
      0, // reserved
      ...ascii('x=1&y=22'), // content
    ],
  },
  {
    name: 'STDOUT "hi"',
    record: { type: 6, requestId: 1, content: new Uint8Array(ascii('hi')) },
    bytes: [
      1, // version
      6, // type STDOUT
      0, 1, // requestId 1
      0, 2, // contentLength 2
      6, // paddingLength 6
      0, // reserved
      ...ascii('hi'), // content
      0, 0, 0, 0, 0, 0, // padding
    ],
  },
  {
    name: 'STDERR "oops\\n" on request 7',
    record: { type: 7, requestId: 7, content: new Uint8Array(ascii('oops\n')) },
    bytes: [
      1, // version
      7, // type STDERR
      0, 7, // requestId 7
      0, 5, // contentLength 5
      3, // paddingLength 3
      0, // reserved
      ...ascii('oops\n'), // content
      0, 0, 0, // padding
    ],
  },
  {
    name: 'DATA with binary bytes',
    record: { type: 8, requestId: 1, content: new Uint8Array([0x00, 0xff, 0x80]) },
    bytes: [
      1, // version
      8, // type DATA
      0, 1, // requestId 1
      0, 3, // contentLength 3
      5, // paddingLength 5
      0, // reserved
      0x00, 0xff, 0x80, // content
      0, 0, 0, 0, 0, // padding
    ],
  },
  {
    name: 'GET_VALUES for the three standard names',
    record: { type: 9, requestId: 0, pairs: [pair('FCGI_MAX_CONNS', ''), pair('FCGI_MAX_REQS', ''), pair('FCGI_MPXS_CONNS', '')] },
    bytes: [
      1, // version
      9, // type GET_VALUES
      0, 0, // requestId 0 (management)
      0, 48, // contentLength 48
      0, // paddingLength 0
      0, // reserved
      14, 0, ...ascii('FCGI_MAX_CONNS'), // nameLength 14, valueLength 0, name
      13, 0, ...ascii('FCGI_MAX_REQS'), // nameLength 13, valueLength 0, name
      15, 0, ...ascii('FCGI_MPXS_CONNS'), // nameLength 15, valueLength 0, name
    ],
  },
  {
    name: 'GET_VALUES_RESULT FCGI_MPXS_CONNS=0 (what php-fpm answers)',
    record: { type: 10, requestId: 0, pairs: [pair('FCGI_MPXS_CONNS', '0')] },
    bytes: [
      1, // version
      10, // type GET_VALUES_RESULT
      0, 0, // requestId 0 (management)
      0, 18, // contentLength 18
      6, // paddingLength 6
      0, // reserved
      15, 1, ...ascii('FCGI_MPXS_CONNS'), ...ascii('0'), // nameLength 15, valueLength 1, name, value
      0, 0, 0, 0, 0, 0, // padding
    ],
  },
  {
    name: 'UNKNOWN_TYPE for type 42',
    record: { type: 11, requestId: 0, unknownType: 42 },
    bytes: [
      1, // version
      11, // type UNKNOWN_TYPE
      0, 0, // requestId 0 (management)
      0, 8, // contentLength 8
      0, // paddingLength
      0, // reserved
      42, // type the app does not know
      0, 0, 0, 0, 0, 0, 0, // reserved
    ],
  },
  {
    name: 'a record of unknown type 42 with content',
    record: { type: 'unknown', rawType: 42, requestId: 0, content: new Uint8Array([1, 2, 3]) },
    bytes: [
      1, // version
      42, // type 42 (not in the spec)
      0, 0, // requestId 0
      0, 3, // contentLength 3
      5, // paddingLength 5
      0, // reserved
      1, 2, 3, // content
      0, 0, 0, 0, 0, // padding
    ],
  },
  {
    name: 'a record of type 0 (unknown), empty',
    record: { type: 'unknown', rawType: 0, requestId: 9, content: new Uint8Array(0) },
    bytes: [
      1, // version
      0, // type 0 (not in the spec)
      0, 9, // requestId 9
      0, 0, // contentLength 0
      0, // paddingLength
      0, // reserved
    ],
  },
  {
    name: 'a record of type 255 (unknown)',
    record: { type: 'unknown', rawType: 255, requestId: 0x0100, content: new Uint8Array(ascii('12345678')) },
    bytes: [
      1, // version
      255, // type 255 (not in the spec)
      1, 0, // requestId 256
      0, 8, // contentLength 8
      0, // paddingLength
      0, // reserved
      ...ascii('12345678'), // content
    ],
  },
];

/** Valid but non-canonical wire forms: they decode to `record`, but the encoder writes other bytes. */
export const decodeOnlyFixtures: readonly RecordFixture[] = [
  {
    name: 'STDOUT with 255 bytes of padding',
    record: { type: 6, requestId: 1, content: new Uint8Array(ascii('abc')) },
    bytes: [
      1, // version
      6, // type STDOUT
      0, 1, // requestId 1
      0, 3, // contentLength 3
      255, // paddingLength 255 (longer than needed: skipped whatever its length)
      0, // reserved
      ...ascii('abc'), // content
      ...new Array<number>(255).fill(0xaa), // padding (any bytes)
    ],
  },
  {
    name: 'STDIN with padding on an already aligned record and a non-zero reserved byte',
    record: { type: 5, requestId: 3, content: new Uint8Array(ascii('12345678')) },
    bytes: [
      1, // version
      5, // type STDIN
      0, 3, // requestId 3
      0, 8, // contentLength 8
      1, // paddingLength 1 (not needed)
      0x7e, // reserved, non-zero: ignored
      ...ascii('12345678'), // content
      0xff, // padding
    ],
  },
  {
    name: 'empty STDOUT with 7 bytes of padding',
    record: { type: 6, requestId: 1, content: new Uint8Array(0) },
    bytes: [
      1, // version
      6, // type STDOUT
      0, 1, // requestId 1
      0, 0, // contentLength 0
      7, // paddingLength 7
      0, // reserved
      1, 2, 3, 4, 5, 6, 7, // padding
    ],
  },
  {
    name: 'BEGIN_REQUEST with garbage in the reserved body bytes',
    record: { type: 1, requestId: 1, role: 3, keepConn: false, flags: 0 },
    bytes: [
      1, // version
      1, // type BEGIN_REQUEST
      0, 1, // requestId 1
      0, 8, // contentLength 8
      0, // paddingLength
      0, // reserved
      0, 3, // role FILTER
      0, // flags: none
      9, 9, 9, 9, 9, // reserved (ignored)
    ],
  },
  {
    name: 'GET_VALUES_RESULT using 4-byte lengths for short names and values',
    record: { type: 10, requestId: 0, pairs: [pair('FCGI_MAX_REQS', '50')] },
    bytes: [
      1, // version
      10, // type GET_VALUES_RESULT
      0, 0, // requestId 0
      0, 23, // contentLength 23
      1, // paddingLength 1
      0, // reserved
      0x80, 0, 0, 13, // nameLength 13 in the 4-byte form
      0x80, 0, 0, 2, // valueLength 2 in the 4-byte form
      ...ascii('FCGI_MAX_REQS'), // name
      ...ascii('50'), // value
      0, // padding
    ],
  },
];
