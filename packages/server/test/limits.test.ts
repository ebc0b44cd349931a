import { type FcgiRecord, RecordType, Role, encodeParamsStream } from '@fcgi/codec';
import { describe, expect, it } from 'vitest';
import { createServer } from '../src/index.js';
import { TestClient, baseParams, delay, startServer } from './support/harness.js';

const isEnd = (requestId: number) => (record: FcgiRecord) => record.type === RecordType.EndRequest && record.requestId === requestId;
const codeOf = (error: unknown): string | undefined => (error as { code?: string } | undefined)?.code;

describe('limits', () => {
  it('maxParamsBytes: answers 431, reports ERR_FCGI_PARAMS_TOO_LARGE and keeps the connection', async () => {
    let calls = 0;
    const { port, connectionErrors } = await startServer({ maxParamsBytes: 1024 }, (_req, res) => {
      calls++;
      res.end('ok');
    });
    const client = await TestClient.connect(port);
    const reply = await client.fetch(1, { params: baseParams('/', { HTTP_X_BIG: 'x'.repeat(2000) }) });
    expect(reply.status).toBe(431);
    expect(codeOf(connectionErrors[0])).toBe('ERR_FCGI_PARAMS_TOO_LARGE');
    expect(calls).toBe(0);
    expect((await client.fetch(2)).body.toString()).toBe('ok');
  });

  it('maxParamsPairs: answers 431 and reports ERR_FCGI_TOO_MANY_PARAMS', async () => {
    const { port, connectionErrors } = await startServer({ maxParamsPairs: 10 }, (_req, res) => res.end('ok'));
    const client = await TestClient.connect(port);
    const params: Record<string, string> = baseParams();
    for (let index = 0; index < 20; index++) params[`HTTP_X_${index}`] = 'v';
    expect((await client.fetch(1, { params })).status).toBe(431);
    expect(codeOf(connectionErrors[0])).toBe('ERR_FCGI_TOO_MANY_PARAMS');
  });

  it('maxStdinBytes: answers 413 and reports ERR_FCGI_STDIN_TOO_LARGE', async () => {
    const { port, requestErrors } = await startServer({ maxStdinBytes: 100 }, (req, res) => {
      req.on('data', () => {});
      req.on('end', () => res.end('read it all'));
    });
    const client = await TestClient.connect(port);
    const reply = await client.fetch(1, { params: baseParams('/', { REQUEST_METHOD: 'POST' }), body: Buffer.alloc(500) });
    expect(reply.status).toBe(413);
    expect(codeOf(requestErrors[0])).toBe('ERR_FCGI_STDIN_TOO_LARGE');
    const small = await client.fetch(2, { params: baseParams('/', { REQUEST_METHOD: 'POST' }), body: Buffer.alloc(100) });
    expect(small.body.toString()).toBe('read it all');
  });

  it('paramsTimeout: closes a connection whose PARAMS never end (slowloris)', async () => {
    const { port, connectionErrors } = await startServer({ paramsTimeout: 100 }, (_req, res) => res.end());
    const client = await TestClient.connect(port);
    client.send({ type: RecordType.BeginRequest, requestId: 1, role: Role.Responder, keepConn: true }, encodeParamsStream(1, baseParams(), { end: false }));
    await client.closed;
    expect(codeOf(connectionErrors[0])).toBe('ERR_FCGI_PARAMS_TIMEOUT');
  });

  it('idleTimeout: closes an idle kept connection but not one with a request in flight', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const { port } = await startServer({ idleTimeout: 80 }, async (req, res) => {
      if (req.url === '/slow') await released;
      res.end('ok');
    });
    const idle = await TestClient.connect(port);
    await idle.fetch(1);
    const busy = await TestClient.connect(port);
    busy.request(1, { params: baseParams('/slow') });
    await idle.closed;
    await delay(150);
    expect(busy.isClosed).toBe(false);
    release();
    expect((await busy.cgiReply(1)).body.toString()).toBe('ok');
  });

  it('idleTimeout: traffic keeps a connection open; silence closes it after the timeout, within a quarter more', async () => {
    const idleTimeout = 200;
    const { port } = await startServer({ idleTimeout }, (_req, res) => res.end('ok'));
    const client = await TestClient.connect(port);
    // A request every 80 ms for 3 timeouts: never idle for a whole timeout.
    for (let requestId = 1; requestId <= 8; requestId++) {
      expect((await client.fetch(requestId)).body.toString()).toBe('ok');
      await delay(80);
    }
    expect(client.isClosed).toBe(false);
    const quietSince = performance.now();
    await client.closed;
    const quiet = performance.now() - quietSince + 80;
    expect(quiet).toBeGreaterThanOrEqual(idleTimeout);
    // At most 1.25 x the timeout, with room for a busy machine.
    expect(quiet).toBeLessThan(idleTimeout * 1.25 + 400);
  });

  it('maxConnections: closes connections beyond the limit', async () => {
    const { port } = await startServer({ maxConnections: 1 }, (_req, res) => res.end('ok'));
    const first = await TestClient.connect(port);
    expect((await first.fetch(1)).status).toBe(200);
    const second = await TestClient.connect(port);
    second.request(1);
    await second.closed;
    expect(second.records.filter(isEnd(1))).toEqual([]);
  });

  it.each([
    ['maxRequestsPerConnection', 0],
    ['maxParamsBytes', -1],
    ['idleTimeout', 1.5],
    ['stdinHighWaterMark', Number.NaN],
  ])('rejects an invalid %s with ERR_FCGI_INVALID_OPTION', (name, value) => {
    expect(() => createServer({ [name]: value })).toThrow(expect.objectContaining({ code: 'ERR_FCGI_INVALID_OPTION' }));
  });
});
