import { type FcgiRecord, RecordType, Role, encodeParamsStream, encodeRecord, encodeStream } from '@fcgi/codec';
import { describe, expect, it } from 'vitest';
import type { FastCgiIncomingMessage, FastCgiServerResponse } from '../src/index.js';
import { TestClient, baseParams, delay, startServer } from './support/harness.js';

const ofId = (requestId: number) => (record: FcgiRecord) => record.requestId === requestId;
const isEnd = (requestId: number) => (record: FcgiRecord) => record.type === RecordType.EndRequest && record.requestId === requestId;

describe('ABORT_REQUEST', () => {
  it('fires the signal, emits aborted/close, answers END_REQUEST once and writes nothing afterwards', async () => {
    const events: string[] = [];
    let captured: { req: FastCgiIncomingMessage; res: FastCgiServerResponse } | undefined;
    const { port } = await startServer({}, (req, res) => {
      captured = { req, res };
      req.fastcgi.signal.addEventListener('abort', () => events.push(`signal:${(req.fastcgi.signal.reason as { code?: string }).code}`));
      req.on('aborted', () => events.push('req aborted'));
      res.on('close', () => events.push('res close'));
      res.on('finish', () => events.push('res finish'));
      res.write('partial');
    });
    const client = await TestClient.connect(port);
    client.request(1, { endStdin: false });
    await client.waitFor((record) => record.type === RecordType.Stdout && record.requestId === 1);
    client.send({ type: RecordType.AbortRequest, requestId: 1 });
    await client.waitFor(isEnd(1));
    await delay(10);
    expect(events).toEqual(['signal:ERR_FCGI_REQUEST_ABORTED', 'req aborted', 'res close']);
    // The handler keeps writing: nothing reaches the wire for this id any more.
    const count = client.records.filter(ofId(1)).length;
    captured!.res.write('late');
    captured!.res.end('later');
    await delay(20);
    expect(client.records.filter(ofId(1))).toHaveLength(count);
    expect(client.records.filter(isEnd(1))).toHaveLength(1);
    expect(captured!.req.destroyed).toBe(true);
  });

  it('does not report a handler that fails only because its request was aborted', async () => {
    let failure: unknown;
    const { port, requestErrors } = await startServer({}, async (req, res) => {
      try {
        for await (const _chunk of req) { /* read until the abort */ }
      } catch (error) {
        failure = error;
        throw error;
      }
      res.end();
    });
    const client = await TestClient.connect(port);
    client.request(1, { params: baseParams('/', { REQUEST_METHOD: 'POST' }), endStdin: false, body: 'partial' });
    await delay(20);
    client.send({ type: RecordType.AbortRequest, requestId: 1 });
    await client.waitFor(isEnd(1));
    await delay(20);
    expect((failure as { code?: string }).code).toBe('ERR_FCGI_REQUEST_ABORTED');
    expect(requestErrors).toEqual([]);
  });

  it('answers an abort that comes before PARAMS end without calling the handler', async () => {
    let calls = 0;
    const { port } = await startServer({}, (_req, res) => {
      calls++;
      res.end();
    });
    const client = await TestClient.connect(port);
    client.send(
      { type: RecordType.BeginRequest, requestId: 1, role: Role.Responder, keepConn: true },
      encodeParamsStream(1, baseParams(), { end: false }),
      { type: RecordType.AbortRequest, requestId: 1 },
    );
    expect(await client.waitFor(isEnd(1))).toMatchObject({ protocolStatus: 0 });
    // The rest of the request, if the web server still sends it, is for an inactive id.
    client.send({ type: RecordType.Params, requestId: 1, content: new Uint8Array(0) });
    await delay(20);
    expect(calls).toBe(0);
    expect(client.records.filter(isEnd(1))).toHaveLength(1);
  });

  it('ignores an abort that comes after END_REQUEST', async () => {
    const { port } = await startServer({}, (_req, res) => res.end('done'));
    const client = await TestClient.connect(port);
    await client.fetch(1);
    const count = client.records.length;
    client.send({ type: RecordType.AbortRequest, requestId: 1 });
    await delay(20);
    expect(client.records).toHaveLength(count);
    expect(client.isClosed).toBe(false);
  });

  it('aborts during a large write without writing past END_REQUEST', async () => {
    const big = Buffer.alloc(8 * 1024 * 1024, 120);
    let writeResult: boolean | undefined;
    const { port } = await startServer({}, (_req, res) => {
      writeResult = res.write(big);
      res.on('close', () => res.end());
    });
    const client = await TestClient.connect(port);
    client.socket.pause();
    client.request(1);
    await delay(30);
    expect(writeResult).toBe(false);
    client.send({ type: RecordType.AbortRequest, requestId: 1 });
    client.socket.resume();
    await client.waitFor(isEnd(1), 10000);
    await delay(20);
    const records = client.records.filter(ofId(1));
    expect(records[records.length - 1]?.type).toBe(RecordType.EndRequest);
    expect(records.filter((record) => record.type === RecordType.EndRequest)).toHaveLength(1);
  });

  it('reuses an aborted id for a new request while the old handler keeps writing', async () => {
    let first: FastCgiServerResponse | undefined;
    const { port } = await startServer({}, (req, res) => {
      if (req.url === '/first') first = res;
      else res.end('second');
    });
    const client = await TestClient.connect(port);
    client.request(1, { params: baseParams('/first') });
    await delay(10);
    client.send({ type: RecordType.AbortRequest, requestId: 1 });
    await client.waitFor(isEnd(1));
    const from = client.records.length;
    client.request(1, { params: baseParams('/second') });
    first!.write('stale bytes');
    const reply = await client.cgiReply(1, 5000, from);
    expect(reply.body.toString()).toBe('second');
    expect(reply.stdout.toString()).not.toContain('stale');
  });

  it('fires the signal when the web server closes the connection', async () => {
    let aborted: Promise<unknown> | undefined;
    const { port } = await startServer({}, (req) => {
      aborted = new Promise((resolve) => req.fastcgi.signal.addEventListener('abort', resolve));
    });
    const client = await TestClient.connect(port);
    client.request(1);
    await delay(20);
    client.socket.destroy();
    await expect(aborted).resolves.toBeDefined();
  });
});

