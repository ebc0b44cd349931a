/** `fcgi gateway`: the built bin in front of in-test @fcgi/server apps (needs `pnpm build`). */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FastCgiServer, createServer } from '@fcgi/server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FcgiProcess, freePort, spawnFcgi } from './support/serve-process.js';

const root = mkdtempSync(join(tmpdir(), 'fcgi-gateway-'));
const running = new Set<FcgiProcess>();
const apps: FastCgiServer[] = [];

/** An app that echoes what it was asked, with its name. */
async function startApp(name: string): Promise<string> {
  const app = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ name, url: req.url, method: req.method, body, script: req.fastcgi.params.SCRIPT_FILENAME ?? null }));
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  apps.push(app);
  return `127.0.0.1:${(app.address() as { port: number }).port}`;
}

async function gateway(args: readonly string[]): Promise<{ process: FcgiProcess; url: string }> {
  const process = spawnFcgi(['gateway', '--listen', `127.0.0.1:${await freePort()}`, ...args]);
  running.add(process);
  const [, url] = await process.waitForOutput(/listening on (http:\/\/\S+) /);
  return { process, url: url as string };
}

beforeAll(() => {
  writeFileSync(join(root, 'style.css'), 'body { color: red }');
  mkdirSync(join(root, 'docs'));
  writeFileSync(join(root, 'docs', 'index.php'), '<?php');
  writeFileSync(join(root, 'index.php'), '<?php');
});
afterEach(async () => {
  await Promise.all([...running].map((process) => process.kill()));
  running.clear();
});
afterAll(async () => {
  await Promise.all(apps.map((app) => new Promise((resolve) => app.close(resolve))));
  rmSync(root, { recursive: true, force: true });
});

describe('fcgi gateway', () => {
  it('forwards every request without --root, logs one line per request, and closes on SIGTERM', async () => {
    const upstream = await startApp('one');
    const { process, url } = await gateway(['--upstream', upstream]);
    const answer = await fetch(`${url}/api/users?page=2`, { method: 'POST', body: 'hello' });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ name: 'one', url: '/api/users?page=2', method: 'POST', body: 'hello', script: null });
    expect((await fetch(`${url}/style.css`)).headers.get('content-type')).toBe('application/json');
    await expect.poll(() => process.stdout()).toMatch(/^127\.0\.0\.1 "POST \/api\/users\?page=2 HTTP\/1\.1" 200 \d+ \d+ms upstream$/m);
    process.child.kill('SIGTERM');
    expect(await process.exited).toBe(0);
  });

  it('with --root sends scripts upstream and serves other files statically', async () => {
    const upstream = await startApp('php');
    const { process, url } = await gateway(['--upstream', upstream, '--root', root]);
    const css = await fetch(`${url}/style.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await css.text()).toBe('body { color: red }');
    expect(await (await fetch(`${url}/index.php/extra?x=1`)).json()).toMatchObject({ name: 'php', script: join(root, 'index.php') });
    expect(await (await fetch(`${url}/`)).json()).toMatchObject({ script: join(root, 'index.php') });
    expect(await (await fetch(`${url}/docs/`)).json()).toMatchObject({ script: join(root, 'docs', 'index.php') });
    const redirect = await fetch(`${url}/docs`, { redirect: 'manual' });
    expect([redirect.status, redirect.headers.get('location')]).toEqual([301, '/docs/']);
    expect((await fetch(`${url}/missing.png`)).status).toBe(404);
    expect((await fetch(`${url}/style.css`, { method: 'DELETE' })).status).toBe(405);
    await expect.poll(() => process.stdout()).toMatch(/"GET \/style\.css HTTP\/1\.1" 200 19 \d+ms static$/m);
  });

  it('balances several --upstream', async () => {
    const [first, second] = [await startApp('a'), await startApp('b')];
    const { url } = await gateway(['--upstream', first, '--upstream', second]);
    const names = new Set<string>();
    for (let index = 0; index < 8; index += 1) names.add(((await (await fetch(`${url}/n`)).json()) as { name: string }).name);
    expect([...names].sort()).toEqual(['a', 'b']);
  });

  it('rejects a missing --upstream and a bad --scripts in one line with exit 2', async () => {
    for (const args of [['--listen', '127.0.0.1:8'], ['--listen', '127.0.0.1:8', '--upstream', '127.0.0.1:9', '--scripts', '(']]) {
      const process = spawnFcgi(['gateway', ...args]);
      running.add(process);
      expect(await process.exited).toBe(2);
      expect(process.stderr()).toMatch(/^fcgi gateway: [^\n]+\n$/);
    }
  });
});
