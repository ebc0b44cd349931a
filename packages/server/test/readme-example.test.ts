import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createServer } from '../src/index.js';
import { TestClient, onCleanup } from './support/harness.js';

describe('README examples', () => {
  it('serves the node:http example', async () => {
    const server = createServer((req, res) => {
      res.setHeader('Content-Type', 'text/plain');
      res.end(`hello ${req.socket.remoteAddress}, you asked for ${req.url} (${req.fastcgi.role})\n`);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const client = await TestClient.connect((server.address() as AddressInfo).port);
    const reply = await client.fetch(1, { keepConn: false });
    expect(reply.body.toString()).toBe('hello 127.0.0.2, you asked for / (responder)\n');
    expect(reply.header('content-type')).toBe('text/plain');
  });

  it('serves the fetch example', async () => {
    const server = createServer({ fetch: async (request) => new Response(`you sent ${(await request.text()).length} bytes to ${request.url}`) });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const client = await TestClient.connect((server.address() as AddressInfo).port);
    const reply = await client.fetch(1, { keepConn: false, params: { REQUEST_METHOD: 'POST', REQUEST_URI: '/up', HTTP_HOST: 'app.test', CONTENT_LENGTH: '3' }, body: 'abc' });
    expect(reply.body.toString()).toBe('you sent 3 bytes to http://app.test/up');
  });
});
