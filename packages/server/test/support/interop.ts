/**
 * The interop suite every real web server runs against @fcgi/server: one app, one set of
 * checks (GET with a query, a 5 MB POST with checksum, a redirect with several
 * Set-Cookie headers, a streamed response, a client that disconnects mid-response).
 */
import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import { curl } from '@fcgi/test-peers';
import type { RequestListener } from '../../src/index.js';

/** The shared app, and the paths whose handlers saw an abort. */
export interface InteropApp {
  listener: RequestListener;
  aborts: string[];
}

/** Builds the shared app. Routes are matched on the last path segment(s), whatever the prefix. */
export function createInteropApp(): InteropApp {
  const aborts: string[] = [];
  const listener: RequestListener = async (req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (path.endsWith('/upload')) {
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of req) {
        hash.update(chunk as Buffer);
        size += (chunk as Buffer).length;
      }
      res.end(`${size} ${hash.digest('hex')}`);
    } else if (path.endsWith('/cookies')) {
      res.setHeader('Set-Cookie', ['a=1; Path=/', 'b=2; Path=/']);
      res.writeHead(302, { Location: 'http://example.test/elsewhere' });
      res.end();
    } else if (path.endsWith('/stream')) {
      for (let index = 0; index < 5; index++) {
        res.write(`chunk ${index}\n`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      res.end();
    } else if (path.endsWith('/forever')) {
      req.fastcgi.signal.addEventListener('abort', () => aborts.push(path));
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      while (!req.fastcgi.signal.aborted) {
        res.write(`tick ${'.'.repeat(1024)}\n`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } else {
      const params = req.fastcgi.params;
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ url: req.url, method: req.method, query: params.QUERY_STRING, pathInfo: params.PATH_INFO ?? null, remote: req.socket.remoteAddress, role: req.fastcgi.role }));
    }
  };
  return { listener, aborts };
}

/** Registers the shared checks in the calling `describe`; `base()` is the web server's URL plus the app's prefix. */
export function interopChecks(base: () => string, app: InteropApp): void {
  it('GET with a query string, from the real client address', async () => {
    const response = await curl(`${base()}/info?sort=name&x=%20y`);
    expect(response.status, response.stderr).toBe(200);
    const body = JSON.parse(response.body.toString()) as Record<string, unknown>;
    expect(body).toMatchObject({ method: 'GET', query: 'sort=name&x=%20y', remote: '127.0.0.2', role: 'responder' });
    expect(String(body.url)).toMatch(/\/info\?sort=name&x=%20y$/);
  });

  it('POST of 5 MB arrives intact', async () => {
    const body = Buffer.alloc(5 * 1024 * 1024);
    for (let index = 0; index < body.length; index++) body[index] = (index * 7) & 0xff;
    const response = await curl(`${base()}/upload`, { body });
    expect(response.status, response.stderr).toBe(200);
    expect(response.body.toString()).toBe(`${body.length} ${createHash('sha256').update(body).digest('hex')}`);
  });

  it('a redirect with several Set-Cookie headers', async () => {
    const response = await curl(`${base()}/cookies`);
    expect(response.status).toBe(302);
    expect(response.headers.filter((line) => /^set-cookie:/i.test(line)).map((line) => line.slice(line.indexOf(':') + 1).trim())).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    expect(response.headers.some((line) => /^location: http:\/\/example\.test\/elsewhere$/i.test(line))).toBe(true);
  });

  it('a streamed response', async () => {
    const response = await curl(`${base()}/stream`);
    expect(response.status).toBe(200);
    expect(response.body.toString()).toBe('chunk 0\nchunk 1\nchunk 2\nchunk 3\nchunk 4\n');
  });

  it('a client that disconnects mid-response aborts the handler', async () => {
    const before = app.aborts.length;
    const response = await curl(`${base()}/forever`, { maxTime: 1 });
    expect(response.exitCode).toBe(28);
    expect(response.body.toString()).toContain('tick');
    await expect.poll(() => app.aborts.length, { timeout: 5000 }).toBeGreaterThan(before);
  });
}
