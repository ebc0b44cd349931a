import { type FcgiRecord, ProtocolStatus, RecordType, Role, encodeRecord } from '@fcgi/codec';
import { describe, expect, it } from 'vitest';
import { TestClient, baseParams, delay, startServer } from './support/harness.js';

const isEnd = (requestId: number) => (record: FcgiRecord) => record.type === RecordType.EndRequest && record.requestId === requestId;

describe('GET_VALUES and management records', () => {
  it('answers the known names from the configuration and omits unknown ones', async () => {
    const { port } = await startServer({ maxConnections: 7, maxConcurrentRequests: 40, maxRequestsPerConnection: 5 }, (_req, res) => res.end());
    const client = await TestClient.connect(port);
    client.send({ type: RecordType.GetValues, requestId: 0, pairs: [['FCGI_MAX_CONNS', ''], ['FCGI_MAX_REQS', ''], ['FCGI_MPXS_CONNS', ''], ['FCGI_NOPE', '']] });
    const result = await client.waitFor((record) => record.type === RecordType.GetValuesResult);
    expect(result.requestId).toBe(0);
    const pairs = (result as unknown as { pairs: { name: string; value: string }[] }).pairs.map((pair) => [pair.name, pair.value]);
    // With multiplexing, FCGI_MAX_REQS is capped by the per-connection limit (HAProxy reads it per connection).
    expect(pairs).toEqual([['FCGI_MAX_CONNS', '7'], ['FCGI_MAX_REQS', '5'], ['FCGI_MPXS_CONNS', '1']]);
  });

  it('reports FCGI_MPXS_CONNS 0 when multiplexing is off', async () => {
    const { port } = await startServer({ multiplex: false, maxConcurrentRequests: 12 }, (_req, res) => res.end());
    const client = await TestClient.connect(port);
    client.send({ type: RecordType.GetValues, requestId: 0, pairs: [['FCGI_MPXS_CONNS', ''], ['FCGI_MAX_REQS', '']] });
    const result = await client.waitFor((record) => record.type === RecordType.GetValuesResult);
    expect((result as unknown as { pairs: { name: string; value: string }[] }).pairs.map((pair) => pair.value)).toEqual(['0', '12']);
  });

  it('answers GET_VALUES in the middle of a request', async () => {
    const { port } = await startServer({}, async (req, res) => {
      for await (const _chunk of req) { /* drain */ }
      res.end('done');
    });
    const client = await TestClient.connect(port);
    client.request(1, { endStdin: false, body: 'part' });
    client.send({ type: RecordType.GetValues, requestId: 0, pairs: [['FCGI_MPXS_CONNS', '']] });
    await client.waitFor((record) => record.type === RecordType.GetValuesResult);
    client.send({ type: RecordType.Stdin, requestId: 1, content: new Uint8Array(0) });
    expect((await client.cgiReply(1)).body.toString()).toBe('done');
  });

  it('answers an unknown management record type with UNKNOWN_TYPE and keeps the connection', async () => {
    const { port } = await startServer({}, (_req, res) => res.end('ok'));
    const client = await TestClient.connect(port);
    client.send({ type: 'unknown', rawType: 42, requestId: 0, content: new Uint8Array([1, 2, 3]) });
    const answer = await client.waitFor((record) => record.type === RecordType.UnknownType);
    expect(answer).toEqual({ type: RecordType.UnknownType, requestId: 0, unknownType: 42 });
    expect((await client.fetch(1)).body.toString()).toBe('ok');
  });
});

