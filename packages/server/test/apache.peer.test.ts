/**
 * Interop: curl -> Apache httpd -> @fcgi/server: mod_proxy_fcgi (responder, enablereuse=on)
 * and mod_authnz_fcgi driving our Authorizer (allow, deny, Variable- values reaching the
 * next handler).
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpPeer, curl, requirePeers, startApache } from '@fcgi/test-peers';
import { type FastCgiServer, createServer } from '../src/index.js';
import { createInteropApp, interopChecks } from './support/interop.js';

const peers = requirePeers('apache', 'curl');

describe.skipIf(!peers.available)(peers.title('curl -> Apache (mod_proxy_fcgi, mod_authnz_fcgi) -> @fcgi/server'), () => {
  const app = createInteropApp();
  let server: FastCgiServer;
  let apache: HttpPeer;
  let connections = 0;
  const authorizerCalls: string[] = [];

  beforeAll(async () => {
    server = createServer(
      {
        authorizer: (req) => {
          const params = req.fastcgi.params;
          // An 'authnz' provider checks the password and authorizes in one AUTHORIZER request, with no STDIN.
          authorizerCalls.push(`${params.FCGI_ROLE} ${params.REMOTE_USER}`);
          const known = params.REMOTE_USER === 'alice' && params.REMOTE_PASSWD === 'secret';
          return known ? { allow: true, variables: { TEAM: 'ops' } } : { allow: false, status: 401 };
        },
      },
      (req, res) => {
        const params = req.fastcgi.params;
        if (!req.url?.startsWith('/secure/')) return app.listener(req, res);
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ url: req.url, remote: req.socket.remoteAddress, user: params.REMOTE_USER, team: params.TEAM ?? null }));
      },
    );
    server.on('connection', () => connections++);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const backend = `fcgi://127.0.0.1:${(server.address() as AddressInfo).port}`;
    apache = await startApache({
      config: `ProxyFCGIBackendType GENERIC
ProxyPass "/app/" "${backend}/app/" enablereuse=on flushpackets=on
AuthnzFcgiDefineProvider authnz NodeAuth ${backend}/
<Location "/secure/">
  AuthType Basic
  AuthName "node"
  AuthBasicProvider NodeAuth
  Require NodeAuth
  ProxyPass "${backend}/secure/" enablereuse=on
</Location>`,
    });
  });

  afterAll(async () => {
    await apache?.stop();
    server?.closeAllConnections();
    if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  describe('mod_proxy_fcgi with enablereuse=on', () => {
    interopChecks(() => `${apache.url}/app`, app);
  });

  it('reuses connections with enablereuse=on', async () => {
    const before = connections;
    const count = 8;
    for (let index = 0; index < count; index++) expect((await curl(`${apache.url}/app/reuse/${index}/info`)).status).toBe(200);
    expect(connections - before).toBeLessThan(count);
  });

  it('lets mod_authnz_fcgi allow a request, passing Variable- values on to the next handler', async () => {
    const response = await curl(`${apache.url}/secure/data`, { args: ['-u', 'alice:secret'] });
    expect(response.status, apache.logs()).toBe(200);
    expect(JSON.parse(response.body.toString())).toMatchObject({ user: 'alice', team: 'ops' });
    expect(authorizerCalls).toContain('AUTHORIZER alice');
  });

  it('lets mod_authnz_fcgi deny a request', async () => {
    const response = await curl(`${apache.url}/secure/data`, { args: ['-u', 'alice:wrong'] });
    expect(response.status).toBe(401);
  });
});
