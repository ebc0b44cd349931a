import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { FastCgiError, RecordType, encodeRecord } from '@fcgi/codec';
import { Client } from '../src/index.js';
import { type FakeApp, readAll, startFakeApp } from './support/fake-app.js';

const apps: FakeApp[] = [];
const clients: Client[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.destroy()));
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

/** A plain TCP server whose connections the test scripts byte by byte. */
async function rawServer(onSocket: (socket: Socket) => void): Promise<{ server: Server; address: string }> {
  const server = createServer((socket) => {
    socket.on('error', () => {});
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, address: `127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Settles a request completely: the head, then the body and done. */
async function settle(client: Client): Promise<string> {
  try {
    const response = await client.request({});
    await Promise.all([readAll(response.body), readAll(response.stderr), response.done]);
    return 'ok';
  } catch (error) {
    if (!FastCgiError.is(error)) throw error;
    return error.code;
  }
}

describe('hostile upstreams', () => {
  it('ends every request with a result or a typed error for arbitrary reply bytes', async () => {
    let reply = new Uint8Array(0);
    let closeAfter = true;
    const { server, address } = await rawServer((socket) => {
      socket.once('data', () => {
        socket.write(reply);
        if (closeAfter) socket.end();
      });
    });
    try {
      await fc.assert(fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.array(fc.constantFrom(
            encodeRecord({ type: RecordType.Stdout, requestId: 1, content: new TextEncoder().encode('A: b\r\n\r\nbody') }),
            encodeRecord({ type: RecordType.Stderr, requestId: 1, content: new TextEncoder().encode('err') }),
            encodeRecord({ type: RecordType.EndRequest, requestId: 1, appStatus: 0, protocolStatus: 0 }),
            encodeRecord({ type: RecordType.EndRequest, requestId: 1, appStatus: 0, protocolStatus: 2 }),
            encodeRecord({ type: RecordType.Stdout, requestId: 7, content: new Uint8Array([1, 2]) }),
            new Uint8Array([1, 6, 0, 1, 0, 50]),
          ), { maxLength: 6 }).map((pieces) => Buffer.concat(pieces)),
        ),
        fc.boolean(),
        async (bytes, close) => {
          reply = bytes;
          closeAfter = close;
          const client = new Client({ address, getValues: false, headersTimeout: 300, bodyTimeout: 300, abortTimeout: 50 });
          try {
            const outcome = await settle(client);
            expect(outcome === 'ok' || outcome.startsWith('ERR_FCGI_')).toBe(true);
          } finally {
            await client.destroy();
          }
        },
      ), { numRuns: 40 });
    } finally {
      server.close();
    }
  });

  it('times out an app that sends one byte at a time too slowly', async () => {
    const { server, address } = await rawServer((socket) => {
      socket.once('data', () => {
        const bytes = encodeRecord({ type: RecordType.Stdout, requestId: 1, content: new TextEncoder().encode('A: b\r\n\r\n') });
        let index = 0;
        const timer = setInterval(() => {
          if (socket.destroyed || index >= bytes.length) return clearInterval(timer);
          socket.write(bytes.subarray(index, index + 1));
          index += 1;
        }, 40);
      });
    });
    try {
      const client = new Client({ address, getValues: false, headersTimeout: 150 });
      clients.push(client);
      await expect(client.request({})).rejects.toMatchObject({ code: 'ERR_FCGI_HEADERS_TIMEOUT' });
    } finally {
      server.close();
    }
  });

  it('frees the connection when the consumer never reads the body (bodyTimeout)', async () => {
    const app = await startFakeApp((request, connection) => {
      if (request.params.BIG === '1') {
        connection.stdout(request.requestId, 'A: b\r\n\r\n');
        for (let index = 0; index < 64; index++) connection.stdout(request.requestId, Buffer.alloc(65535));
        connection.end(request.requestId);
      } else connection.respond(request.requestId, 'A: b', 'small');
    });
    apps.push(app);
    const client = new Client({ address: app.address, getValues: false, connections: 1, bodyTimeout: 100, abortTimeout: 50, bodyHighWaterMark: 1024 });
    clients.push(client);
    const abandoned = await client.request({ params: { BIG: '1' } });
    await expect(abandoned.done).rejects.toMatchObject({ code: 'ERR_FCGI_BODY_TIMEOUT' });
    const next = await client.request({});
    expect((await readAll(next.body)).toString()).toBe('small');
  });

  it('ignores records for unknown request ids and management records', async () => {
    const app = await startFakeApp((request, connection) => {
      connection.write(encodeRecord({ type: RecordType.Stdout, requestId: 99, content: new TextEncoder().encode('stray') }));
      connection.write(encodeRecord({ type: RecordType.UnknownType, requestId: 0, unknownType: 42 }));
      connection.respond(request.requestId, 'A: b', 'fine');
    });
    apps.push(app);
    const client = new Client({ address: app.address, getValues: false });
    clients.push(client);
    const response = await client.request({});
    expect((await readAll(response.body)).toString()).toBe('fine');
  });
});
