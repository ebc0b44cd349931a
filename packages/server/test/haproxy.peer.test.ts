/**
 * Interop: curl -> HAProxy fcgi-app -> @fcgi/server. With `option get-values` HAProxy asks
 * GET_VALUES first; our FCGI_MPXS_CONNS=1 / FCGI_MAX_REQS answer makes it multiplex
 * requests on one connection.
 *
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpPeer, curl, requirePeers, startHaproxy } from '@fcgi/test-peers';
import { type FastCgiServer, createServer } from '../src/index.js';
import { createInteropApp, interopChecks } from './support/interop.js';

const peers = requirePeers('haproxy', 'curl');

describe.skipIf(!peers.available)(peers.title('curl -> HAProxy (mpxs-conns, keep-conn, get-values) -> @fcgi/server'), () => {
  const app = createInteropApp();
  let server: FastCgiServer;
  let haproxy: HttpPeer;
  let connections = 0;
  const spans: { start: number; end: number }[] = [];

  beforeAll(async () => {
    server = createServer(async (req, res) => {
      if (!req.url?.startsWith('/concurrent/') && !req.url?.startsWith('/warm')) return app.listener(req, res);
      const start = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 400));
      if (req.url?.startsWith('/concurrent/')) spans.push({ start, end: Date.now() });
      res.end(`ok ${req.fastcgi.requestId} ${req.socket.remoteAddress} keep=${req.fastcgi.keepConn}`);
    });
    server.on('connection', () => connections++);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    haproxy = await startHaproxy({
      defaultBackend: 'app',
      config: `fcgi-app node
  docroot /srv
  option keep-conn
  option mpxs-conns
  option get-values

backend app
  use-fcgi-app node
  http-reuse always
  server node1 127.0.0.1:${port} proto fcgi
`,
    });
  });

  afterAll(async () => {
    await haproxy?.stop();
    server?.closeAllConnections();
    if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  describe('shared checks', () => {
    interopChecks(() => `${haproxy.url}/app`, app);
  });

  it('multiplexes concurrent requests on one kept connection', async () => {
    // Warm up: the first request opens the connection and learns our GET_VALUES answer.
    const first = await curl(`${haproxy.url}/warm`);
    expect(first.status, haproxy.logs()).toBe(200);
    expect(first.body.toString()).toMatch(/^ok \d+ 127\.0\.0\.2 keep=true$/);
    const before = connections;
    const count = 8;
    const responses = await Promise.all(Array.from({ length: count }, (_unused, index) => curl(`${haproxy.url}/concurrent/${index}`)));
    for (const response of responses) expect(response.status).toBe(200);
    // All eight ran at the same time...
    expect(spans).toHaveLength(count);
    expect(Math.max(...spans.map((span) => span.start))).toBeLessThan(Math.min(...spans.map((span) => span.end)));
    // ...on fewer connections than requests (the warm one plus the new ones): some shared one.
    expect(1 + connections - before).toBeLessThan(count);
  });
});
