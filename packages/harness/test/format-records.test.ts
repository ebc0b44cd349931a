import { type FcgiRecord, concatBytes, encodeParams, encodeRecord } from '@fcgi/codec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecordTranscriber, describeRecords, formatRecords } from '../src/index.js';

const text = (value: string): Uint8Array => new TextEncoder().encode(value);
const encodeAll = (records: readonly FcgiRecord[]): Uint8Array => concatBytes(records.map((record) => encodeRecord(record)));

const exchange: FcgiRecord[] = [
  { type: 1, requestId: 1, role: 1, keepConn: true },
  { type: 4, requestId: 1, content: encodeParams({ REQUEST_METHOD: 'GET', SCRIPT_NAME: '/index.php' }) },
  { type: 4, requestId: 1, content: new Uint8Array(0) },
  { type: 5, requestId: 1, content: new Uint8Array(0) },
  { type: 6, requestId: 1, content: text('Status: 200 OK\r\n\r\nhello') },
  { type: 6, requestId: 1, content: new Uint8Array(0) },
  { type: 3, requestId: 1, appStatus: 0, protocolStatus: 0 },
];

const exchangeLines = [
  'BEGIN_REQUEST     id=1 len=8 pad=0  role=RESPONDER keepConn=true',
  'PARAMS            id=1 len=42 pad=6  REQUEST_METHOD=GET SCRIPT_NAME=/index.php',
  'PARAMS            id=1 len=0 pad=0  end of stream (2 pairs)',
  'STDIN             id=1 len=0 pad=0  end of stream',
  'STDOUT            id=1 len=23 pad=1  "Status: 200 OK\\r\\n\\r\\nhello"',
  'STDOUT            id=1 len=0 pad=0  end of stream',
  'END_REQUEST       id=1 len=8 pad=0  appStatus=0 protocolStatus=REQUEST_COMPLETE',
];

describe('formatRecords', () => {
  it('prints one line per record of a whole exchange, with lengths and previews', () => {
    expect(formatRecords(encodeAll(exchange))).toBe(exchangeLines.join('\n'));
  });

  it('prints records given as objects with the same previews and no padding', () => {
    const lines = formatRecords(exchange).split('\n');
    expect(lines[0]).toBe('BEGIN_REQUEST     id=1 len=8  role=RESPONDER keepConn=true');
    expect(lines[1]).toBe('PARAMS            id=1 len=42  REQUEST_METHOD=GET SCRIPT_NAME=/index.php');
    expect(lines[4]).toBe('STDOUT            id=1 len=23  "Status: 200 OK\\r\\n\\r\\nhello"');
    expect(lines).toHaveLength(exchange.length);
  });

  it('returns an empty string for empty input', () => {
    expect(formatRecords(new Uint8Array(0))).toBe('');
    expect(formatRecords([])).toBe('');
  });

  it('names management records and shows GET_VALUES names and results', () => {
    const output = formatRecords(encodeAll([
      { type: 9, requestId: 0, pairs: [['FCGI_MAX_CONNS', ''], ['FCGI_MPXS_CONNS', '']] },
      { type: 10, requestId: 0, pairs: [['FCGI_MAX_CONNS', '10'], ['FCGI_MPXS_CONNS', '1']] },
      { type: 10, requestId: 0, pairs: [] },
      { type: 11, requestId: 0, unknownType: 42 },
      { type: 'unknown', rawType: 42, requestId: 0, content: text('abc') },
      { type: 'unknown', rawType: 200, requestId: 9, content: new Uint8Array(0) },
      { type: 2, requestId: 7 },
    ]));
    expect(output.split('\n')).toEqual([
      'GET_VALUES        id=0 len=33 pad=7  FCGI_MAX_CONNS FCGI_MPXS_CONNS',
      'GET_VALUES_RESULT id=0 len=36 pad=4  FCGI_MAX_CONNS=10 FCGI_MPXS_CONNS=1',
      'GET_VALUES_RESULT id=0 len=0 pad=0  (no values)',
      'UNKNOWN_TYPE      id=0 len=8 pad=0  unknownType=42',
      'UNKNOWN(42)       id=0 len=3 pad=5  "abc"',
      'UNKNOWN(200)      id=9 len=0 pad=0  (empty)',
      'ABORT_REQUEST     id=7 len=0 pad=0',
    ]);
  });

  it('names roles, protocol statuses and reserved flag bits, known or not', () => {
    const lines = formatRecords(encodeAll([
      { type: 1, requestId: 2, role: 2, keepConn: false },
      { type: 1, requestId: 3, role: 9, keepConn: true, flags: 0x81 },
      { type: 3, requestId: 2, appStatus: 4294967295, protocolStatus: 2 },
      { type: 3, requestId: 3, appStatus: 1, protocolStatus: 7 },
    ])).split('\n');
    expect(lines[0]).toMatch(/ role=AUTHORIZER keepConn=false$/);
    expect(lines[1]).toMatch(/ role=UNKNOWN\(9\) keepConn=true flags=0x81$/);
    expect(lines[2]).toMatch(/ appStatus=4294967295 protocolStatus=OVERLOADED$/);
    expect(lines[3]).toMatch(/ appStatus=1 protocolStatus=UNKNOWN\(7\)$/);
  });

  it('shows the padding actually on the wire', () => {
    const bytes = encodeRecord({ type: 7, requestId: 1, content: text('oops') }, { paddingLength: 255 });
    expect(formatRecords(bytes)).toBe('STDERR            id=1 len=4 pad=255  "oops"');
  });

  it('escapes control bytes, quotes, backslashes and non-ASCII bytes on one line', () => {
    const content = new Uint8Array([0, 9, 10, 13, 0x22, 0x5c, 0x7f, 0xc3, 0xa9, 0x41]);
    expect(formatRecords([{ type: 6, requestId: 1, content }])).toBe('STDOUT            id=1 len=10  "\\x00\\t\\n\\r\\"\\\\\\x7f\\xc3\\xa9A"');
  });

  it('shortens long previews and says how much was left out, unless asked for everything', () => {
    const content = text('x'.repeat(1000));
    const short = formatRecords([{ type: 5, requestId: 1, content }]);
    expect(short).toMatch(/"x+"\.\.\. \(\+\d+ bytes\)$/);
    expect(short.length).toBeLessThan(150);
    const [, shown = '', rest = ''] = /"(x+)"\.\.\. \(\+(\d+) bytes\)/.exec(short) ?? [];
    expect(shown.length + Number(rest)).toBe(1000);
    expect(formatRecords([{ type: 5, requestId: 1, content }], { previewLength: Infinity })).toContain(`"${'x'.repeat(1000)}"`);
  });

  it('quotes param values that are not plain tokens and counts pairs left out', () => {
    const params: Record<string, string> = { HTTP_USER_AGENT: 'curl/8.0 (x86)', EMPTY: '' };
    for (let index = 0; index < 30; index++) params[`NAME_${index}`] = 'value';
    const line = formatRecords([{ type: 4, requestId: 1, content: encodeParams(params) }]);
    expect(line).toContain('HTTP_USER_AGENT="curl/8.0 (x86)" EMPTY= NAME_0=value');
    expect(line).toMatch(/ \.\.\. \(\+\d+ more\)$/);
    expect(line.split('\n')).toHaveLength(1);
  });
});