describe('records for inactive ids and protocol errors', () => {
  it('ignores STDIN, PARAMS, DATA and ABORT_REQUEST for inactive request ids', async () => {
    const { port, connectionErrors } = await startServer({}, (_req, res) => res.end('ok'));
    const client = await TestClient.connect(port);
    client.send(
      { type: RecordType.Stdin, requestId: 9, content: Buffer.from('x') },
      { type: RecordType.Params, requestId: 9, content: new Uint8Array(0) },
      { type: RecordType.Data, requestId: 9, content: Buffer.from('x') },
      { type: RecordType.AbortRequest, requestId: 9 },
    );
    expect((await client.fetch(1)).body.toString()).toBe('ok');
    expect(client.records.every((record) => record.requestId === 1)).toBe(true);
    expect(connectionErrors).toEqual([]);
  });

  it('closes the connection on a duplicate BEGIN_REQUEST without touching other connections', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const { port, connectionErrors } = await startServer({}, async (req, res) => {
      if (req.url === '/slow') await released;
      res.end(`ok ${req.url}`);
    });
    const other = await TestClient.connect(port);
    other.request(1, { params: baseParams('/slow') });
    const client = await TestClient.connect(port);
    client.request(1, { params: baseParams('/slow') });
    client.send({ type: RecordType.BeginRequest, requestId: 1, role: Role.Responder, keepConn: true });
    await client.closed;
    expect(connectionErrors.map((error) => (error as { code?: string }).code)).toEqual(['ERR_FCGI_DUPLICATE_REQUEST']);
    expect(client.records.filter(isEnd(1))).toEqual([]);
    release();
    expect((await other.cgiReply(1)).body.toString()).toBe('ok /slow');
  });

  it.each([
    ['BEGIN_REQUEST', { type: RecordType.BeginRequest, requestId: 0, role: 1, keepConn: true }],
    ['STDIN', { type: RecordType.Stdin, requestId: 0, content: Buffer.from('x') }],
    ['PARAMS', { type: RecordType.Params, requestId: 0, content: new Uint8Array(0) }],
    ['ABORT_REQUEST', { type: RecordType.AbortRequest, requestId: 0 }],
    ['STDOUT', { type: RecordType.Stdout, requestId: 0, content: Buffer.from('x') }],
  ] as [string, FcgiRecord][])('treats %s on request id 0 as a protocol error', async (_name, record) => {
    const { port, connectionErrors } = await startServer({}, (_req, res) => res.end());
    const client = await TestClient.connect(port);
    client.send(record);
    await client.closed;
    expect((connectionErrors[0] as { code?: string }).code).toBe('ERR_FCGI_NULL_REQUEST_ID');
  });

  it('closes the connection on bytes that are not FastCGI', async () => {
    const { port, connectionErrors } = await startServer({}, (_req, res) => res.end());
    const client = await TestClient.connect(port);
    client.send(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    await client.closed;
    expect((connectionErrors[0] as { code?: string }).code).toBe('ERR_FCGI_INVALID_VERSION');
  });

  it('treats STDIN before the end of PARAMS as a protocol error', async () => {
    const { port, connectionErrors } = await startServer({}, (_req, res) => res.end());
    const client = await TestClient.connect(port);
    client.send({ type: RecordType.BeginRequest, requestId: 1, role: 1, keepConn: true }, { type: RecordType.Stdin, requestId: 1, content: Buffer.from('x') });
    await client.closed;
    expect((connectionErrors[0] as { code?: string }).code).toBe('ERR_FCGI_UNEXPECTED_RECORD');
  });

  it('reports a connection cut inside a record', async () => {
    const { port, connectionErrors } = await startServer({}, (_req, res) => res.end());
    const client = await TestClient.connect(port);
    client.send(encodeRecord({ type: RecordType.BeginRequest, requestId: 1, role: 1, keepConn: true }).subarray(0, 5));
    client.socket.end();
    await client.closed;
    expect((connectionErrors[0] as { code?: string }).code).toBe('ERR_FCGI_TRUNCATED_RECORD');
  });
});

