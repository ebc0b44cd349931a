/**
 * The per-request fast paths (issue 3/8 performance work) behave exactly as the general
 * ones: PARAMS in one whole-pairs record (decoded lazily, no pair objects) versus split
 * across records (the streaming decoder); one buffer per response from the record writer,
 * shared between connections in one tick; the cheap method pinning Express relies on.
 */
import { Buffer } from 'node:buffer';
import { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { RecordType, Role, decodeParams, encodeParams, encodeRecord, encodeStream } from '@fcgi/codec';
import { type FastCgiIncomingMessage, createServer } from '../src/index.js';
import { DecodedParams, countWholePairs } from '../src/params-fast.js';
import { requestHeaders } from '../src/request-headers.js';
import { pinOwnMethods } from '../src/pin-methods.js';
import { TestClient, baseParams, startServer } from './support/harness.js';

interface Seen {
  params: Record<string, string>;
  pairs: { name: string; value: string; valueBytes: number[] }[];
  url: string | undefined;
  headers: Record<string, unknown>;
  rawHeaders: string[];
}

function snapshot(req: FastCgiIncomingMessage): Seen {
  return {
    params: { ...req.fastcgi.params },
    pairs: req.fastcgi.pairs.map((pair) => ({ name: pair.name, value: pair.value, valueBytes: [...pair.valueBytes] })),
    url: req.url,
    headers: { ...req.headers },
    rawHeaders: [...req.rawHeaders],
  };
}

/** BEGIN_REQUEST, the params bytes cut into records at `cuts`, the empty PARAMS and STDIN records. */
function requestWithParamsCut(requestId: number, params: Uint8Array, cuts: number[]): Uint8Array[] {
  const records: Uint8Array[] = [encodeRecord({ type: RecordType.BeginRequest, requestId, role: Role.Responder, keepConn: true })];
  let start = 0;
  for (const cut of [...cuts, params.length]) {
    if (cut > start) records.push(...encodeStream(RecordType.Params, requestId, params.subarray(start, cut)));
    start = cut;
  }
  records.push(...encodeStream(RecordType.Params, requestId, new Uint8Array(0), { end: true }));
  records.push(...encodeStream(RecordType.Stdin, requestId, new Uint8Array(0), { end: true }));
  return records;
}

describe('PARAMS fast path (one whole-pairs record)', () => {
  const params = encodeParams([
    ...Object.entries(baseParams('/caf\u00e9?q=\u00fc')),
    ['HTTP_X_NAME', 'J\u00e9r\u00f4me'],
    ['HTTP_X_NAME', 'second value, dropped from headers'],
    ['HTTP_ACCEPT', 'text/plain'],
    ['CONTENT_TYPE', 'text/plain'],
    ['HTTP_CONTENT_TYPE', 'duplicate, dropped'],
    ['EMPTY', ''],
    ['DUPLICATE', 'first'],
    ['DUPLICATE', 'last wins in params'],
  ]);

  it('gives the same params, pairs, url and headers as PARAMS split across records', async () => {
    const seen: Seen[] = [];
    const { port } = await startServer({}, (req, res) => {
      seen.push(snapshot(req));
      res.end('ok');
    });
    const client = await TestClient.connect(port);
    client.send(requestWithParamsCut(1, params, []));
    await client.reply(1);
    client.send(requestWithParamsCut(2, params, [7, 40]));
    await client.reply(2);
    expect(seen).toHaveLength(2);
    expect(seen[0]).toEqual(seen[1]);
    const [whole] = seen;
    expect(whole?.params.DUPLICATE).toBe('last wins in params');
    expect(whole?.params.HTTP_X_NAME).toBe('second value, dropped from headers');
    expect(whole?.headers['x-name']).toBe(Buffer.from('J\u00e9r\u00f4me').toString('latin1'));
    expect(whole?.headers['content-type']).toBe('text/plain');
    expect(whole?.url).toBe(Buffer.from('/caf\u00e9?q=\u00fc').toString('latin1'));
    expect(whole?.pairs).toEqual(decodeParams(params).map((pair) => ({ name: pair.name, value: pair.value, valueBytes: [...pair.valueBytes] })));
  });

  it('decodes names and values as the codec does, also around non-ASCII and invalid UTF-8 bytes', () => {
    const bytes = encodeParams([
      ['A', 'plain'],
      ['B', new Uint8Array([0x4a, 0xc3, 0xa9, 0xff, 0x41])],
      ['\u00e9', '\ufeffbom'],
    ]);
    expect(countWholePairs(bytes, 10)).toBe(3);
    const decoded = new DecodedParams(bytes, 3);
    const codec = decodeParams(bytes);
    expect(decoded.names).toEqual(codec.map((pair) => pair.name));
    expect(decoded.values).toEqual(codec.map((pair) => pair.value));
    expect(decoded.latin1Value(1)).toBe(Buffer.from([0x4a, 0xc3, 0xa9, 0xff, 0x41]).toString('latin1'));
  });

  it('finds the last pair of a name, non-ASCII names too, and tells header pairs by their HTTP_ prefix', () => {
    const bytes = encodeParams([
      ['HTTP_', 'no name after the prefix'],
      ['REQUEST_METHOD', 'GET'],
      ['HTTP_X', 'one'],
      ['REQUEST_METHOD', 'POST'],
      ['\u00e9t\u00e9', 'summer'],
      ['HTTP_Y', '\u00e9'],
    ]);
    const decoded = new DecodedParams(bytes, 6);
    expect(decoded.find('REQUEST_METHOD')).toBe('POST');
    expect(decoded.find('\u00e9t\u00e9')).toBe('summer');
    expect(decoded.find('REQUEST_URI')).toBeUndefined();
    expect([0, 1, 2, 3, 4, 5].map((index) => decoded.isHeader(index))).toEqual([false, false, true, false, false, true]);
    expect(decoded.isNamed(2, 'HTTP_X')).toBe(true);
    expect(decoded.isNamed(2, 'HTTP_Y')).toBe(false);
    expect(decoded.latin1Value(5)).toBe(Buffer.from('\u00e9').toString('latin1'));
    expect(decoded.values).toEqual(decodeParams(bytes).map((pair) => pair.value));
    const found: (string | undefined)[] = ['stale', 'stale'];
    decoded.findEach(['REQUEST_URI', 'REQUEST_METHOD', '\u00e9t\u00e9'], found);
    expect(found).toEqual([undefined, 'POST', 'summer']);
  });

  it('gives the same values whether sliced one by one or cut from the whole record', () => {
    const pairs = Array.from({ length: 12 }, (_, index) => ({ name: `NAME_${index}`, value: index % 3 === 0 ? `caf\u00e9 ${index}` : `value ${index}` }));
    const bytes = encodeParams(pairs.map((pair) => [pair.name, pair.value] as [string, string]));
    const decoded = new DecodedParams(bytes, pairs.length);
    const latin1 = pairs.map((_, index) => decoded.latin1Value(index));
    expect(latin1).toEqual(pairs.map((pair) => Buffer.from(pair.value).toString('latin1')));
    expect(decoded.values).toEqual(pairs.map((pair) => pair.value));
    const ascii = new DecodedParams(encodeParams(pairs.map((pair, index) => [pair.name, `v${index}`] as [string, string])), pairs.length);
    expect(pairs.map((_, index) => ascii.latin1Value(index))).toEqual(pairs.map((_, index) => `v${index}`));
  });

  it('keeps the first of duplicate header params, with few headers and with many', () => {
    const many = Array.from({ length: 20 }, (_, index) => ({ name: `HTTP_X_${index}`, value: `v${index}` }));
    const pairs = [{ name: 'HTTP_X_1', value: 'first' }, ...many, { name: 'HTTP_X_1', value: 'late' }, { name: 'HTTP_X_19', value: 'late' }];
    const raw = requestHeaders(pairs);
    expect(raw.filter((entry) => entry === 'x-1')).toHaveLength(1);
    expect(raw[raw.indexOf('x-1') + 1]).toBe('first');
    expect(raw[raw.indexOf('x-19') + 1]).toBe('v19');
    expect(raw).toHaveLength(40);
    expect(requestHeaders([{ name: 'HTTP_A', value: '1' }, { name: 'HTTP_A', value: '2' }])).toEqual(['a', '1']);
  });

  it('reuses the previous record\'s name string at a position only when the bytes match', () => {
    const first = new DecodedParams(encodeParams([['SCRIPT_NAME', '/a']]), 1);
    const same = new DecodedParams(encodeParams([['SCRIPT_NAME', '/b']]), 1);
    const other = new DecodedParams(encodeParams([['SCRIPT_NAMF', '/c']]), 1);
    expect(same.name(0)).toBe(first.name(0));
    expect(other.name(0)).toBe('SCRIPT_NAMF');
    expect(other.value(0)).toBe('/c');
  });

  it('leaves truncated records and records over maxParamsPairs to the streaming decoder', () => {
    const bytes = encodeParams([
      ['A', '1'],
      ['B', '2'],
    ]);
    expect(countWholePairs(bytes.subarray(0, bytes.length - 1), 10)).toBe(-1);
    expect(countWholePairs(bytes, 1)).toBe(-1);
    expect(countWholePairs(bytes, 2)).toBe(2);
  });

  it('still refuses too many pairs with 431, through the streaming decoder', async () => {
    const { port } = await startServer({ maxParamsPairs: 3 }, (_req, res) => res.end('never'));
    const client = await TestClient.connect(port);
    const reply = await client.fetch(1, { params: baseParams('/', { A: '1', B: '2' }) });
    expect(reply.status).toBe(431);
  });
});

describe('record writer: one buffer per tick', () => {
  it('keeps the responses of connections answered in the same tick apart', async () => {
    const server = createServer((req, res) => res.end(`answer for ${req.url ?? ''}`));
    const { port } = await new Promise<{ port: number }>((resolve) => {
      server.listen(0, '127.0.0.1', () => resolve(server.address() as { port: number }));
    });
    const clients = await Promise.all([1, 2, 3].map(() => TestClient.connect(port)));
    const replies = await Promise.all(clients.map((client, index) => client.fetch(1, { params: baseParams(`/client-${index}`) })));
    expect(replies.map((reply) => reply.body.toString())).toEqual(['answer for /client-0', 'answer for /client-1', 'answer for /client-2']);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('frames a body larger than one record, and a head with latin1 text, exactly', async () => {
    const body = Buffer.alloc(70_000, 7);
    const { port } = await startServer({}, (_req, res) => {
      res.setHeader('X-Latin1', 'caf\u00e9');
      res.end(body);
    });
    const client = await TestClient.connect(port);
    const reply = await client.fetch(1);
    expect(reply.header('X-Latin1')).toBe('caf\u00e9');
    expect(reply.header('Content-Length')).toBe('70000');
    expect(reply.body.equals(body)).toBe(true);
    const stdout = reply.records.filter((record) => record.type === RecordType.Stdout).map((record) => (record as { content: Uint8Array }).content.length);
    expect(Math.max(...stdout)).toBeLessThanOrEqual(65535);
    expect(stdout[stdout.length - 1]).toBe(0);
  });

  it('sends the head and a small body in one STDOUT record, and a large body after a head record of its own', async () => {
    const large = Buffer.alloc(20_000, 9);
    const { port } = await startServer({}, (req, res) => {
      res.setHeader('Content-Type', 'text/plain');
      res.end(req.url === '/large' ? large : 'hello world\n');
    });
    const client = await TestClient.connect(port);
    const small = await client.fetch(1, { params: baseParams('/small') });
    const smallStdout = small.records.filter((record) => record.type === RecordType.Stdout).map((record) => (record as { content: Uint8Array }).content.length);
    expect(small.body.toString()).toBe('hello world\n');
    expect(smallStdout).toHaveLength(2);
    expect(smallStdout[1]).toBe(0);
    const big = await client.fetch(2, { params: baseParams('/large') });
    expect(big.body.equals(large)).toBe(true);
    const bigStdout = big.records.filter((record) => record.type === RecordType.Stdout).map((record) => (record as { content: Uint8Array }).content.length);
    expect(bigStdout).toEqual([bigStdout[0], large.length, 0]);
    expect(big.header('Content-Length')).toBe(String(large.length));
  });

  it('answers 500 for a status message outside latin1, and setHeader refuses such a value (node checks both)', async () => {
    const errors: string[] = [];
    const thrown: string[] = [];
    const { port, server } = await startServer({}, (req, res) => {
      if (req.url === '/set') {
        try {
          res.setHeader('X-Bad', 'snow \u2603');
        } catch (error) {
          thrown.push(String((error as { code?: string }).code));
        }
        res.setHeader('X-Fine', 'caf\u00e9');
        res.end('ok');
        return;
      }
      res.statusMessage = 'Snow \u2603';
      res.end();
    });
    server.on('requestError', (error) => errors.push(String((error.cause as { code?: string } | undefined)?.code)));
    const client = await TestClient.connect(port);
    const refused = await client.fetch(1, { params: baseParams('/status') });
    expect(refused.status).toBe(500);
    expect(errors).toEqual(['ERR_INVALID_CHAR']);
    const set = await client.fetch(2, { params: baseParams('/set') });
    expect(thrown).toEqual(['ERR_INVALID_CHAR']);
    expect(set.status).toBe(200);
    expect(set.header('X-Fine')).toBe('caf\u00e9');
    expect(set.header('X-Bad')).toBeUndefined();
  });

  it('refuses a header value outside latin1 as serializeCgiHead did', async () => {
    const errors: string[] = [];
    const { port, server } = await startServer({}, (_req, res) => {
      res.writeHead(200, { 'X-Bad': 'snow \u2603' });
      res.end();
    });
    server.on('requestError', (error) => errors.push(String((error.cause as { code?: string } | undefined)?.code)));
    const client = await TestClient.connect(port);
    const reply = await client.fetch(1);
    expect(reply.status).toBe(500);
    expect(errors).toEqual(['ERR_FCGI_INVALID_HEADER']);
  });
});

describe('pinOwnMethods', () => {
  it('keeps the class methods on the instance after a prototype swap, once each', () => {
    class Base {
      greet(): string {
        return 'base';
      }
    }
    class Derived extends Base {
      override greet(): string {
        return 'derived';
      }
    }
    const target = new Derived();
    pinOwnMethods(target);
    pinOwnMethods(target);
    Object.setPrototypeOf(target, Base.prototype);
    expect(target.greet()).toBe('derived');
    expect(Object.keys(target)).toEqual(['greet']);
  });
});

describe('pinning on req.res, as Express assigns it before swapping prototypes', () => {
  it('copies nothing onto req and res until req.res is assigned, then pins both', async () => {
    const seen: { before: boolean[]; after: boolean[]; same: boolean; headers: unknown } = { before: [], after: [], same: false, headers: undefined };
    const { port } = await startServer({}, (req, res) => {
      const own = (target: object, name: string): boolean => Object.prototype.hasOwnProperty.call(target, name);
      seen.before = [own(req, '_read'), own(res, '_send'), own(req, 'res')];
      (req as unknown as { res: unknown }).res = res;
      seen.after = [own(req, '_read'), own(res, '_send'), own(req, 'res')];
      seen.same = (req as unknown as { res: unknown }).res === res;
      Object.setPrototypeOf(req, Object.create(IncomingMessage.prototype) as object);
      Object.setPrototypeOf(res, Object.create(ServerResponse.prototype) as object);
      seen.headers = req.headers['user-agent'];
      res.setHeader('Content-Type', 'text/plain');
      res.end('pinned');
    });
    const client = await TestClient.connect(port);
    const reply = await client.fetch(1, { params: baseParams('/', { HTTP_USER_AGENT: 'probe' }) });
    expect(reply.body.toString()).toBe('pinned');
    expect(seen.before).toEqual([false, false, false]);
    expect(seen.after).toEqual([true, true, true]);
    expect(seen.same).toBe(true);
    expect(seen.headers).toBe('probe');
  });
});
