/**
 * Interop: curl -> lighttpd mod_fastcgi -> @fcgi/server, in responder mode and in
 * authorizer mode (protecting static files).
 */
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpPeer, curl, requirePeers, startLighttpd } from '@fcgi/test-peers';
import { type FastCgiServer, createServer } from '../src/index.js';
import { createInteropApp, interopChecks } from './support/interop.js';

const peers = requirePeers('lighttpd', 'curl');

describe.skipIf(!peers.available)(peers.title('curl -> lighttpd -> @fcgi/server'), () => {
  const app = createInteropApp();
  let server: FastCgiServer;
  let lighttpd: HttpPeer;
  let documentRoot: string;

  beforeAll(async () => {
    documentRoot = mkdtempSync(join(tmpdir(), 'fcgi-lighttpd-root-'));
    mkdirSync(join(documentRoot, 'secure'), { mode: 0o755 });
    writeFileSync(join(documentRoot, 'secure', 'file.txt'), 'static secret\n', { mode: 0o644 });
    server = createServer((req, res) => {
      if (req.fastcgi.role === 'authorizer') {
        if (req.headers['x-token'] === 'let-me-in') res.writeHead(200, { 'Variable-TOKEN_OWNER': 'bob' }).end();
        else res.writeHead(403, { 'Content-Type': 'text/plain' }).end('no token\n');
        return;
      }
      return app.listener(req, res);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    lighttpd = await startLighttpd({
      documentRoot,
      config: `server.stream-response-body = 2
fastcgi.server = (
  "/app/" => (( "host" => "127.0.0.1", "port" => ${port}, "check-local" => "disable" )),
  "/secure/" => (( "host" => "127.0.0.1", "port" => ${port}, "check-local" => "disable", "mode" => "authorizer", "docroot" => "${documentRoot}" ))
)`,
    });
  });

  afterAll(async () => {
    await lighttpd?.stop();
    server?.closeAllConnections();
    if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    if (documentRoot !== undefined) rmSync(documentRoot, { recursive: true, force: true });
  });

  describe('responder mode', () => {
    interopChecks(() => `${lighttpd.url}/app`, app);
  });

  it('lets our authorizer allow a static file', async () => {
    const response = await curl(`${lighttpd.url}/secure/file.txt`, { headers: ['X-Token: let-me-in'] });
    expect(response.status, lighttpd.logs()).toBe(200);
    expect(response.body.toString()).toBe('static secret\n');
  });

  it('lets our authorizer deny with its own response', async () => {
    const response = await curl(`${lighttpd.url}/secure/file.txt`);
    expect(response.status).toBe(403);
    expect(response.body.toString()).toBe('no token\n');
  });

  it('authorizes a POST, for which lighttpd sends no STDIN', async () => {
    const response = await curl(`${lighttpd.url}/secure/file.txt`, { headers: ['X-Token: nope'], body: Buffer.from('payload') });
    expect(response.status).toBe(403);
  });
});
