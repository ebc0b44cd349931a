/**
 * An unmodified Koa app behind real nginx: curl (or node:http) -> nginx -> @fcgi/server ->
 * app.callback(). GET with a query and the client's address, a 4 MB POST read raw with a
 * checksum, and a streamed body that reaches the HTTP client while the handler still runs.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpPeer, curl, requirePeers, startNginx } from '@fcgi/test-peers';
import { type FastCgiServer, createServer } from '../src/index.js';

const peers = requirePeers('nginx', 'curl');

/** A gate the streaming route waits on, opened by the test once the first line arrived. */
interface Gate {
  open: () => void;
  opened: Promise<void>;
}

function gate(): Gate {
  let open = (): void => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

function koaApp(streamGate: () => Gate): Koa {
  const app = new Koa();
  app.use(async (ctx) => {
    if (ctx.path.endsWith('/info')) {
      ctx.body = { path: ctx.path, query: ctx.query, ip: ctx.ip, method: ctx.method };
    } else if (ctx.path.endsWith('/upload')) {
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of ctx.req) {
        hash.update(chunk as Buffer);
        size += (chunk as Buffer).length;
      }
      ctx.status = 201;
      ctx.body = `${size} ${hash.digest('hex')}`;
    } else if (ctx.path.endsWith('/stream')) {
      const body = new PassThrough();
      ctx.type = 'text/plain';
      ctx.body = body;
      body.write('first\n');
      const { opened } = streamGate();
      void opened.then(() => body.end('second\n'));
    } else {
      ctx.throw(404);
    }
  });
  return app;
}

describe.skipIf(!peers.available)(peers.title('curl -> nginx -> @fcgi/server -> Koa'), () => {
  let currentGate = gate();
  const app = koaApp(() => currentGate);
  let server: FastCgiServer;
  let nginx: HttpPeer;

  beforeAll(async () => {
    server = createServer(app.callback());
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    nginx = await startNginx({
      http: `upstream koa_app { server ${address}; keepalive 4; }`,
      server: `client_max_body_size 20m;
    location /koa {
      include /etc/nginx/fastcgi_params;
      fastcgi_keep_conn on;
      fastcgi_buffering off;
      fastcgi_pass koa_app;
    }`,
    });
  });

  afterAll(async () => {
    await nginx?.stop();
    server?.closeAllConnections();
    if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('GET with a query: Koa sees the path, the query and the client address', async () => {
    const response = await curl(`${nginx.url}/koa/info?name=ada&tag=a&tag=b`);
    expect(response.status, response.stderr + nginx.logs()).toBe(200);
    expect(JSON.parse(response.body.toString())).toEqual({ path: '/koa/info', query: { name: 'ada', tag: ['a', 'b'] }, ip: '127.0.0.2', method: 'GET' });
  });

  it('POST of 4 MB read raw by the Koa app arrives intact', async () => {
    const body = Buffer.alloc(4 * 1024 * 1024);
    for (let index = 0; index < body.length; index++) body[index] = (index * 31) & 0xff;
    const response = await curl(`${nginx.url}/koa/upload`, { body });
    expect(response.status, response.stderr).toBe(201);
    expect(response.body.toString()).toBe(`${body.length} ${createHash('sha256').update(body).digest('hex')}`);
  });

  it('streams ctx.body: the first line reaches the HTTP client before the handler writes the second', async () => {
    currentGate = gate();
    const received = await new Promise<string>((resolve, reject) => {
      const request = httpRequest(`${nginx.url}/koa/stream`, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
          // Only once "first" went all the way through nginx does the app write the rest.
          if (text === 'first\n') currentGate.open();
        });
        response.on('end', () => resolve(`${String(response.statusCode)} ${String(response.headers['transfer-encoding'])} ${text}`));
        response.on('error', reject);
      });
      request.on('error', reject);
      request.setTimeout(20_000, () => request.destroy(new Error('the streamed response did not complete')));
      request.end();
    });
    expect(received).toBe('200 chunked first\nsecond\n');
  });

  it('answers Koa\'s 404 for an unknown path', async () => {
    const response = await curl(`${nginx.url}/koa/missing`);
    expect(response.status).toBe(404);
    expect(response.body.toString()).toBe('Not Found');
  });
});
