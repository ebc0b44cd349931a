import { type AddressInfo } from 'node:net';
import { type Server, createServer, request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, createGateway } from '../src/index.js';
import { type FakeApp, startFakeApp } from './support/fake-app.js';
import { type Nginx, requireNginx, startNginx } from './support/nginx.js';

const available = requireNginx();

/** Params that differ by design between two servers: ports, software name, and the ones documented in docs/gateway.md. */
const ignored = new Set(['REMOTE_PORT', 'SERVER_PORT', 'SERVER_SOFTWARE', 'REMOTE_USER', 'PATH_TRANSLATED', 'HTTP_HOST']);

function send(port: number, path: string, method = 'GET', body?: string, headers: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path, method, localAddress: '127.0.0.2', headers: { 'X-Custom': 'value', ...headers } }, (response) => {
      response.resume();
      response.on('end', resolve);
    });
    request.on('error', reject);
    request.end(body);
  });
}

describe.skipIf(!available)('gateway params match nginx fastcgi_params', () => {
  let app: FakeApp;
  let nginx: Nginx;
  let gateway: Gateway;
  let server: Server;
  let gatewayPort: number;
  let root: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'fcgi-client-root-'));
    writeFileSync(join(root, 'index.php'), '<?php');
    app = await startFakeApp(async (request, connection) => {
      await request.stdin;
      connection.respond(request.requestId, 'Content-Type: text/plain', 'ok');
    });
    nginx = await startNginx(app.address, root);
    gateway = createGateway({ upstream: { address: app.address, getValues: false }, documentRoot: root, index: 'index.php', serverName: 'gateway.test' });
    server = createServer(gateway);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    gatewayPort = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await gateway?.client.destroy();
    await nginx?.stop();
    await app?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it.each([
    ['GET', '/index.php?a=1&b=%20two', undefined, {}],
    ['GET', '/', undefined, {}],
    ['GET', '/app.php/extra/path?q=1', undefined, {}],
    ['GET', '/dir/../app.php', undefined, {}],
    ['POST', '/form.php', 'name=value&x=1', { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: 'session=abc' }],
  ])('%s %s', async (method, path, body, headers) => {
    const before = app.requests.length;
    await send(nginx.port, path, method, body, headers);
    await send(gatewayPort, path, method, body, headers);
    const [fromNginx, fromGateway] = app.requests.slice(before).map((request) => request.params) as [Record<string, string>, Record<string, string>];
    const strip = (params: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(params).filter(([name]) => !ignored.has(name)));
    expect(strip(fromGateway)).toEqual(strip(fromNginx));
    expect(fromGateway.REMOTE_ADDR).toBe('127.0.0.2');
  });
});