describe('admission: roles, multiplexing and overload', () => {
  it('answers an unknown role with UNKNOWN_ROLE and keeps a kept connection usable', async () => {
    let calls = 0;
    const { port } = await startServer({}, (_req, res) => {
      calls++;
      res.end('ok');
    });
    const client = await TestClient.connect(port);
    client.request(1, { role: 7 });
    const end = await client.waitFor(isEnd(1));
    expect(end).toMatchObject({ protocolStatus: ProtocolStatus.UnknownRole, appStatus: 0 });
    expect((await client.fetch(2)).body.toString()).toBe('ok');
    expect(calls).toBe(1);
  });

  it('answers a second concurrent request CANT_MPX_CONN when multiplexing is off', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const { port } = await startServer({ multiplex: false }, async (_req, res) => {
      await released;
      res.end('first');
    });
    const client = await TestClient.connect(port);
    client.request(1);
    client.request(2);
    expect(await client.waitFor(isEnd(2))).toMatchObject({ protocolStatus: ProtocolStatus.CantMpxConn });
    release();
    const first = await client.cgiReply(1);
    expect(first.body.toString()).toBe('first');
    expect(first.end.protocolStatus).toBe(ProtocolStatus.RequestComplete);
  });

  it('answers requests beyond maxRequestsPerConnection OVERLOADED', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const { port } = await startServer({ maxRequestsPerConnection: 2 }, async (_req, res) => {
      await released;
      res.end('ok');
    });
    const client = await TestClient.connect(port);
    client.request(1);
    client.request(2);
    client.request(3);
    expect(await client.waitFor(isEnd(3))).toMatchObject({ protocolStatus: ProtocolStatus.Overloaded });
    release();
    expect((await client.cgiReply(1)).status).toBe(200);
    expect((await client.cgiReply(2)).status).toBe(200);
  });

  it('answers requests beyond maxConcurrentRequests OVERLOADED across connections', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const { port, server } = await startServer({ maxConcurrentRequests: 1 }, async (_req, res) => {
      await released;
      res.end('ok');
    });
    const first = await TestClient.connect(port);
    first.request(1);
    await delay(20);
    expect(server.activeRequests).toBe(1);
    const second = await TestClient.connect(port);
    second.request(1);
    expect(await second.waitFor(isEnd(1))).toMatchObject({ protocolStatus: ProtocolStatus.Overloaded });
    release();
    expect((await first.cgiReply(1)).status).toBe(200);
    // The slot is free again.
    expect((await second.fetch(2)).status).toBe(200);
  });
});

describe('KEEP_CONN and multiplexing', () => {
  it('closes the connection after END_REQUEST without KEEP_CONN', async () => {
    const { port } = await startServer({}, (_req, res) => res.end('bye'));
    const client = await TestClient.connect(port);
    const reply = await client.fetch(1, { keepConn: false });
    expect(reply.body.toString()).toBe('bye');
    await client.closed;
    expect(client.isClosed).toBe(true);
  });

  it('keeps the connection with KEEP_CONN and serves the next requests on it', async () => {
    const { port } = await startServer({}, (req, res) => res.end(req.url));
    const client = await TestClient.connect(port);
    for (let id = 1; id <= 5; id++) expect((await client.fetch(1, { params: baseParams(`/r${id}`) })).body.toString()).toBe(`/r${id}`);
    await delay(20);
    expect(client.isClosed).toBe(false);
  });

  it('closes after a request without KEEP_CONN only once the other requests on the connection are done', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const { port } = await startServer({}, async (req, res) => {
      if (req.url === '/slow') await released;
      res.end(req.url);
    });
    const client = await TestClient.connect(port);
    client.request(1, { params: baseParams('/slow') });
    client.request(2, { params: baseParams('/quick'), keepConn: false });
    expect((await client.cgiReply(2)).body.toString()).toBe('/quick');
    await delay(20);
    expect(client.isClosed).toBe(false);
    release();
    expect((await client.cgiReply(1)).body.toString()).toBe('/slow');
    await client.closed;
  });

  it('runs multiplexed requests concurrently and lets them finish out of order', async () => {
    const { port } = await startServer({}, async (req, res) => {
      const wait = Number(req.url?.slice(1));
      await delay(wait);
      res.end(`waited ${wait}`);
    });
    const client = await TestClient.connect(port);
    client.send(TestClient.requestBytes(1, { params: baseParams('/120') }), TestClient.requestBytes(2, { params: baseParams('/40') }), TestClient.requestBytes(3, { params: baseParams('/1') }));
    const [one, two, three] = await Promise.all([client.cgiReply(1), client.cgiReply(2), client.cgiReply(3)]);
    expect([one.body.toString(), two.body.toString(), three.body.toString()]).toEqual(['waited 120', 'waited 40', 'waited 1']);
    const order = client.records.filter((record) => record.type === RecordType.EndRequest).map((record) => record.requestId);
    expect(order).toEqual([3, 2, 1]);
  });

  it('accepts a request split at every byte', async () => {
    const { port } = await startServer({}, async (req, res) => {
      let body = '';
      for await (const chunk of req) body += String(chunk);
      res.end(`${req.url} ${body}`);
    });
    const client = await TestClient.connect(port);
    const bytes = Buffer.concat(TestClient.requestBytes(1, { params: baseParams('/split'), body: 'payload' }));
    for (const byte of bytes) {
      client.socket.write(Buffer.from([byte]));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect((await client.cgiReply(1)).body.toString()).toBe('/split payload');
  });
});