describe('formatRecords and PARAMS streams', () => {
  const params = { SCRIPT_FILENAME: '/srv/www/index.php', QUERY_STRING: 'a=1&b=2', LONG: 'v'.repeat(200) };
  const stream = encodeParams(params);

  it('shows each pair on the record that completes it, for a split at every byte', () => {
    for (let cut = 1; cut < stream.length; cut++) {
      const { entries } = describeRecords(encodeAll([
        { type: 4, requestId: 1, content: stream.subarray(0, cut) },
        { type: 4, requestId: 1, content: stream.subarray(cut) },
        { type: 4, requestId: 1, content: new Uint8Array(0) },
      ]));
      const names = entries.flatMap((entry) => entry.pairs ?? []).map((pair) => `${pair.name}=${pair.value}`);
      expect(names).toEqual(Object.entries(params).map(([name, value]) => `${name}=${value}`));
      expect(entries[2]?.paramsTotal).toBe(3);
      expect(entries[2]?.line).toMatch(/end of stream \(3 pairs\)$/);
      expect(entries.every((entry) => entry.paramsError === undefined)).toBe(true);
    }
  });

  it('marks a record that only carries part of a pair', () => {
    const lines = formatRecords([{ type: 4, requestId: 1, content: stream.subarray(0, 3) }]);
    expect(lines).toBe('PARAMS            id=1 len=3  (part of a pair)');
  });

  it('keeps interleaved requests apart and restarts a stream at BEGIN_REQUEST', () => {
    const first = encodeParams({ A: '1' });
    const second = encodeParams({ B: '2' });
    const lines = formatRecords([
      { type: 4, requestId: 1, content: first.subarray(0, 2) },
      { type: 4, requestId: 2, content: second },
      { type: 4, requestId: 1, content: first.subarray(2) },
      { type: 1, requestId: 2, role: 1, keepConn: false },
      { type: 4, requestId: 2, content: new Uint8Array(0) },
    ]).split('\n');
    expect(lines[1]).toMatch(/id=2 len=4 {2}B=2$/);
    expect(lines[2]).toMatch(/id=1 len=2 {2}A=1$/);
    expect(lines[4]).toMatch(/id=2 len=0 {2}end of stream \(0 pairs\)$/);
  });

  it('reports a malformed stream inline, shows later pieces raw, and goes on', () => {
    const bad = new Uint8Array([0xff, 0xff, 0xff, 0xff, 1]); // a name of 2 GiB: over the params limit
    const { entries, problem } = describeRecords(encodeAll([
      { type: 4, requestId: 1, content: encodeParams({ OK: 'yes' }) },
      { type: 4, requestId: 1, content: bad },
      { type: 4, requestId: 1, content: text('zz') },
      { type: 4, requestId: 1, content: new Uint8Array(0) },
      { type: 5, requestId: 1, content: new Uint8Array(0) },
    ]));
    expect(problem).toBeUndefined();
    expect(entries).toHaveLength(5);
    expect(entries[0]?.line).toMatch(/OK=yes$/);
    expect(entries[1]?.line).toMatch(/pad=\d+ {2}! ERR_FCGI_PARAMS_TOO_LARGE: .+$/);
    expect(entries[1]?.paramsError?.code).toBe('ERR_FCGI_PARAMS_TOO_LARGE');
    expect(entries[2]?.line).toMatch(/"zz"$/);
    expect(entries[3]?.line).toMatch(/end of stream \(1 pair\)$/);
    expect(entries[4]?.line).toMatch(/^STDIN /);
  });

  it('reports a pair cut short by the end of the stream on the ending record', () => {
    const { entries } = describeRecords([
      { type: 4, requestId: 1, content: new Uint8Array([5, 1, 0x41]) },
      { type: 4, requestId: 1, content: new Uint8Array(0) },
    ]);
    expect(entries[1]?.paramsError?.code).toBe('ERR_FCGI_INVALID_PARAMS');
    expect(entries[1]?.line).toMatch(/end of stream \(0 pairs\) ! ERR_FCGI_INVALID_PARAMS: /);
  });

  it('reports a declared length over the params limit without allocating it', () => {
    const huge = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x01]);
    const { entries } = describeRecords([{ type: 4, requestId: 1, content: huge }]);
    expect(entries[0]?.paramsError?.code).toBe('ERR_FCGI_PARAMS_TOO_LARGE');
    expect(entries[0]?.line).toMatch(/^PARAMS +id=1 len=5 {2}! ERR_FCGI_PARAMS_TOO_LARGE: /);
  });
});

