import { createServer, type Server, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { FastCgiError, RecordType, decodeParams } from '@fcgi/codec';
import { Client } from '../src/index.js';
import { FakeApp, type FakeHandler, duplexPair, readAll } from './support/fake-app.js';
import { useFakeAppClients } from './support/fake-app-clients.js';

const { apps, clients, setup } = useFakeAppClients();
const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

const hello: FakeHandler = (request, connection) => {
  connection.respond(request.requestId, 'Content-Type: text/plain', `hello ${request.params.NAME ?? ''}`);
};

describe('one connection', () => {
  it('resolves with the head, streams the body and ends on END_REQUEST without an empty STDOUT', async () => {
    const { client } = await setup(hello);
    const response = await client.request({ params: { NAME: 'ann' } });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain');
    expect((await readAll(response.body)).toString()).toBe('hello ann');
    await expect(response.done).resolves.toEqual({ appStatus: 0, protocolStatus: 0 });
  });

  it('writes BEGIN_REQUEST, PARAMS and a small STDIN in one write, with CONTENT_LENGTH added', async () => {
    const { app, client } = await setup(async (request, connection) => {
      const body = await request.stdin;
      connection.respond(request.requestId, 'Status: 201 Created', body);
    });
    const response = await client.request({ params: { REQUEST_METHOD: 'POST' }, body: 'a=1&b=2' });
    expect(response.status).toBe(201);
    expect(response.statusText).toBe('Created');
    expect((await readAll(response.body)).toString()).toBe('a=1&b=2');
    expect(app.connections[0]!.chunks).toBe(1);
    expect(app.requests[0]!.params.CONTENT_LENGTH).toBe('7');
    expect(app.requests[0]!.keepConn).toBe(true);
    const types = app.connections[0]!.records.map((record) => record.type);
    expect(types).toEqual([RecordType.BeginRequest, RecordType.Params, RecordType.Params, RecordType.Stdin, RecordType.Stdin]);
  });

  it('keeps CONTENT_LENGTH given by the caller and never splits a pair across PARAMS records', async () => {
    const { app, client } = await setup(hello);
    const big = 'x'.repeat(40_000);
    const response = await client.request({ params: [['CONTENT_LENGTH', '0'], ['A', big], ['B', big], ['C', 'c']] });
    await readAll(response.body);
    const request = app.requests[0]!;
    expect(request.params.CONTENT_LENGTH).toBe('0');
    expect(request.params.B).toBe(big);
    expect(request.paramsRecords.length).toBeGreaterThan(1);
    // Each PARAMS record holds whole pairs: decoding one alone succeeds.
    for (const record of request.paramsRecords) expect(() => decodeParams(record)).not.toThrow();
  });

  it('passes STDERR interleaved with STDOUT on its own stream', async () => {
    const { client } = await setup((request, connection) => {
      connection.stderr(request.requestId, 'warning 1\n');
      connection.stdout(request.requestId, 'Content-Type: text/plain\r\n\r\nbo');
      connection.stderr(request.requestId, 'warning 2\n');
      connection.stdout(request.requestId, 'dy');
      connection.end(request.requestId, 3);
    });
    const response = await client.request({});
    const [body, stderr] = await Promise.all([readAll(response.body), readAll(response.stderr)]);
    expect(body.toString()).toBe('body');
    expect(stderr.toString()).toBe('warning 1\nwarning 2\n');
    expect((await response.done).appStatus).toBe(3);
  });

  it('keeps several Set-Cookie headers and maps a bare Location to 302', async () => {
    const { client } = await setup((request, connection) => {
      connection.respond(request.requestId, 'Location: /next\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2');
    });
    const response = await client.request({});
    expect(response.status).toBe(302);
    expect(response.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(response.rawHeaders).toEqual([['Location', '/next'], ['Set-Cookie', 'a=1'], ['Set-Cookie', 'b=2']]);
  });

  it.each([
    [1, 'ERR_FCGI_CANT_MPX_CONN'],
    [2, 'ERR_FCGI_OVERLOADED'],
    [3, 'ERR_FCGI_UNKNOWN_ROLE'],
    [9, 'ERR_FCGI_UNKNOWN_PROTOCOL_STATUS'],
  ])('rejects protocol status %i with %s', async (status, code) => {
    const { client } = await setup((request, connection) => connection.end(request.requestId, 0, status));
    await expect(client.request({})).rejects.toMatchObject({ code });
  });

  it('rejects with ERR_FCGI_HEAD_INCOMPLETE when END_REQUEST comes before the head ends', async () => {
    const { client } = await setup((request, connection) => {
      connection.stdout(request.requestId, 'Content-Type: text/plain\r\n');
      connection.end(request.requestId);
    });
    await expect(client.request({})).rejects.toMatchObject({ code: 'ERR_FCGI_HEAD_INCOMPLETE' });
  });

  it('rejects with ERR_FCGI_UPSTREAM_CLOSED when the app closes mid-head', async () => {
    const { client } = await setup((request, connection) => {
      connection.stdout(request.requestId, 'Content-Type: text/pl');
      setTimeout(() => connection.close(), 10);
    });
    await expect(client.request({})).rejects.toMatchObject({ code: 'ERR_FCGI_UPSTREAM_CLOSED' });
  });

  it('fails the body stream and done when the app closes mid-body', async () => {
    const { client } = await setup((request, connection) => {
      connection.stdout(request.requestId, 'Content-Type: text/plain\r\n\r\npart');
      setTimeout(() => connection.close(), 10);
    });
    const response = await client.request({});
    await expect(readAll(response.body)).rejects.toMatchObject({ code: 'ERR_FCGI_UPSTREAM_CLOSED' });
    await expect(response.done).rejects.toMatchObject({ code: 'ERR_FCGI_UPSTREAM_CLOSED' });
  });

  it('fails with a typed error when the app closes inside a record', async () => {
    const { client } = await setup((_request, connection) => {
      connection.write(new Uint8Array([1, 6, 0, 1, 0, 100, 0, 0, 65]));
      setTimeout(() => connection.close(), 10);
    });
    const error = await client.request({}).catch((caught: unknown) => caught);
    expect(FastCgiError.is(error)).toBe(true);
    expect((error as FastCgiError).code).toBe('ERR_FCGI_UPSTREAM_CLOSED');
  });

  it('detects a non-FastCGI server with ERR_FCGI_NOT_FASTCGI instead of hanging', async () => {
    const server = createServer((socket) => {
      socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n'));
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = new Client({ address: `127.0.0.1:${(server.address() as AddressInfo).port}`, getValues: false });
    clients.push(client);
    await expect(client.request({})).rejects.toMatchObject({ code: 'ERR_FCGI_NOT_FASTCGI' });
  });

  it('fails with ERR_FCGI_CONNECT_FAILED when nothing listens', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    const client = new Client({ address: `127.0.0.1:${port}` });
    clients.push(client);
    await expect(client.request({})).rejects.toMatchObject({ code: 'ERR_FCGI_CONNECT_FAILED', unsent: true });
  });
});

describe('transports', () => {
  it('connects over a Unix socket', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'fcgi-client-'));
    const app = new FakeApp(hello);
    apps.push(app);
    const path = join(directory, 'app.sock');
    app.server = createServer((socket) => app.attach(socket));
    await new Promise<void>((resolve) => app.server!.listen(path, resolve));
    try {
      for (const address of [`unix:${path}`, path]) {
        const client = new Client({ address, getValues: false });
        clients.push(client);
        const response = await client.request({ params: { NAME: 'unix' } });
        expect((await readAll(response.body)).toString()).toBe('hello unix');
      }
    } finally {
      await app.close();
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('connects over IPv6 loopback', async () => {
    const app = new FakeApp(hello);
    apps.push(app);
    app.server = createServer((socket) => app.attach(socket));
    const listening = await new Promise<boolean>((resolve) => {
      app.server!.once('error', () => resolve(false));
      app.server!.listen(0, '::1', () => resolve(true));
    });
    if (!listening) return; // no IPv6 loopback on this machine: nothing to test
    const client = new Client({ address: `[::1]:${(app.server.address() as AddressInfo).port}`, getValues: false });
    clients.push(client);
    const response = await client.request({ params: { NAME: 'six' } });
    expect((await readAll(response.body)).toString()).toBe('hello six');
  });

  it('runs over an in-memory duplex from the connect option', async () => {
    const app = new FakeApp(hello);
    let opened = 0;
    const client = new Client({
      getValues: true,
      connect: () => {
        opened += 1;
        const [near, far] = duplexPair();
        app.attach(far);
        return near;
      },
    });
    clients.push(client);
    const response = await client.request({ params: { NAME: 'memory' } });
    expect((await readAll(response.body)).toString()).toBe('hello memory');
    expect(app.valuesRequests).toBe(1);
    expect(opened).toBe(2);
  });
});

describe('backpressure', () => {
  it('pauses the connection while the consumer is slow and delivers every byte', async () => {
    const total = 4 * 1024 * 1024;
    let writesBeforeRead = 0;
    const { client } = await setup((request, connection) => {
      connection.stdout(request.requestId, 'Content-Type: application/octet-stream\r\n\r\n');
      const chunk = Buffer.alloc(65535, 7);
      let sent = 0;
      const pump = (): void => {
        while (sent < total) {
          const size = Math.min(chunk.length, total - sent);
          sent += size;
          connection.stdout(request.requestId, chunk.subarray(0, size));
          writesBeforeRead += 1;
          if (connection.socket.writableLength > 1024 * 1024) {
            connection.socket.once('drain', pump);
            return;
          }
        }
        connection.end(request.requestId);
      };
      pump();
    }, { bodyHighWaterMark: 16 * 1024 });
    const response = await client.request({});
    await new Promise((resolve) => setTimeout(resolve, 200));
    // The client read little while nobody consumed: the app could not push everything.
    expect(response.body.readableLength).toBeLessThan(total / 4);
    let received = 0;
    for await (const chunk of response.body) received += (chunk as Buffer).length;
    expect(received).toBe(total);
    expect(writesBeforeRead).toBeGreaterThan(0);
  });
});

describe('request bodies', () => {
  const echo: FakeHandler = async (request, connection) => {
    const body = await request.stdin;
    connection.respond(request.requestId, `X-Length: ${request.params.CONTENT_LENGTH ?? 'none'}`, body);
  };

  it.each([
    ['Buffer', (): unknown => Buffer.from('payload'), '7'],
    ['Uint8Array', (): unknown => new Uint8Array(Buffer.from('payload')), '7'],
    ['string', (): unknown => 'payload', '7'],
    ['Node Readable', (): unknown => Readable.from([Buffer.from('pay'), Buffer.from('load')]), 'none'],
    ['async iterable', (): unknown => (async function* () { yield 'pay'; await Promise.resolve(); yield new Uint8Array(Buffer.from('load')); })(), 'none'],
    ['web ReadableStream', (): unknown => new ReadableStream({ start(controller) { controller.enqueue(new Uint8Array(Buffer.from('payload'))); controller.close(); } }), 'none'],
  ])('sends a %s body as STDIN', async (_name, makeBody, length) => {
    const { client } = await setup(echo);
    const response = await client.request({ body: makeBody() as never });
    expect((await readAll(response.body)).toString()).toBe('payload');
    expect(response.headers['x-length']).toBe(length);
  });

  it('streams a large body in records of at most maxRecordLength bytes', async () => {
    const { app, client } = await setup(echo, { maxRecordLength: 1000 });
    const body = Buffer.alloc(300_000, 3);
    const response = await client.request({ body: Readable.from([body.subarray(0, 150_000), body.subarray(150_000)]) });
    expect((await readAll(response.body)).equals(body)).toBe(true);
    const stdin = app.connections[0]!.records.filter((record) => record.type === RecordType.Stdin);
    for (const record of stdin) expect((record as { content: Uint8Array }).content.length).toBeLessThanOrEqual(1000);
  });

  it('fails with ERR_FCGI_REQUEST_BODY_FAILED when the body stream errors', async () => {
    const { client } = await setup(echo, { abortTimeout: 50 });
    const body = new Readable({ read() { this.destroy(new Error('disk gone')); } });
    await expect(client.request({ body })).rejects.toMatchObject({ code: 'ERR_FCGI_REQUEST_BODY_FAILED' });
  });

  it('rejects an unsupported body type with ERR_FCGI_INVALID_OPTION', async () => {
    const { client } = await setup(echo);
    await expect(client.request({ body: 42 as never })).rejects.toMatchObject({ code: 'ERR_FCGI_INVALID_OPTION' });
  });
});


describe('params validation', () => {
  it('rejects params that cannot be encoded before anything is sent', async () => {
    const { app, client } = await setup(hello);
    await expect(client.request({ params: { A: 42 as never } })).rejects.toMatchObject({ code: 'ERR_FCGI_INVALID_RECORD' });
    await expect(client.request({ params: { HUGE: 'x'.repeat(70_000) } })).rejects.toMatchObject({ code: 'ERR_FCGI_PARAM_TOO_LARGE' });
    expect(app.requests).toHaveLength(0);
    const response = await client.request({ params: { NAME: 'after' } });
    expect((await readAll(response.body)).toString()).toBe('hello after');
  });
});
