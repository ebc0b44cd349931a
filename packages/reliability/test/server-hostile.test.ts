/**
 * The known-bug cases (issue 9) against @fcgi/server: a raw hostile web server on loopback.
 */
import { type FcgiRecord, RecordType, Role, concatBytes, encodeParams, encodeParamsStream, encodeRecord, encodeStream } from '@fcgi/codec';
import { describe, expect, it } from 'vitest';
import { nginxRequest } from '../src/corpus.js';
import { type RawPeer } from '../src/raw-peer.js';
import { peer, startServer } from './support/servers.js';

const begin = (requestId: number, keepConn = true): Uint8Array => encodeRecord({ type: RecordType.BeginRequest, requestId, role: Role.Responder, keepConn });
const params = (requestId: number, content: Uint8Array): Uint8Array => encodeRecord({ type: RecordType.Params, requestId, content });
const endParams = (requestId: number): Uint8Array => encodeRecord({ type: RecordType.Params, requestId, content: new Uint8Array(0) });
const endStdin = (requestId: number): Uint8Array => encodeRecord({ type: RecordType.Stdin, requestId, content: new Uint8Array(0) });
const good = (requestId: number, uri: string): Uint8Array => concatBytes([begin(requestId), ...encodeParamsStream(requestId, { REQUEST_METHOD: 'GET', REQUEST_URI: uri }, { end: true }), endStdin(requestId)]);
const length4 = (value: number): number[] => [((value >>> 24) & 0x7f) | 0x80, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];

/** Sends a good request on `raw` and expects it answered 200 with its URI. */
async function expectServes(raw: RawPeer, requestId: number, uri: string): Promise<void> {
  raw.write(good(requestId, uri));
  const end = await raw.waitForEnd(requestId, 3000);
  expect(end?.protocolStatus).toBe(0);
  expect(raw.stdoutText(requestId)).toContain(`ok ${uri} 0`);
}

/** Expects a request that must never reach the handler: END_REQUEST without a 200, or a close. */
async function expectRefused(raw: RawPeer, requestId: number): Promise<void> {
  await raw.waitFor(() => raw.endOf(requestId) !== undefined || raw.closed, 3000);
  expect(raw.endOf(requestId) !== undefined || raw.closed).toBe(true);
  expect(raw.stdoutText(requestId)).not.toMatch(/^Status: 200/);
}

describe('server: name-value lengths (CVE-2025-23016 and friends)', () => {
  const hostilePairs: [string, number[]][] = [
    ['name length 0x7FFFFFFF', [...length4(0x7fffffff), 1, 65]],
    ['value length 0x7FFFFFFF', [1, ...length4(0x7fffffff), 65]],
    ['name + value lengths summing past 2^32', [...length4(0x7fffffff), ...length4(0x7fffffff), 65, 66]],
    ['lengths summing to 0xFFFFFFFF - 1', [...length4(0x7fffffff), ...length4(0x7ffffffe)]],
    ['a value length past the record', [1, 100, 65, 66]],
    ['a truncated 4-byte length', [3, 0x80, 0x00]],
  ];
  for (const [name, bytes] of hostilePairs) {
    it(`${name}: never reaches the handler, other connections keep serving`, async () => {
      const started = await startServer();
      const hostile = await peer(started.port);
      hostile.write(concatBytes([begin(1), params(1, new Uint8Array(bytes)), endParams(1), endStdin(1)]));
      await expectRefused(hostile, 1);
      expect(started.handled).toEqual([]);
      for (const error of started.connectionErrors) expect(error.code).toMatch(/^ERR_FCGI_(INVALID_PARAMS|PARAMS_TOO_LARGE)$/);
      await expectServes(await peer(started.port), 1, '/after');
    });
  }
});

