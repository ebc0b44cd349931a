import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { curl, requirePeers } from '@fcgi/test-peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSetup } from '../src/setup.js';

const peers = requirePeers('nginx', 'curl');
const mainScript = fileURLToPath(new URL('../src/main.js', import.meta.url));

function json(body: Buffer): unknown {
  return JSON.parse(body.toString('utf8'));
}

describe.skipIf(!peers.available)(peers.title('curl -> nginx (fastcgi_keep_conn) -> Express over @fcgi/express'), () => {
  let setup: Awaited<ReturnType<typeof startSetup>> | undefined;
  let connections = 0;
  let cookieDirectory = '';

  beforeAll(async () => {
    cookieDirectory = await mkdtemp(join(tmpdir(), 'express-behind-nginx-cookies-'));
    setup = await startSetup();
    setup.fastcgi.on('connection', () => connections++);
  });

  afterAll(async () => {
    await setup?.stop();
    if (cookieDirectory !== '') await rm(cookieDirectory, { recursive: true, force: true });
  });

  it('runs the Express route with req.ip from REMOTE_ADDR (127.0.0.2, not nginx\'s 127.0.0.1)', async () => {
    expect(setup!.front.name).toBe('nginx'); // nginx is installed: no fallback
    const response = await curl(`${setup!.url}/?greeting=hi&n=2`);
    expect(response.status).toBe(200);
    expect(response.headers).toContain('X-Powered-By: Express');
    expect(json(response.body)).toEqual({ hello: 'from Express over FastCGI', ip: '127.0.0.2', protocol: 'http', method: 'GET', path: '/', query: { greeting: 'hi', n: '2' } });
  });

  it('parses a JSON POST body with express.json() and answers 201 with Location', async () => {
    const created = await curl(`${setup!.url}/api/notes`, { args: ['-H', 'Content-Type: application/json', '--data-binary', '{"text":"über FastCGI"}'] });
    expect(created.status).toBe(201);
    const note = json(created.body) as { id: number; text: string };
    expect(note.text).toBe('über FastCGI');
    expect(created.headers).toContain(`Location: /api/notes/${note.id}`);
    const fetched = await curl(`${setup!.url}/api/notes/${note.id}`);
    expect(json(fetched.body)).toEqual(note);
    const invalid = await curl(`${setup!.url}/api/notes`, { args: ['-H', 'Content-Type: application/json', '--data-binary', '{"title":1}'] });
    expect(invalid.status).toBe(400);
  });

  it('sets two cookies, redirects, and reads the cookies back on the next request', async () => {
    const jar = join(cookieDirectory, 'jar.txt');
    const login = await curl(`${setup!.url}/login?name=ada`, { args: ['-c', jar] });
    expect(login.status).toBe(302);
    expect(login.headers).toContain('Location: /me');
    expect(login.headers.filter((line) => line.startsWith('Set-Cookie:'))).toEqual(['Set-Cookie: user=ada; Path=/; HttpOnly; SameSite=Lax', 'Set-Cookie: theme=dark; Path=/']);
    // Follow the redirect as a browser would, sending the cookies back.
    const followed = await curl(`${setup!.url}/me`, { args: ['-b', jar] });
    expect(followed.status).toBe(200);
    expect(json(followed.body)).toEqual({ user: 'ada', theme: 'dark' });
    const withoutCookie = await curl(`${setup!.url}/me`);
    expect(withoutCookie.status).toBe(401);
  });

  it('passes a permanent redirect and Express\'s own 404 through nginx', async () => {
    const moved = await curl(`${setup!.url}/old-home`);
    expect(moved.status).toBe(301);
    expect(moved.headers).toContain('Location: /');
    const missing = await curl(`${setup!.url}/no/such/route`);
    expect(missing.status).toBe(404);
    expect(missing.body.toString()).toContain('Cannot GET /no/such/route');
  });

  it('reuses kept FastCGI connections: sequential requests open at most one per nginx worker', async () => {
    const burst = await Promise.all(Array.from({ length: 6 }, (_, index) => curl(`${setup!.url}/?burst=${index}`)));
    expect(burst.map((response) => response.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const before = connections;
    expect(before).toBeGreaterThan(0);
    for (let index = 0; index < 10; index++) expect((await curl(`${setup!.url}/?sequential=${index}`)).status).toBe(200);
    // Each of nginx's 2 workers keeps its own idle connections; one that has served nothing yet opens one.
    expect(connections - before).toBeLessThanOrEqual(2);
  });
});

describe.skipIf(!peers.available)(peers.title('pnpm --filter @fcgi/app-express-behind-nginx start'), () => {
  it('starts the app and nginx, prints what to curl, and stops both on Ctrl-C', async () => {
    const child = spawn(process.execPath, [mainScript], { env: { ...process.env, PORT: '0', APP_PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      let output = '';
      child.stdout.setEncoding('utf8');
      while (!output.includes('Ctrl-C')) output += (await once(child.stdout, 'data'))[0] as string;
      const url = /nginx on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)![1]!;
      expect(output).toContain(`curl -i ${url}/old-home`);
      const response = await curl(`${url}/`);
      expect(json(response.body)).toMatchObject({ ip: '127.0.0.2' });
      child.kill('SIGINT');
      expect(await once(child, 'exit')).toEqual([0, null]);
      expect((await curl(`${url}/`)).exitCode).not.toBe(0); // nginx is gone
    } finally {
      child.kill('SIGKILL');
    }
  });
});
