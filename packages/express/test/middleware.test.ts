import { createHash } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FastCgiMiddleware, fastcgi } from '../src/index.js';
import { type RecordingBackend, startRecordingBackend } from './recording-backend.js';

interface Seen {
  params: Record<string, string>;
  length: number;
  sha256: string;
}

describe('fastcgi() middleware', () => {
  let backend: RecordingBackend;
  let http: Server;
  let base: string;
  const middlewares: FastCgiMiddleware[] = [];
  const errors: { code?: string; status?: number }[] = [];

  beforeAll(async () => {
    backend = await startRecordingBackend();
    const app = express();
    const site = fastcgi({ upstream: backend.address, documentRoot: backend.documentRoot, frontController: 'index.php' });
    const strict = fastcgi({ upstream: backend.address, documentRoot: backend.documentRoot, fallthrough: true });
    const down = fastcgi({ upstream: '127.0.0.1:1', documentRoot: backend.documentRoot });
    middlewares.push(site, strict, down);
    // Mounted under /strict but mapping the path below it, so one document root serves both.
    app.use(
      '/strict',
      (req, res, next) => {
        req.originalUrl = req.url;
        strict(req, res, next);
      },
      (_req, res) => {
        res.status(404).send('express 404');
      },
    );
    app.use('/down', down);
    app.post('/parsed/index.php', express.json(), site);
    app.use(site);
    app.use(express.static(backend.documentRoot, { index: false }));
    app.use((_req, res) => {
      res.status(404).send('express 404');
    });
    const onError: ErrorRequestHandler = (error: { code?: string; status?: number }, _req, res, _next) => {
      errors.push({ code: error.code, status: error.status });
      res.status(error.status ?? 500).send(`error ${error.code}`);
    };
    app.use(onError);
    http = createServer(app);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => http?.close(resolve));
    for (const middleware of middlewares) await middleware.close();
    await backend?.close();
  });

  it('forwards a script with the CGI params of its path', async () => {
    const response = await fetch(`${base}/index.php?x=1`, { headers: { 'X-Custom': 'yes', Proxy: 'http://evil' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-backend')).toBe('recording');
    const seen = (await response.json()) as Seen;
    expect(seen.params).toMatchObject({ SCRIPT_NAME: '/index.php', SCRIPT_FILENAME: `${backend.documentRoot}/index.php`, QUERY_STRING: 'x=1', REQUEST_URI: '/index.php?x=1', HTTP_X_CUSTOM: 'yes' });
    expect(seen.params.HTTP_PROXY).toBeUndefined();
  });

  it('routes pretty URLs to the front controller with PATH_INFO', async () => {
    const seen = (await (await fetch(`${base}/blog/hello-world?a=1`)).json()) as Seen;
    expect(seen.params).toMatchObject({ SCRIPT_NAME: '/index.php', PATH_INFO: '/blog/hello-world', REQUEST_URI: '/blog/hello-world?a=1', QUERY_STRING: 'a=1' });
  });

  it('leaves static files to express.static without asking the backend', async () => {
    const before = backend.requests;
    const response = await fetch(`${base}/style.css`);
    expect(await response.text()).toBe('body { color: red }\n');
    expect(response.headers.get('content-type')).toMatch(/^text\/css/);
    expect(backend.requests).toBe(before);
  });

  it('streams a large body to the backend, with and without Content-Length', async () => {
    const body = Buffer.alloc(1_500_000, 3);
    const sha = createHash('sha256').update(body).digest('hex');
    const sized = (await (await fetch(`${base}/upload.php`, { method: 'POST', body, headers: { 'Content-Type': 'application/octet-stream' } })).json()) as Seen;
    expect([sized.length, sized.sha256, sized.params.CONTENT_LENGTH]).toEqual([body.length, sha, String(body.length)]);
    const chunked = (await (
      await fetch(`${base}/upload.php`, {
        method: 'POST',
        body: new Blob([body]).stream(),
        duplex: 'half',
      } as RequestInit)
    ).json()) as Seen;
    expect([chunked.length, chunked.params.CONTENT_LENGTH]).toEqual([body.length, String(body.length)]);
  });

  it('passes status, Location and every Set-Cookie back', async () => {
    const response = await fetch(`${base}/cookies.php`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/welcome');
    expect(response.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
  });

  it('streams the response', async () => {
    const response = await fetch(`${base}/stream.php`);
    expect(await response.text()).toBe('part-0\npart-1\npart-2\n');
  });

  it("sends the app's 404 by default, and falls through with fallthrough", async () => {
    const direct = await fetch(`${base}/gone.php`);
    expect([direct.status, await direct.text()]).toEqual([404, 'php says not found\n']);
    const answered = await fetch(`${base}/strict/gone.php`);
    expect([answered.status, await answered.text()]).toEqual([404, 'express 404']);
    const before = backend.requests;
    const missing = await fetch(`${base}/strict/missing.php`);
    expect([missing.status, await missing.text()]).toEqual([404, 'express 404']);
    expect(backend.requests).toBe(before);
  });

  it('calls next(err) with status 502 when the backend is down', async () => {
    const response = await fetch(`${base}/down/index.php`);
    expect(response.status).toBe(502);
    expect(errors.at(-1)).toEqual({ code: 'ERR_FCGI_UPSTREAM_FAILED', status: 502 });
  });

  it('refuses the CVE-2019-11043 path and paths escaping the root', async () => {
    const newline = await fetch(`${base}/index.php%0ainfo.php`);
    expect(newline.status).toBe(404);
    expect(errors.at(-1)).toEqual({ code: 'ERR_FCGI_SCRIPT_REFUSED', status: 404 });
  });

  it('refuses to forward a body a parser already read', async () => {
    const response = await fetch(`${base}/parsed/index.php`, { method: 'POST', body: '{"a":1}', headers: { 'Content-Type': 'application/json' } });
    expect(response.status).toBe(500);
    expect(errors.at(-1)).toEqual({ code: 'ERR_FCGI_BODY_CONSUMED', status: 500 });
  });

  it('validates its options', () => {
    expect(() => fastcgi({ upstream: '127.0.0.1:9000', documentRoot: 'relative' })).toThrow(expect.objectContaining({ code: 'ERR_FCGI_INVALID_OPTION' }));
  });
});
