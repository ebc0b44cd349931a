import { type AddressInfo } from 'node:net';
import { type Server, createServer, request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { type Gateway, type GatewayOptions, createGateway } from '../src/index.js';
import { type FakeApp, type FakeHandler, startFakeApp } from './support/fake-app.js';
import { waitFor } from './support/wait.js';

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

async function setup(handler: FakeHandler, options: Partial<GatewayOptions> = {}): Promise<{ app: FakeApp; port: number }> {
  const app = await startFakeApp(handler);
  apps.push(app);
  const gateway = createGateway({ upstream: { address: app.address, getValues: false }, documentRoot: '/srv/www', ...options });
  gateways.push(gateway);
  const server = createServer({ maxHeaderSize: 256 * 1024 }, gateway);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { app, port: (server.address() as AddressInfo).port };
}

function get(port: number, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path: '/a.php', headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('gateway under hostile input (issue 9 regressions)', () => {
  it('answers 431, not 502, to a header too large for one PARAMS record, without asking the app', async () => {
    const { app, port } = await setup((request, connection) => connection.respond(request.requestId, 'A: b', 'ok'));
    const result = await get(port, { 'X-Huge': 'h'.repeat(70_000) });
    expect(result.status).toBe(431);
    expect(app.requests).toHaveLength(0);
    expect((await get(port)).body).toBe('ok');
  });

  it('cuts a STDERR line that never ends into 16 KiB pieces instead of buffering it whole', async () => {
    const lines: string[] = [];
    const { port } = await setup((request, connection) => {
      for (let index = 0; index < 8; index++) connection.stderr(request.requestId, 'x'.repeat(64 * 1024));
      connection.stderr(request.requestId, 'tail\nlast');
      connection.respond(request.requestId, 'A: b', 'ok');
    }, { onStderr: (line) => lines.push(line) });
    expect((await get(port)).body).toBe('ok');
    await waitFor(() => lines.at(-1) === 'last');
    expect(Math.max(...lines.map((line) => line.length))).toBe(16 * 1024);
    expect(lines.join('')).toBe(`${'x'.repeat(512 * 1024)}taillast`);
    expect(lines.at(-2)?.endsWith('tail')).toBe(true);
  });
});