describe('output records', () => {
  it('ends STDOUT (and STDERR when used) with empty records before END_REQUEST, with the appStatus set', async () => {
    const { port } = await startServer({}, (_req, res) => {
      res.writeStderr('warn\n');
      res.appStatus = 3;
      res.end('body');
    });
    const client = await TestClient.connect(port);
    client.request(1);
    const result = await client.reply(1);
    const kinds = result.records.map((record) => `${record.type}:${'content' in record ? record.content.length : '-'}`);
    expect(kinds.slice(-3)).toEqual(expect.arrayContaining([`${RecordType.Stdout}:0`, `${RecordType.Stderr}:0`]));
    expect(kinds[kinds.length - 1]).toBe(`${RecordType.EndRequest}:-`);
    expect(result.stderr.toString()).toBe('warn\n');
    expect(result.end).toMatchObject({ appStatus: 3, protocolStatus: 0 });
    expect(result.records.filter((record) => record.type === RecordType.EndRequest)).toHaveLength(1);
  });

  it('coalesces a small response into one socket write of one buffer', async () => {
    const writes: number[] = [];
    const { port, server } = await startServer({}, (_req, res) => {
      res.setHeader('Content-Type', 'text/plain');
      res.write('a');
      res.write('b');
      res.end('c');
    });
    server.on('connection', (socket) => {
      const original = socket._writev?.bind(socket);
      const originalWrite = socket._write.bind(socket);
      socket._write = (chunk, encoding, callback) => {
        writes.push(1);
        originalWrite(chunk, encoding, callback);
      };
      if (original) {
        socket._writev = (chunks, callback) => {
          writes.push(chunks.length);
          original(chunks, callback);
        };
      }
    });
    const client = await TestClient.connect(port);
    expect((await client.fetch(1)).body.toString()).toBe('abc');
    // Head, body records, the empty STDOUT and END_REQUEST: framed into one buffer, one write.
    expect(writes).toEqual([1]);
  });

  it('passes a large body to the socket as views of the handler\'s buffer, not copies', async () => {
    const body = Buffer.alloc(200_000, 42);
    const written: Buffer[] = [];
    const { port, server } = await startServer({}, (_req, res) => res.end(body));
    server.on('connection', (socket) => {
      const writev = socket._writev?.bind(socket);
      if (writev) {
        socket._writev = (chunks, callback) => {
          for (const { chunk } of chunks) written.push(chunk as Buffer);
          writev(chunks, callback);
        };
      }
    });
    const client = await TestClient.connect(port);
    const reply = await client.fetch(1);
    expect(reply.body.equals(body)).toBe(true);
    const views = written.filter((chunk) => chunk.buffer === body.buffer);
    // Every full 65535-byte record is a view; only a tail under the codec's 8 KiB copy threshold is copied.
    expect(views.reduce((total, chunk) => total + chunk.length, 0)).toBeGreaterThan(body.length - 8192);
  });
});