describe('server: record framing', () => {
  it('takes STDIN records of contentLength 65535 with paddingLength 255 intact', async () => {
    const started = await startServer();
    const raw = await peer(started.port);
    const body = new Uint8Array(65535 * 2).map((_, index) => index & 0xff);
    raw.write(concatBytes([begin(1), ...encodeParamsStream(1, { REQUEST_METHOD: 'POST', REQUEST_URI: '/big' }, { end: true }), ...encodeStream(RecordType.Stdin, 1, body, { end: true, paddingLength: 255 })]));
    expect((await raw.waitForEnd(1, 3000))?.protocolStatus).toBe(0);
    expect(raw.stdoutText(1)).toContain(`ok /big ${body.length}`);
  });

  it('closes a connection sending version != 1 (ERR_FCGI_INVALID_VERSION), others unaffected', async () => {
    const started = await startServer();
    for (const version of [0, 2, 255]) {
      const raw = await peer(started.port);
      raw.write(new Uint8Array([version, 1, 0, 1, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
      expect(await raw.waitForClose(2000)).toBe(true);
    }
    expect(started.connectionErrors.map((error) => error.code)).toEqual(['ERR_FCGI_INVALID_VERSION', 'ERR_FCGI_INVALID_VERSION', 'ERR_FCGI_INVALID_VERSION']);
    await expectServes(await peer(started.port), 1, '/after');
  });

  it('answers UNKNOWN_TYPE for every type 0 and 12-255 on id 0, and keeps the connection', async () => {
    const started = await startServer();
    const raw = await peer(started.port);
    const types = [0, ...Array.from({ length: 244 }, (_, index) => index + 12)];
    raw.write(concatBytes(types.map((rawType) => encodeRecord({ type: 'unknown', rawType, requestId: 0, content: new Uint8Array([1, 2, 3]) }))));
    const answered = (): number[] => raw.records.filter((record) => record.type === RecordType.UnknownType).map((record) => (record as { unknownType: number }).unknownType);
    await raw.waitFor(() => answered().length === types.length, 3000);
    expect(answered()).toEqual(types);
    await expectServes(raw, 1, '/after-unknown');
    expect(started.connectionErrors).toEqual([]);
  });

  it('ignores types 0 and 12-255 on an active id: the request completes', async () => {
    const started = await startServer();
    const raw = await peer(started.port);
    const noise = [0, 12, 42, 255].map((rawType) => encodeRecord({ type: 'unknown', rawType, requestId: 1, content: new Uint8Array([9]) }));
    raw.write(concatBytes([begin(1), ...noise, ...encodeParamsStream(1, { REQUEST_METHOD: 'GET', REQUEST_URI: '/typed' }, { end: true }), ...noise, endStdin(1)]));
    expect((await raw.waitForEnd(1, 3000))?.protocolStatus).toBe(0);
    expect(raw.stdoutText(1)).toContain('ok /typed 0');
    expect(raw.records.some((record) => record.type === RecordType.UnknownType)).toBe(false);
  });
});

describe('server: request ids', () => {
  const nullIdRecords: [string, Uint8Array][] = [
    ['BEGIN_REQUEST', begin(0)],
    ['PARAMS', params(0, encodeParams({ A: 'b' }))],
    ['STDIN', encodeRecord({ type: RecordType.Stdin, requestId: 0, content: new Uint8Array([1]) })],
    ['DATA', encodeRecord({ type: RecordType.Data, requestId: 0, content: new Uint8Array([1]) })],
    ['ABORT_REQUEST', encodeRecord({ type: RecordType.AbortRequest, requestId: 0 })],
  ];
  for (const [name, bytes] of nullIdRecords) {
    it(`closes a connection that sends ${name} on id 0 (ERR_FCGI_NULL_REQUEST_ID), others unaffected`, async () => {
      const started = await startServer();
      const raw = await peer(started.port);
      raw.write(bytes);
      expect(await raw.waitForClose(2000)).toBe(true);
      expect(started.connectionErrors.map((error) => error.code)).toEqual(['ERR_FCGI_NULL_REQUEST_ID']);
      expect(started.handled).toEqual([]);
      await expectServes(await peer(started.port), 1, '/after');
    });
  }

  it('closes the connection within a second on a duplicate BEGIN_REQUEST', async () => {
    const started = await startServer({}, () => new Promise(() => {}));
    const raw = await peer(started.port);
    raw.write(good(1, '/slow'));
    expect(await raw.waitFor(() => started.handled.length === 1, 2000)).toBe(true);
    const before = Date.now();
    raw.write(begin(1));
    expect(await raw.waitForClose(1000)).toBe(true);
    expect(Date.now() - before).toBeLessThan(1000);
    expect(started.connectionErrors.map((error) => error.code)).toEqual(['ERR_FCGI_DUPLICATE_REQUEST']);
  });

  it('ignores records and ABORT_REQUEST for unknown ids, and app-only records, and keeps serving', async () => {
    const started = await startServer();
    const raw = await peer(started.port);
    const stray: FcgiRecord[] = [
      { type: RecordType.AbortRequest, requestId: 7 },
      { type: RecordType.Params, requestId: 8, content: encodeParams({ A: 'b' }) },
      { type: RecordType.Stdin, requestId: 9, content: new Uint8Array([1, 2]) },
      { type: RecordType.Data, requestId: 10, content: new Uint8Array([1]) },
      { type: RecordType.Stdout, requestId: 11, content: new Uint8Array([1]) },
      { type: RecordType.Stderr, requestId: 12, content: new Uint8Array([1]) },
      { type: RecordType.EndRequest, requestId: 13, appStatus: 0, protocolStatus: 0 },
      { type: RecordType.GetValuesResult, requestId: 0, pairs: [['FCGI_MAX_CONNS', '1']] },
      { type: RecordType.UnknownType, requestId: 0, unknownType: 99 },
    ];
    raw.write(concatBytes(stray.map((record) => encodeRecord(record))));
    await expectServes(raw, 1, '/after-stray');
    // ABORT for an id whose request already ended is ignored too.
    raw.write(encodeRecord({ type: RecordType.AbortRequest, requestId: 1 }));
    await expectServes(raw, 2, '/after-late-abort');
    expect(raw.records.filter((record) => record.type === RecordType.EndRequest)).toHaveLength(2);
    expect(started.connectionErrors).toEqual([]);
  });
});

describe('server: GET_VALUES', () => {
  it('answers each known name once, whatever the query repeats (no fixed buffer to overflow)', async () => {
    const started = await startServer();
    const raw = await peer(started.port);
    const names: [string, string][] = Array.from({ length: 99 }, (_, index) => [['FCGI_MPXS_CONNS', 'FCGI_MAX_CONNS', 'FCGI_MAX_REQS', 'X'.repeat(200)][index % 4] as string, '']);
    raw.write(encodeRecord({ type: RecordType.GetValues, requestId: 0, pairs: names }));
    await raw.waitFor(() => raw.records.some((record) => record.type === RecordType.GetValuesResult), 2000);
    const result = raw.records.find((record) => record.type === RecordType.GetValuesResult) as unknown as { pairs: { name: string }[] };
    expect(result.pairs.map((pair) => pair.name).sort()).toEqual(['FCGI_MAX_CONNS', 'FCGI_MAX_REQS', 'FCGI_MPXS_CONNS']);
    await expectServes(raw, 1, '/after-values');
  });

  it('closes a connection whose GET_VALUES has thousands of names (ERR_FCGI_TOO_MANY_VALUES), others unaffected', async () => {
    const started = await startServer();
    const raw = await peer(started.port);
    const names: [string, string][] = Array.from({ length: 3000 }, () => ['FCGI_MAX_CONNS', '']);
    raw.write(encodeRecord({ type: RecordType.GetValues, requestId: 0, pairs: names }));
    expect(await raw.waitForClose(2000)).toBe(true);
    expect(raw.records.some((record) => record.type === RecordType.GetValuesResult)).toBe(false);
    expect(started.connectionErrors.map((error) => error.code)).toEqual(['ERR_FCGI_TOO_MANY_VALUES']);
    await expectServes(await peer(started.port), 1, '/after');
  });
});

describe('server: NUL, CR and LF in params', () => {
  it('passes them byte-exact to req.fastcgi.params and refuses to echo them into a response header', async () => {
    const seen: string[] = [];
    const started = await startServer({}, (req, res) => {
      seen.push(req.fastcgi.params.HTTP_X_EVIL ?? '', req.fastcgi.params.REQUEST_URI ?? '');
      res.setHeader('X-Echo', req.fastcgi.params.HTTP_X_EVIL ?? '');
      res.end('never');
    });
    const raw = await peer(started.port);
    const evil = 'a\r\nSet-Cookie: owned=1\r\n\0b';
    raw.write(concatBytes([begin(1), ...encodeParamsStream(1, { REQUEST_METHOD: 'GET', REQUEST_URI: '/x\ny', HTTP_X_EVIL: evil }, { end: true }), endStdin(1)]));
    await raw.waitForEnd(1, 3000);
    expect(seen).toEqual([evil, '/x\ny']);
    expect(raw.stdoutText(1)).not.toContain('owned');
    expect(raw.stdoutText(1)).toMatch(/^Status: 500/);
  });

  it('a real nginx-shaped request still works after all of the above (sanity)', async () => {
    const started = await startServer();
    const raw = await peer(started.port);
    raw.write(nginxRequest('/index.php?x=1'));
    expect((await raw.waitForEnd(1, 3000))?.protocolStatus).toBe(0);
  });
});
