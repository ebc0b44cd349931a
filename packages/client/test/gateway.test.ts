import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type GatewayOptions } from '../src/index.js';
import { waitFor } from './support/wait.js';
import { type FakeApp, type FakeHandler, type FakeRequest } from './support/fake-app.js';
import { type HttpResult, closeGateways, sendHttp, startGateway } from './support/gateway-setup.js';

afterEach(closeGateways);

function setup(handler: FakeHandler, options: Partial<GatewayOptions> = {}): Promise<{ app: FakeApp; port: number }> {
  return startGateway(handler, options);
}

/** Requests come from 127.0.0.2, so REMOTE_ADDR is really tested. */
function send(port: number, path: string, init: Parameters<typeof sendHttp>[2] = {}): Promise<HttpResult> {
  return sendHttp(port, path, { localAddress: '127.0.0.2', ...init });
}

const echoParams: FakeHandler = async (request, connection) => {
  const stdin = await request.stdin;
  connection.respond(request.requestId, 'Content-Type: application/json', JSON.stringify({ params: request.params, stdin: stdin.toString() }));
};

function received(result: HttpResult): { params: Record<string, string>; stdin: string } {
  return JSON.parse(result.body) as { params: Record<string, string>; stdin: string };
}

describe('gateway params', () => {
  it('maps a request to CGI/1.1 params as nginx does', async () => {
    const { port } = await setup(echoParams);
    const result = await send(port, '/blog/post.php/extra/path?x=1&y=%20', { headers: { Host: 'example.test:8080', 'X-Custom': 'v' } });
    const { params } = received(result);
    expect(params).toMatchObject({
      REQUEST_METHOD: 'GET',
      REQUEST_URI: '/blog/post.php/extra/path?x=1&y=%20',
      QUERY_STRING: 'x=1&y=%20',
      SCRIPT_NAME: '/blog/post.php',
      SCRIPT_FILENAME: '/srv/www/blog/post.php',
      PATH_INFO: '/extra/path',
      PATH_TRANSLATED: '/srv/www/extra/path',
      DOCUMENT_ROOT: '/srv/www',
      DOCUMENT_URI: '/blog/post.php/extra/path',
      SERVER_PROTOCOL: 'HTTP/1.1',
      REQUEST_SCHEME: 'http',
      GATEWAY_INTERFACE: 'CGI/1.1',
      REMOTE_ADDR: '127.0.0.2',
      SERVER_ADDR: '127.0.0.1',
      SERVER_PORT: String(port),
      SERVER_NAME: 'example.test',
      REDIRECT_STATUS: '200',
      CONTENT_LENGTH: '',
      CONTENT_TYPE: '',
      HTTP_HOST: 'example.test:8080',
      HTTP_X_CUSTOM: 'v',
    });
    expect(params.HTTPS).toBeUndefined();
    expect(Number(params.REMOTE_PORT)).toBeGreaterThan(0);
  });

  it('maps / to the index script with REQUEST_URI=/', async () => {
    const { port } = await setup(echoParams, { index: 'index.php' });
    const { params } = received(await send(port, '/'));
    expect(params).toMatchObject({ SCRIPT_NAME: '/index.php', SCRIPT_FILENAME: '/srv/www/index.php', REQUEST_URI: '/', DOCUMENT_URI: '/index.php', PATH_INFO: '' });
  });

  it('drops the Proxy header (httpoxy) and header names outside [A-Za-z0-9-]', async () => {
    const { port } = await setup(echoParams);
    const result = await send(port, '/a.php', { rawHeaders: ['Host', 'h', 'Proxy', 'http://evil:1', 'X_Foo', 'underscore', 'X-Foo', 'dash'] });
    const { params } = received(result);
    expect(params.HTTP_PROXY).toBeUndefined();
    expect(params.HTTP_X_FOO).toBe('dash');
    expect(Object.values(params)).not.toContain('underscore');
  });

  it('never lets a request set PHP_VALUE, PHP_ADMIN_VALUE, SCRIPT_FILENAME or DOCUMENT_ROOT', async () => {
    const { port } = await setup(echoParams);
    const result = await send(port, '/a.php', { headers: { 'PHP-VALUE': 'auto_prepend_file=/etc/passwd', 'PHP-ADMIN-VALUE': 'x', 'Script-Filename': '/etc/passwd', 'Document-Root': '/' } });
    const { params } = received(result);
    expect(params.PHP_VALUE).toBeUndefined();
    expect(params.PHP_ADMIN_VALUE).toBeUndefined();
    expect(params.SCRIPT_FILENAME).toBe('/srv/www/a.php');
    expect(params.DOCUMENT_ROOT).toBe('/srv/www');
    expect(params.HTTP_PHP_VALUE).toBe('auto_prepend_file=/etc/passwd');
  });

  it('joins repeated headers, cookies with "; "', async () => {
    const { port } = await setup(echoParams);
    const { params } = received(await send(port, '/a.php', { rawHeaders: ['Host', 'h', 'Cookie', 'a=1', 'Cookie', 'b=2', 'Accept', 'text/html', 'Accept', 'text/plain'] }));
    expect(params.HTTP_COOKIE).toBe('a=1; b=2');
    expect(params.HTTP_ACCEPT).toBe('text/html, text/plain');
  });

  it('joins repeated headers also in a request with many headers', async () => {
    const { port } = await setup(echoParams);
    const rawHeaders = ['Host', 'h', 'Cookie', 'a=1'];
    for (let index = 0; index < 30; index++) rawHeaders.push(`X-H${index % 20}`, `v${index}`);
    rawHeaders.push('cookie', 'b=2');
    const { params } = received(await send(port, '/a.php', { rawHeaders }));
    expect(params.HTTP_COOKIE).toBe('a=1; b=2');
    expect(params.HTTP_X_H3).toBe('v3, v23');
    expect(params.HTTP_X_H19).toBe('v19');
  });

  it('lets configured params add and override', async () => {
    const { port } = await setup(echoParams, { params: (request) => ({ PHP_VALUE: 'memory_limit=32M', SERVER_NAME: `cfg-${request.method}` }) });
    const { params } = received(await send(port, '/a.php'));
    expect(params.PHP_VALUE).toBe('memory_limit=32M');
    expect(params.SERVER_NAME).toBe('cfg-GET');
  });

  it.each([
    ['/x.php%0ainfo.php', 404],
    ['/info.php%0a.php', 404],
    ['/a.php%00.txt', 404],
    ['/a.php%0d', 404],
    ['/../etc/passwd', 400],
    ['/%2e%2e/%2e%2e/etc/passwd.php', 400],
    ['/a/%2e%2e/%2e%2e/b.php', 400],
    ['/bad%zzescape.php', 400],
  ])('answers %s with %i and never asks the app', async (path, status) => {
    const { app, port } = await setup(echoParams);
    const result = await send(port, path);
    expect(result.status).toBe(status);
    expect(app.requests).toHaveLength(0);
  });

  it('resolves harmless dot segments inside the root', async () => {
    const { port } = await setup(echoParams);
    const { params } = received(await send(port, '/a/./b/../c.php'));
    expect(params.SCRIPT_FILENAME).toBe('/srv/www/a/c.php');
  });

  it('answers 404 for a missing script with checkScriptExists', async () => {
    const root = mkdtempSync(join(tmpdir(), 'fcgi-gateway-'));
    try {
      writeFileSync(join(root, 'here.php'), '<?php');
      const { app, port } = await setup(echoParams, { documentRoot: root, checkScriptExists: true });
      expect((await send(port, '/missing.php')).status).toBe(404);
      expect((await send(port, '/here.php')).status).toBe(200);
      expect(app.requests).toHaveLength(1);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('gateway bodies', () => {
  it('streams a body with Content-Length', async () => {
    const { port } = await setup(echoParams);
    const result = received(await send(port, '/a.php', { method: 'POST', headers: { 'Content-Type': 'text/plain', 'Content-Length': '5' }, body: 'hello' }));
    expect(result.stdin).toBe('hello');
    expect(result.params.CONTENT_LENGTH).toBe('5');
    expect(result.params.CONTENT_TYPE).toBe('text/plain');
  });

  it('buffers a chunked body to send CONTENT_LENGTH', async () => {
    const { port } = await setup(echoParams);
    const result = received(await send(port, '/a.php', { method: 'POST', headers: { 'Transfer-Encoding': 'chunked' }, body: 'chunked body', chunked: true }));
    expect(result.stdin).toBe('chunked body');
    expect(result.params.CONTENT_LENGTH).toBe('12');
  });

  it('answers 413 for a chunked body over maxBufferedBody', async () => {
    const { app, port } = await setup(echoParams, { maxBufferedBody: 4 });
    const result = await send(port, '/a.php', { method: 'POST', headers: { 'Transfer-Encoding': 'chunked' }, body: 'too long', chunked: true });
    expect(result.status).toBe(413);
    expect(app.requests).toHaveLength(0);
  });
});

describe('gateway responses', () => {
  const respondWith = (head: string, body = ''): FakeHandler => (request: FakeRequest, connection) => connection.respond(request.requestId, head, body);

  it('maps Status, keeps several Set-Cookie and drops hop-by-hop headers', async () => {
    const { port } = await setup(respondWith('Status: 418 Teapot\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nConnection: close\r\nX-A: 1', 'short'));
    const result = await send(port, '/a.php');
    expect(result.status).toBe(418);
    expect(result.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(result.headers['x-a']).toBe('1');
    expect(result.body).toBe('short');
  });

  it('turns a bare Location into a 302', async () => {
    const { port } = await setup(respondWith('Location: https://example.test/'));
    const result = await send(port, '/a.php');
    expect(result.status).toBe(302);
    expect(result.headers.location).toBe('https://example.test/');
  });

  it('answers 502 when the app fails before the head', async () => {
    const errors: unknown[] = [];
    const { port } = await setup((_request, connection) => connection.close(), { onError: (error) => errors.push(error) });
    expect((await send(port, '/a.php')).status).toBe(502);
    expect(errors[0]).toMatchObject({ code: 'ERR_FCGI_UPSTREAM_CLOSED' });
  });

  it('answers 502 and reports the error when a params function throws', async () => {
    const errors: unknown[] = [];
    const { app, port } = await setup(echoParams, {
      params: () => {
        throw new Error('no config');
      },
      onError: (error) => errors.push(error),
    });
    expect((await send(port, '/a.php')).status).toBe(502);
    expect(errors).toMatchObject([{ message: 'no config' }]);
    expect(app.requests).toHaveLength(0);
  });

  it('fails over between several upstreams given as an array', async () => {
    const { port } = await startGateway(respondWith('A: b', 'from the live one'), (live) => ({ upstream: ['127.0.0.1:1', live.address] }));
    for (let index = 0; index < 3; index++) expect((await send(port, '/a.php')).body).toBe('from the live one');
  });

  it('answers 504 when the head does not come in time', async () => {
    const { port } = await setup(() => {}, { timeout: 50 });
    expect((await send(port, '/a.php')).status).toBe(504);
  });

  it('resets the HTTP connection when the app fails mid-body', async () => {
    const { port } = await setup((request, connection) => {
      connection.stdout(request.requestId, 'Content-Type: text/plain\r\n\r\npartial');
      setTimeout(() => connection.close(), 20);
    });
    await expect(send(port, '/a.php')).rejects.toThrow();
  });

  it('sends STDERR lines to onStderr with control characters escaped', async () => {
    const lines: string[] = [];
    const { port } = await setup((request, connection) => {
      connection.stderr(request.requestId, 'first line\nsecond\x1b[31m red\n');
      connection.respond(request.requestId, 'A: b', 'ok');
    }, { onStderr: (line) => lines.push(line) });
    expect((await send(port, '/a.php')).body).toBe('ok');
    await waitFor(() => lines.length === 2);
    expect(lines).toEqual(['first line', 'second\\x1b[31m red']);
  });
});
