// Without nginx (FCGI_HIDE_PEERS=nginx makes it look absent, as on a machine without it),
// the app takes the embedded default: `fcgi gateway` from @fcgi/cli in front of the same
// Express app. No real peer is needed, so this file runs in the unit project.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fcgiBinPath } from '../src/gateway.js';
import { startSetup } from '../src/setup.js';

const mainScript = fileURLToPath(new URL('../src/main.js', import.meta.url));

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One HTTP request from 127.0.0.2, so REMOTE_ADDR tells the client from the gateway. */
function send(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: options.method ?? 'GET', headers: options.headers, localAddress: '127.0.0.2' }, (incoming) => {
      let text = '';
      incoming.setEncoding('utf8');
      incoming.on('data', (chunk: string) => (text += chunk));
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, text }));
      incoming.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

/** Runs `body` with FCGI_HIDE_PEERS=nginx, restoring the variable afterwards. */
async function withNginxHidden<T>(body: () => Promise<T>): Promise<T> {
  const saved = process.env['FCGI_HIDE_PEERS'];
  process.env['FCGI_HIDE_PEERS'] = 'nginx';
  try {
    return await body();
  } finally {
    if (saved === undefined) delete process.env['FCGI_HIDE_PEERS'];
    else process.env['FCGI_HIDE_PEERS'] = saved;
  }
}

describe('nginx hidden: HTTP -> fcgi gateway -> Express over @fcgi/express', () => {
  let setup: Awaited<ReturnType<typeof startSetup>> | undefined;

  beforeAll(async () => {
    setup = await withNginxHidden(() => startSetup());
  }, 30_000);

  afterAll(async () => {
    await setup?.stop();
  });

  it('chose fcgi gateway, and says why', () => {
    expect(setup!.front.name).toBe('fcgi gateway');
    expect(setup!.front.reason).toBe('nginx is hidden by FCGI_HIDE_PEERS');
    expect(setup!.nginx).toBeUndefined();
    expect(fcgiBinPath()).toMatch(/[/\\]cli[/\\]dist[/\\]bin\.js$/); // @fcgi/cli's own `fcgi` bin entry
  });

  it('runs the Express route with req.ip from REMOTE_ADDR (127.0.0.2)', async () => {
    const response = await send(`${setup!.url}/?greeting=hi&n=2`);
    expect(response.status).toBe(200);
    expect(response.headers['x-powered-by']).toBe('Express');
    expect(JSON.parse(response.text)).toEqual({ hello: 'from Express over FastCGI', ip: '127.0.0.2', protocol: 'http', method: 'GET', path: '/', query: { greeting: 'hi', n: '2' } });
  });

  it('parses a JSON POST and answers 201 with Location', async () => {
    const created = await send(`${setup!.url}/api/notes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"über FastCGI"}' });
    expect(created.status).toBe(201);
    const note = JSON.parse(created.text) as { id: number; text: string };
    expect(note.text).toBe('über FastCGI');
    expect(created.headers.location).toBe(`/api/notes/${note.id}`);
    expect(JSON.parse((await send(`${setup!.url}/api/notes/${note.id}`)).text)).toEqual(note);
  });

  it('passes both cookies, the redirect, and Express\'s 404 through the gateway', async () => {
    const login = await send(`${setup!.url}/login?name=ada`);
    expect([login.status, login.headers.location]).toEqual([302, '/me']);
    expect(login.headers['set-cookie']).toEqual(['user=ada; Path=/; HttpOnly; SameSite=Lax', 'theme=dark; Path=/']);
    const me = await send(`${setup!.url}/me`, { headers: { cookie: 'user=ada; theme=dark' } });
    expect(JSON.parse(me.text)).toEqual({ user: 'ada', theme: 'dark' });
    const missing = await send(`${setup!.url}/no/such/route`);
    expect([missing.status, missing.text.includes('Cannot GET /no/such/route')]).toEqual([404, true]);
  });

  it('logs each request in the gateway\'s access log', async () => {
    await send(`${setup!.url}/old-home`);
    await expect.poll(() => setup!.front.gateway!.output(), { timeout: 10_000 }).toContain('/old-home');
  });
});

describe('pnpm --filter @fcgi/app-express-behind-nginx start, with nginx hidden', () => {
  it('prints that it uses fcgi gateway instead, serves, and stops both on Ctrl-C', async () => {
    const child = spawn(process.execPath, [mainScript], { env: { ...process.env, PORT: '0', APP_PORT: '0', FCGI_HIDE_PEERS: 'nginx' }, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      let output = '';
      child.stdout.setEncoding('utf8');
      while (!output.includes('Ctrl-C')) output += (await once(child.stdout, 'data'))[0] as string;
      expect(output).toContain('nginx is hidden by FCGI_HIDE_PEERS: using the embedded default instead.');
      const url = /fcgi gateway on (http:\/\/127\.0\.0\.1:\d+) -> Express over FastCGI on 127\.0\.0\.1:\d+/.exec(output)![1]!;
      expect(output).toMatch(/Started as: fcgi gateway --listen 127\.0\.0\.1:\d+ --upstream 127\.0\.0\.1:\d+/);
      expect(output).toContain('Ctrl-C stops fcgi gateway and the app.');
      expect(JSON.parse((await send(`${url}/`)).text)).toMatchObject({ ip: '127.0.0.2' });
      child.kill('SIGINT');
      expect(await once(child, 'exit')).toEqual([0, null]);
      await expect(send(`${url}/`)).rejects.toMatchObject({ code: 'ECONNREFUSED' }); // the gateway is gone
    } finally {
      child.kill('SIGKILL');
    }
  }, 40_000);
});
