/* eslint-disable @typescript-eslint/require-await -- Fastify handlers and hooks are async functions by convention. */
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RecordingBackend, startRecordingBackend } from '../../express/test/recording-backend.js';
import { fastcgi, keepRawBody } from '../src/index.js';

interface Seen {
  params: Record<string, string>;
  length: number;
  sha256: string;
}

describe('fastcgi plugin', () => {
  let backend: RecordingBackend;
  let fastify: FastifyInstance;
  let base: string;
  const errors: { code?: string; statusCode?: number }[] = [];

  beforeAll(async () => {
    backend = await startRecordingBackend();
    fastify = Fastify();
    fastify.setErrorHandler(async (error: { code?: string; statusCode?: number }, _request, reply) => {
      errors.push({ code: error.code, statusCode: error.statusCode });
      return reply.code(error.statusCode ?? 500).send(`error ${error.code}`);
    });
    fastify.setNotFoundHandler(async (_request, reply) => reply.code(404).send('fastify 404'));
    await fastify.register(fastcgi, { upstream: backend.address, documentRoot: backend.documentRoot, prefix: '/', frontController: 'index.php' });
    await fastify.register(fastcgi, { upstream: backend.address, documentRoot: backend.documentRoot, prefix: '/strict', fallthrough: true, decorateReply: false });
    await fastify.register(fastcgi, { upstream: '127.0.0.1:1', prefix: '/down', decorateReply: false });
    fastify.get('/style.css', async (_request, reply) => reply.type('text/css').send('from fastify\n'));
    fastify.post('/json-route', async (request) => ({ parsed: request.body }));
    fastify.post('/parsed.php', async (_request, reply) => reply.fastcgi());
    await fastify.register(async (raw) => {
      keepRawBody(raw);
      raw.post('/raw/upload.php', async (_request, reply) => reply.fastcgi());
    });
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(fastify.server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await fastify?.close();
    await backend?.close();
  });

  it('forwards scripts and routes pretty URLs to the front controller with PATH_INFO', async () => {
    const script = (await (await fetch(`${base}/index.php?x=1`, { headers: { Proxy: 'http://evil' } })).json()) as Seen;
    expect(script.params).toMatchObject({ SCRIPT_NAME: '/index.php', SCRIPT_FILENAME: `${backend.documentRoot}/index.php`, QUERY_STRING: 'x=1' });
    expect(script.params.HTTP_PROXY).toBeUndefined();
    const pretty = (await (await fetch(`${base}/2024/05/hello?a=1`)).json()) as Seen;
    expect(pretty.params).toMatchObject({ SCRIPT_NAME: '/index.php', PATH_INFO: '/2024/05/hello', REQUEST_URI: '/2024/05/hello?a=1' });
  });

  it("keeps Fastify's own routes and parsers next to the prefix", async () => {
    expect(await (await fetch(`${base}/style.css`)).text()).toBe('from fastify\n');
    const parsed = await fetch(`${base}/json-route`, { method: 'POST', body: '{"a":1}', headers: { 'Content-Type': 'application/json' } });
    expect(await parsed.json()).toEqual({ parsed: { a: 1 } });
  });

  it('streams the raw body (JSON included, never parsed) with and without Content-Length', async () => {
    const body = Buffer.from(JSON.stringify({ big: 'x'.repeat(1_000_000) }));
    const sha = createHash('sha256').update(body).digest('hex');
    const sized = (await (await fetch(`${base}/upload.php`, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } })).json()) as Seen;
    expect([sized.length, sized.sha256, sized.params.CONTENT_TYPE]).toEqual([body.length, sha, 'application/json']);
    const chunked = (await (await fetch(`${base}/raw/upload.php`, { method: 'POST', body: new Blob([body]).stream(), duplex: 'half' } as RequestInit)).json()) as Seen;
    expect([chunked.length, chunked.sha256, chunked.params.CONTENT_LENGTH]).toEqual([body.length, sha, String(body.length)]);
  });

  it('passes status, Location and every Set-Cookie back, and streams', async () => {
    const response = await fetch(`${base}/cookies.php`, { redirect: 'manual' });
    expect([response.status, response.headers.get('location')]).toEqual([302, '/welcome']);
    expect(response.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
    expect(await (await fetch(`${base}/stream.php`)).text()).toBe('part-0\npart-1\npart-2\n');
  });

  it("sends the app's 404, or Fastify's not-found handler with fallthrough", async () => {
    const direct = await fetch(`${base}/gone.php`);
    expect([direct.status, await direct.text()]).toEqual([404, 'php says not found\n']);
    const missing = await fetch(`${base}/strict/missing.php`);
    expect([missing.status, await missing.text()]).toEqual([404, 'fastify 404']);
  });

  it("routes failures through Fastify's error handler", async () => {
    const down = await fetch(`${base}/down/index.php`);
    expect(down.status).toBe(502);
    expect(errors.at(-1)).toEqual({ code: 'ERR_FCGI_UPSTREAM_FAILED', statusCode: 502 });
    const newline = await fetch(`${base}/index.php%0ainfo.php`);
    expect(newline.status).toBe(404);
    expect(errors.at(-1)).toEqual({ code: 'ERR_FCGI_SCRIPT_REFUSED', statusCode: 404 });
    const parsed = await fetch(`${base}/parsed.php`, { method: 'POST', body: '{"a":1}', headers: { 'Content-Type': 'application/json' } });
    expect(parsed.status).toBe(500);
    expect(errors.at(-1)).toEqual({ code: 'ERR_FCGI_BODY_CONSUMED', statusCode: 500 });
  });
});