describe('handler errors', () => {
  it('turns a thrown error into a 500, reports it and keeps serving', async () => {
    const { port, requestErrors } = await startServer({}, (req, res) => {
      res.setHeader('X-Partial', 'yes');
      if (req.url === '/boom') throw new Error('boom');
      res.end('fine');
    });
    const client = await TestClient.connect(port);
    const reply = await client.fetch(1, { params: baseParams('/boom') });
    expect(reply.status).toBe(500);
    expect(reply.header('x-partial')).toBeUndefined();
    expect(reply.end.appStatus).toBe(1);
    expect(reply.end.protocolStatus).toBe(0);
    expect(requestErrors.map((error) => [(error as { code?: string }).code, (error.cause as Error).message])).toEqual([['ERR_FCGI_HANDLER_ERROR', 'boom']]);
    expect((await client.fetch(2)).body.toString()).toBe('fine');
  });

  it('turns a rejected promise into a 500', async () => {
    const { port, requestErrors } = await startServer({}, async () => {
      await delay(1);
      throw new Error('async boom');
    });
    const client = await TestClient.connect(port);
    expect((await client.fetch(1)).status).toBe(500);
    expect(requestErrors).toHaveLength(1);
  });

  it('cuts the response with a non-zero appStatus when the error comes after the head was sent', async () => {
    const { port, requestErrors } = await startServer({}, async (_req, res) => {
      res.write('half');
      await delay(5);
      throw new Error('late');
    });
    const client = await TestClient.connect(port);
    const reply = await client.cgiReply((client.request(1), 1));
    expect(reply.status).toBe(200);
    expect(reply.body.toString()).toBe('half');
    expect(reply.end.appStatus).toBe(1);
    expect(requestErrors).toHaveLength(1);
  });

  it('reports a write after end instead of crashing', async () => {
    const { port, requestErrors } = await startServer({}, (_req, res) => {
      res.end('one');
      res.write('two');
    });
    const client = await TestClient.connect(port);
    expect((await client.fetch(1)).body.toString()).toBe('one');
    await delay(10);
    expect((requestErrors[0]?.cause as { code?: string }).code).toBe('ERR_STREAM_WRITE_AFTER_END');
  });

  it("treats a throwing 'data' listener as the handler's error, not the connection's", async () => {
    const { port, requestErrors, connectionErrors } = await startServer({}, (req, res) => {
      if (req.url === '/ok') {
        res.end('still serving');
        return;
      }
      req.on('data', () => {
        throw new Error('data boom');
      });
    });
    const client = await TestClient.connect(port);
    client.request(1, { params: baseParams('/', { REQUEST_METHOD: 'POST' }), endStdin: false });
    await delay(30);
    // The body arrives while req is flowing: the engine's push runs the listener synchronously.
    client.send(encodeStream(RecordType.Stdin, 1, Buffer.from('abc'), { end: true }));
    const reply = await client.cgiReply(1);
    expect(reply.status).toBe(500);
    expect(reply.end.appStatus).toBe(1);
    expect((requestErrors[0]?.cause as Error).message).toBe('data boom');
    expect(connectionErrors).toEqual([]);
    expect((await client.fetch(2, { params: baseParams('/ok') })).body.toString()).toBe('still serving');
  });

  it('never reports a handler error as a connection error', async () => {
    const { port, connectionErrors } = await startServer({}, () => {
      throw new Error('handler bug');
    });
    const client = await TestClient.connect(port);
    await client.fetch(1);
    expect(connectionErrors).toEqual([]);
    expect(client.isClosed).toBe(false);
    expect(encodeRecord).toBeDefined();
  });
});
