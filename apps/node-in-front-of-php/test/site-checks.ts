// The behaviour both PHP backends must show through Fastify: php-fpm running site/index.php
// (site.peer.test.ts) and the Node stand-in (stand-in.test.ts) answer the same.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const styleSheet = fileURLToPath(new URL('../site/assets/style.css', import.meta.url));

/** `name=value` of each Set-Cookie of a response. */
function cookiesOf(response: Response): string[] {
  return response.headers.getSetCookie().map((line) => line.split(';')[0]!);
}

function get(url: string, cookie = ''): Promise<Response> {
  return fetch(url, { headers: { cookie }, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
}

/**
 * Registers the shared checks; `site()` gives the running site's URL, `backend` what its
 * X-Site-Backend header must match.
 */
export function siteChecks(site: () => string, backend: RegExp): void {
  it('answers Fastify\'s own API routes as JSON', async () => {
    const health = await get(`${site()}/api/health`);
    expect(health.status).toBe(200);
    expect(health.headers.get('content-type')).toContain('application/json');
    expect(await health.json()).toMatchObject({ status: 'ok' });
    const time = (await (await get(`${site()}/api/time`)).json()) as { now: string; from: string };
    expect(time.from).toBe('fastify');
    expect(Number.isNaN(Date.parse(time.now))).toBe(false);
  });

  it('serves / from the front controller and keeps a session by its cookie', async () => {
    const first = await get(`${site()}/`);
    const html = await first.text();
    expect(first.status, html).toBe(200);
    expect(first.headers.get('x-site-backend')).toMatch(backend);
    expect(html).toContain('<title>A small PHP site</title>');
    expect(html).toContain('Visits this session: 1');
    const session = cookiesOf(first).find((cookie) => cookie.startsWith('PHPSESSID='));
    expect(session).toMatch(/^PHPSESSID=[\w,-]{16,}$/);
    const second = await get(`${site()}/`, session);
    expect(await second.text()).toContain('Visits this session: 2');
    expect(cookiesOf(second)).toEqual([]); // the session is known: no new cookie
  });

  it('routes a pretty URL to index.php with the path in PATH_INFO and REQUEST_URI untouched', async () => {
    const response = await get(`${site()}/hello/ada?from=test`);
    const html = await response.text();
    expect(response.status, html).toBe(200);
    expect(html).toContain('<h1>Hello, ada</h1>');
    expect(html).toContain('SCRIPT_NAME=/index.php PATH_INFO=/hello/ada REQUEST_URI=/hello/ada?from=test');
  });

  it('takes a form POST, answers 303 with a cookie, and shows the entry after the redirect', async () => {
    const posted = await fetch(`${site()}/guestbook`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=Ada&message=%3Chi%3E',
      redirect: 'manual',
      signal: AbortSignal.timeout(10_000),
    });
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toBe('/guestbook');
    const cookies = cookiesOf(posted);
    expect(cookies).toContain('guest=Ada');
    const page = await (await get(`${site()}${posted.headers.get('location')!}`, cookies.join('; '))).text();
    expect(page).toContain('<p>Welcome back, Ada.</p>');
    expect(page).toContain('<p>Signed by Ada: <q>&lt;hi&gt;</q></p>');
    const nameless = await fetch(`${site()}/guestbook`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'message=anonymous', signal: AbortSignal.timeout(10_000) });
    expect(nameless.status).toBe(422);
  });

  it('passes the site\'s redirect and its 404 page through', async () => {
    const moved = await get(`${site()}/old-home`);
    expect(moved.status).toBe(301);
    expect(moved.headers.get('location')).toBe('/');
    const missing = await get(`${site()}/no-such-page`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('<p>No page at /no-such-page.</p>');
  });

  it('serves the stylesheet from Fastify, byte for byte, and refuses other files under /assets', async () => {
    const response = await get(`${site()}/assets/style.css`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(response.headers.get('x-site-backend')).toBeNull();
    expect(Buffer.from(await response.arrayBuffer()).equals(await readFile(styleSheet))).toBe(true);
    for (const path of ['/assets/..%2findex.php', '/assets/missing.css', '/assets/.hidden.css']) {
      const refused = await get(`${site()}${path}`);
      expect(refused.status, path).toBe(404);
      expect(await refused.text(), path).not.toContain('<?php');
    }
  });
}