describe('formatRecords on bad bytes', () => {
  const whole = encodeAll(exchange);

  it('reports a capture cut inside a record header', () => {
    const { entries, problem } = describeRecords(concatBytes([whole, new Uint8Array([1, 6, 0])]));
    expect(entries).toHaveLength(exchange.length);
    expect(problem).toMatchObject({ code: 'ERR_FCGI_TRUNCATED_RECORD', offset: whole.length });
    expect(problem?.line).toBe(`! ERR_FCGI_TRUNCATED_RECORD at byte ${whole.length}: Input ended inside a record header (3 of 8 header bytes)`);
  });

  it('reports a capture cut inside content or padding with the record it was', () => {
    const stdout = encodeRecord({ type: 6, requestId: 5, content: text('hello') }); // 8 + 5 + 3 padding
    for (const cut of [9, 14]) {
      const output = formatRecords(concatBytes([whole, stdout.subarray(0, cut)])).split('\n');
      expect(output.slice(0, -1)).toEqual(exchangeLines);
      expect(output.at(-1)).toBe(`! ERR_FCGI_TRUNCATED_RECORD at byte ${whole.length}: Input ended inside STDOUT record (request id 5, ${cut} of 16 bytes)`);
    }
  });

  it('reports bytes that are not FastCGI at once, with the offset of the bad header', () => {
    const output = formatRecords(concatBytes([whole, text('HTTP/1.1 200 OK\r\n')]));
    expect(output.split('\n').at(-1)).toBe(`! ERR_FCGI_INVALID_VERSION at byte ${whole.length}: Unsupported FastCGI version 72 (expected 1)`);
  });

  it('reports a bad header before its declared content arrives', () => {
    const transcriber = new RecordTranscriber();
    expect(transcriber.push(new Uint8Array([1, 1, 0, 1, 0xff, 0xff, 0, 0]))).toEqual([]);
    expect(transcriber.problem?.code).toBe('ERR_FCGI_INVALID_BODY_LENGTH');
    expect(transcriber.push(encodeAll(exchange))).toEqual([]);
    expect(transcriber.end()?.code).toBe('ERR_FCGI_INVALID_BODY_LENGTH');
  });

  it('gives the same transcript for a capture pushed in pieces split at every byte', () => {
    const bytes = concatBytes([whole, whole.subarray(0, 20)]);
    const expected = formatRecords(bytes);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const transcriber = new RecordTranscriber();
      const lines = [...transcriber.push(bytes.subarray(0, cut)), ...transcriber.push(bytes.subarray(cut))].map((entry) => entry.line);
      const problem = transcriber.end();
      expect([...lines, problem?.line].join('\n')).toBe(expected);
    }
  });

  it('gives the same transcript byte by byte', () => {
    const transcriber = new RecordTranscriber();
    const lines: string[] = [];
    for (const byte of whole) lines.push(...transcriber.push(new Uint8Array([byte])).map((entry) => entry.line));
    expect(transcriber.end()).toBeUndefined();
    expect(lines).toEqual(exchangeLines);
  });

  it('never throws on random bytes and always prints single printable lines', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), fc.boolean(), (garbage, asFastCgi) => {
      const bytes = asFastCgi && garbage.length > 0 ? concatBytes([new Uint8Array([1]), garbage]) : garbage;
      const { entries, problem } = describeRecords(bytes);
      const output = formatRecords(bytes);
      const lines = output === '' ? [] : output.split('\n');
      expect(lines).toHaveLength(entries.length + (problem === undefined ? 0 : 1));
      for (const line of lines) expect(line).toMatch(/^[\x20-\x7e]+$/);
      if (problem !== undefined) expect(problem.code).toMatch(/^ERR_FCGI_/);
    }), { numRuns: 500 });
  });

  it('prints the same lines for records as for their bytes, but for pad=', () => {
    const pairText = fc.string({ unit: fc.constantFrom('A', 'b', '_', ' ', '=', '"', '\u00e9'), maxLength: 6 });
    const recordArbitrary: fc.Arbitrary<FcgiRecord> = fc.oneof(
      fc.record({ type: fc.constantFrom(4 as const, 5 as const, 6 as const, 7 as const, 8 as const), requestId: fc.integer({ min: 0, max: 3 }), content: fc.uint8Array({ maxLength: 120 }) }),
      fc.record({ type: fc.constant(1 as const), requestId: fc.integer({ min: 0, max: 3 }), role: fc.integer({ min: 0, max: 4 }), keepConn: fc.boolean() }),
      fc.record({ type: fc.constant(3 as const), requestId: fc.integer({ min: 0, max: 3 }), appStatus: fc.nat(), protocolStatus: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ type: fc.constantFrom(9 as const, 10 as const), requestId: fc.constant(0), pairs: fc.array(fc.tuple(pairText.filter((name) => name !== ''), pairText), { maxLength: 4 }) }),
      fc.record({ type: fc.constant('unknown' as const), rawType: fc.integer({ min: 12, max: 255 }), requestId: fc.constant(0), content: fc.uint8Array({ maxLength: 20 }) }),
    );
    fc.assert(fc.property(fc.array(recordArbitrary, { maxLength: 10 }), (records) => {
      const fromBytes = formatRecords(encodeAll(records)).replace(/ pad=\d+/g, '');
      expect(formatRecords(records)).toBe(fromBytes);
    }), { numRuns: 300 });
  });

  it('never throws on random records split at random places', () => {
    const recordArbitrary = fc.oneof(
      fc.record({ type: fc.constantFrom(4 as const, 5 as const, 6 as const, 7 as const, 8 as const), requestId: fc.integer({ min: 0, max: 65535 }), content: fc.uint8Array({ maxLength: 50 }) }),
      fc.record({ type: fc.constant(1 as const), requestId: fc.integer({ min: 0, max: 65535 }), role: fc.integer({ min: 0, max: 65535 }), keepConn: fc.boolean() }),
    );
    fc.assert(fc.property(fc.array(recordArbitrary, { maxLength: 12 }), fc.nat(), (records, cutSeed) => {
      const bytes = encodeAll(records);
      const cut = bytes.length === 0 ? 0 : cutSeed % bytes.length;
      const transcriber = new RecordTranscriber();
      const entries = [...transcriber.push(bytes.subarray(0, cut)), ...transcriber.push(bytes.subarray(cut))];
      expect(transcriber.end()).toBeUndefined();
      expect(entries.map((entry) => entry.record.requestId)).toEqual(records.map((record) => record.requestId));
    }), { numRuns: 200 });
  });
});
