/**
 * An unmodified Koa 3 app handed to createServer(app.callback()) (issue 3: "Express, Koa and
 * plain node handlers run unchanged"), over a real loopback socket with @fcgi/client as the
 * web server. Koa reads req/res the node way: ctx.ip from req.socket.remoteAddress,
 * ctx.secure from req.socket.encrypted, streams piped into res, errors answered by its own
 * ctx.onerror.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { Client } from '@fcgi/client';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FastCgiIncomingMessage, type FastCgiServer, createServer } from '../src/index.js';

/** Reads the raw request body the way a Koa app without a body parser does. */
async function rawBody(ctx: Koa.Context): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function koaApp(errors: Error[]): Koa {
  const app = new Koa();
  app.on('error', (error: Error) => errors.push(error));
  app.use(async (ctx, next) => {
    switch (ctx.path) {
      case '/hello':
        ctx.body = { path: ctx.path, query: ctx.query, ip: ctx.ip, requestIp: ctx.request.ip, secure: ctx.secure, host: ctx.host, method: ctx.method };
        return;
      case '/upload': {
        const body = await rawBody(ctx);
        ctx.status = 201;
        ctx.set('X-Length', String(body.length));
        ctx.body = `${body.length} ${createHash('sha256').update(body).digest('hex')}`;
        return;
      }
      case '/cookies':
        ctx.cookies.set('a', '1', { httpOnly: false });
        ctx.cookies.set('b', '2', { path: '/b' });
        ctx.status = 204;
        return;
      case '/secure-cookie':
        ctx.cookies.set('session', 'x', { secure: true });
        ctx.body = 'set';
        return;
      case '/away':
        ctx.redirect('/hello?from=away');
        return;
      case '/stream':
        ctx.type = 'text/plain';
        ctx.body = Readable.from((async function* lines() {
          for (let index = 0; index < 5; index++) {
            await new Promise((resolve) => setTimeout(resolve, 2));
            yield `line ${index}\n`;
          }
        })());
        return;
      case '/boom':
        throw new Error('kaboom');
      case '/teapot':
        ctx.throw(418, 'short and stout');
        return;
      case '/fastcgi': {
        const fastcgi = (ctx.req as FastCgiIncomingMessage).fastcgi;
        ctx.body = { role: fastcgi.role, requestId: fastcgi.requestId, script: fastcgi.params.SCRIPT_FILENAME, aborted: fastcgi.signal.aborted };
        return;
      }
      default:
        await next();
    }
  });
  return app;
}

