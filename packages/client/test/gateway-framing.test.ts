import { type IncomingHttpHeaders, type Server, createServer, request as httpRequest } from 'node:http';
import { type AddressInfo } from 'node:net';
import { RecordType, concatBytes, encodeRecord, encodeStream } from '@fcgi/codec';
import { afterEach, describe, expect, it } from 'vitest';
import { type Gateway, createGateway } from '../src/index.js';
import { type FakeApp, type FakeConnection, type FakeHandler, startFakeApp } from './support/fake-app.js';

const apps: FakeApp[] = [];
const servers: Server[] = [];
const gateways: Gateway[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await Promise.all(gateways.splice(0).map((gateway) => gateway.client.destroy()));
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function setup(handler: FakeHandler): Promise<number> {
  const app = await startFakeApp(handler);
  apps.push(app);
  const gateway = createGateway({ upstream: { address: app.address, getValues: false }, documentRoot: '/srv/www' });
  gateways.push(gateway);
  const server = createServer(gateway);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function send(port: number, method = 'GET'): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path: '/a.php', method }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString() }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end();
  });
}

/** The whole answer (STDOUT and END_REQUEST) in one write, as php-fpm sends a small page. */
function respondAtOnce(connection: FakeConnection, requestId: number, head: string, body: string): void {
  const stdout = encodeStream(RecordType.Stdout, requestId, Buffer.from(`${head}\r\n\r\n${body}`));
  connection.write(concatBytes([...stdout, encodeRecord({ type: RecordType.EndRequest, requestId, appStatus: 0, protocolStatus: 0 })]));
}

describe('gateway response framing', () => {
  it('sends a body that arrived whole with its head with a Content-Length, not chunked', async () => {
    const port = await setup((request, connection) => respondAtOnce(connection, request.requestId, 'Content-Type: text/html', 'hello world\n'));
    const result = await send(port);
    expect(result.status).toBe(200);
    expect(result.body).toBe('hello world\n');
    expect(result.headers['content-length']).toBe('12');
    expect(result.headers['transfer-encoding']).toBeUndefined();
  });

  it('keeps the Content-Length the app sent', async () => {
    const port = await setup((request, connection) => respondAtOnce(connection, request.requestId, 'Content-Length: 2', 'ok'));
    const result = await send(port);
    expect(result.headers['content-length']).toBe('2');
    expect(result.body).toBe('ok');
  });

  it('adds no Content-Length to a 204 or to the answer to HEAD', async () => {
    const port = await setup((request, connection) => {
      respondAtOnce(connection, request.requestId, request.params.REQUEST_METHOD === 'HEAD' ? 'Content-Type: text/plain' : 'Status: 204 No Content', '');
    });
    const noContent = await send(port);
    expect(noContent.status).toBe(204);
    expect(noContent.headers['content-length']).toBeUndefined();
    const head = await send(port, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBeUndefined();
  });

  it('streams a body still arriving after the head, chunked', async () => {
    const port = await setup((request, connection) => {
      connection.stdout(request.requestId, 'Content-Type: text/plain\r\n\r\nfirst ');
      setTimeout(() => {
        connection.stdout(request.requestId, 'second');
        connection.end(request.requestId);
      }, 20);
    });
    const result = await send(port);
    expect(result.headers['transfer-encoding']).toBe('chunked');
    expect(result.headers['content-length']).toBeUndefined();
    expect(result.body).toBe('first second');
  });
});
