/**
 * A gateway in front of a fake FastCGI app on a loopback HTTP port, and a small HTTP client
 * for it: what the gateway tests share. Call `closeGateways()` in `afterEach`.
 */
import { type IncomingHttpHeaders, type Server, type ServerOptions, createServer, request as httpRequest } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type Gateway, type GatewayOptions, createGateway } from '../../src/index.js';
import { type FakeApp, type FakeHandler, startFakeApp } from './fake-app.js';

const apps: FakeApp[] = [];
const servers: Server[] = [];
const gateways: Gateway[] = [];

/** Closes every server, gateway and fake app started since the last call. */
export async function closeGateways(): Promise<void> {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await Promise.all(gateways.splice(0).map((gateway) => gateway.client.destroy()));
  await Promise.all(apps.splice(0).map((app) => app.close()));
}

/**
 * Starts a fake app answering with `handler`, a gateway to it (document root /srv/www) and an
 * HTTP server on 127.0.0.1. `options` may be a function of the app (to name its address).
 */
export async function startGateway(handler: FakeHandler, options: Partial<GatewayOptions> | ((app: FakeApp) => Partial<GatewayOptions>) = {}, serverOptions: ServerOptions = {}): Promise<{ app: FakeApp; port: number }> {
  const app = await startFakeApp(handler);
  apps.push(app);
  const overrides = typeof options === 'function' ? options(app) : options;
  const gateway = createGateway({ upstream: { address: app.address, getValues: false }, documentRoot: '/srv/www', ...overrides });
  gateways.push(gateway);
  const server = createServer(serverOptions, gateway);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { app, port: (server.address() as AddressInfo).port };
}

/** What `sendHttp` resolves to. */
export interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One HTTP request to the gateway; `chunked` sends the body without a length. */
export function sendHttp(port: number, path: string, init: { method?: string; headers?: Record<string, string | string[]>; body?: string | Buffer; chunked?: boolean; rawHeaders?: string[]; localAddress?: string } = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers: init.rawHeaders ?? init.headers, localAddress: init.localAddress }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString() }));
      response.on('error', reject);
    });
    request.on('error', reject);
    if (init.chunked === true && init.body !== undefined) {
      request.write(init.body);
      request.end();
    } else request.end(init.body);
  });
}
