/**
 * Interop: curl -> nginx -> @fcgi/server, with nginx started by the test on loopback, plain
 * and with fastcgi_keep_conn + upstream keepalive.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpPeer, curl, requirePeers, startNginx } from '@fcgi/test-peers';
import { type FastCgiServer, createServer } from '../src/index.js';
import { createInteropApp, interopChecks } from './support/interop.js';

const peers = requirePeers('nginx', 'curl');

describe.skipIf(!peers.available)(peers.title('curl -> nginx -> @fcgi/server'), () => {
  const app = createInteropApp();
  let server: FastCgiServer;
  let nginx: HttpPeer;
  let connections = 0;

  beforeAll(async () => {
    server = createServer(app.listener);
    server.on('connection', () => connections++);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const location = (path: string, extra: string) => `
    location ${path} {
      include /etc/nginx/fastcgi_params;
      fastcgi_split_path_info ^(${path})(/.*)$;
      fastcgi_param PATH_INFO $fastcgi_path_info;
      ${extra}
    }`;
    nginx = await startNginx({
      http: `upstream kept { server ${address}; keepalive 4; }`,
      server: `client_max_body_size 20m;
${location('/app', `fastcgi_pass ${address};`)}
${location('/kept', 'fastcgi_keep_conn on; fastcgi_pass kept;')}`,
    });
  });

  afterAll(async () => {
    await nginx?.stop();
    server?.closeAllConnections();
    if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  describe('plain', () => {
    interopChecks(() => `${nginx.url}/app`, app);
  });

  describe('keep_conn with upstream keepalive', () => {
    interopChecks(() => `${nginx.url}/kept`, app);
  });

  it('passes PATH_INFO and SCRIPT_NAME split by fastcgi_split_path_info', async () => {
    const response = await curl(`${nginx.url}/app/users/7/info?a=b`);
    expect(JSON.parse(response.body.toString())).toMatchObject({ url: '/app/users/7/info?a=b', pathInfo: '/users/7/info', query: 'a=b' });
  });

  it('reuses one connection with fastcgi_keep_conn and upstream keepalive', async () => {
    await curl(`${nginx.url}/kept/warm`);
    const before = connections;
    for (let index = 0; index < 4; index++) expect((await curl(`${nginx.url}/kept/${index}/info`)).status).toBe(200);
    expect(connections - before).toBe(0);
  });

  it('opens a new connection per request without keep_conn', async () => {
    const before = connections;
    for (let index = 0; index < 3; index++) await curl(`${nginx.url}/app/plain/${index}/info`);
    expect(connections - before).toBe(3);
  });
});