describe('a Koa app served by createServer(app.callback()), unchanged', () => {
  const appErrors: Error[] = [];
  const requestErrors: Error[] = [];
  const app = koaApp(appErrors);
  let server: FastCgiServer;
  let client: Client;

  beforeAll(async () => {
    server = createServer(app.callback());
    server.on('requestError', (error) => requestErrors.push(error));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    client = new Client({ address: `127.0.0.1:${(server.address() as AddressInfo).port}` });
  });

  afterAll(async () => {
    await client.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function params(method: string, uri: string, extra: Record<string, string> = {}): Record<string, string> {
    const [path = uri, query = ''] = uri.split('?');
    return {
      REQUEST_METHOD: method,
      REQUEST_URI: uri,
      SCRIPT_NAME: path,
      QUERY_STRING: query,
      SERVER_PROTOCOL: 'HTTP/1.1',
      REMOTE_ADDR: '198.51.100.7',
      REMOTE_PORT: '50123',
      HTTP_HOST: 'example.test',
      ...extra,
    };
  }

  async function json(response: { body: NodeJS.ReadableStream }): Promise<Record<string, unknown>> {
    return JSON.parse(await text(response.body)) as Record<string, unknown>;
  }

  it('routes by ctx.path, parses ctx.query and takes ctx.ip from REMOTE_ADDR', async () => {
    const response = await client.request({ params: params('GET', '/hello?name=ada&tag=a&tag=b') });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(await json(response)).toEqual({
      path: '/hello',
      query: { name: 'ada', tag: ['a', 'b'] },
      ip: '198.51.100.7',
      requestIp: '198.51.100.7',
      secure: false,
      host: 'example.test',
      method: 'GET',
    });
  });

  it('falls through to Koa\'s 404 for an unknown path', async () => {
    const response = await client.request({ params: params('GET', '/nowhere') });
    expect(response.status).toBe(404);
    expect(await text(response.body)).toBe('Not Found');
  });

  it('with app.proxy, ctx.ip comes from X-Forwarded-For (HTTP_X_FORWARDED_FOR)', async () => {
    app.proxy = true;
    try {
      const response = await client.request({ params: params('GET', '/hello', { HTTP_X_FORWARDED_FOR: '203.0.113.5, 10.0.0.1', HTTP_X_FORWARDED_PROTO: 'https' }) });
      expect(await json(response)).toMatchObject({ ip: '203.0.113.5', requestIp: '203.0.113.5', secure: true });
    } finally {
      app.proxy = false;
    }
  });

  it('without app.proxy, X-Forwarded-For is ignored and HTTPS=on makes ctx.secure true', async () => {
    const response = await client.request({ params: params('GET', '/hello', { HTTP_X_FORWARDED_FOR: '203.0.113.5', HTTPS: 'on' }) });
    expect(await json(response)).toMatchObject({ ip: '198.51.100.7', secure: true });
  });

  it('reads a raw 3 MB body from ctx.req and answers with ctx.status and ctx.set', async () => {
    const body = Buffer.alloc(3 * 1024 * 1024);
    for (let index = 0; index < body.length; index++) body[index] = (index * 13) & 0xff;
    const response = await client.request({ params: params('POST', '/upload', { CONTENT_TYPE: 'application/octet-stream' }), body });
    expect(response.status).toBe(201);
    expect(response.headers['x-length']).toBe(String(body.length));
    expect(await text(response.body)).toBe(`${body.length} ${createHash('sha256').update(body).digest('hex')}`);
  });

  it('sets several cookies with ctx.cookies.set, each on its own Set-Cookie line', async () => {
    const response = await client.request({ params: params('GET', '/cookies') });
    expect(response.status).toBe(204);
    expect(response.headers['set-cookie']).toEqual(['a=1; path=/', 'b=2; path=/b; httponly']);
    expect(await text(response.body)).toBe('');
  });

  it('allows a secure cookie only when the request came over HTTPS', async () => {
    const secure = await client.request({ params: params('GET', '/secure-cookie', { HTTPS: 'on' }) });
    expect(secure.status).toBe(200);
    expect([secure.headers['set-cookie']].flat()).toEqual(['session=x; path=/; secure; httponly']);
    await text(secure.body);
    // Over plain HTTP the cookies module refuses: Koa answers 500 through its error handling.
    const plain = await client.request({ params: params('GET', '/secure-cookie') });
    expect(plain.status).toBe(500);
    await text(plain.body);
  });

  it('redirects with ctx.redirect', async () => {
    const response = await client.request({ params: params('GET', '/away') });
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe('/hello?from=away');
    expect(await text(response.body)).toBe('Redirecting to /hello?from=away.');
  });

  it('streams a Readable set as ctx.body', async () => {
    const response = await client.request({ params: params('GET', '/stream') });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(response.headers['transfer-encoding']).toBeUndefined();
    expect(await text(response.body)).toBe('line 0\nline 1\nline 2\nline 3\nline 4\n');
    expect(await response.done).toEqual({ appStatus: 0, protocolStatus: 0 });
  });

  it('answers HEAD with the headers and no body', async () => {
    const response = await client.request({ params: params('HEAD', '/hello?name=ada') });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(Number(response.headers['content-length'])).toBeGreaterThan(0);
    expect(await text(response.body)).toBe('');
  });

  it('turns a thrown error into Koa\'s 500 and emits it on the app, not as a server error', async () => {
    const before = appErrors.length;
    const response = await client.request({ params: params('GET', '/boom') });
    expect(response.status).toBe(500);
    expect(await text(response.body)).toBe('Internal Server Error');
    expect(await response.done).toEqual({ appStatus: 0, protocolStatus: 0 });
    expect(appErrors.slice(before).map((error) => error.message)).toEqual(['kaboom']);
    expect(requestErrors).toEqual([]);
  });

  it('answers ctx.throw(418) with its status and message', async () => {
    const response = await client.request({ params: params('GET', '/teapot') });
    expect(response.status).toBe(418);
    expect(await text(response.body)).toBe('short and stout');
  });

  it('reaches the FastCGI facts through ctx.req.fastcgi', async () => {
    const response = await client.request({ params: params('GET', '/fastcgi', { SCRIPT_FILENAME: '/srv/app.js' }) });
    expect(await json(response)).toEqual({ role: 'responder', requestId: expect.any(Number) as number, script: '/srv/app.js', aborted: false });
  });
});
