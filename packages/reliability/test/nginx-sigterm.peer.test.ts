/**
 * SIGTERM under load through a real nginx (issue 9): HTTP clients -> nginx (kept upstream
 * connections) -> an @fcgi/server in a child process with `handleSignals: true` and a
 * 300 ms handler. Every request the app accepted before SIGTERM is answered whole
 * (200 `done`); the rest get nginx's 502; nothing hangs, and the app exits 0.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { type HttpPeer, requirePeers, startNginx } from '@fcgi/test-peers';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from './support/faults-app.js';

const peers = requirePeers('nginx');
const appPath = fileURLToPath(new URL('../dist/sigterm-app.js', import.meta.url));
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function get(port: number, agent: Agent, id: number): Promise<string> {
  return new Promise((resolve) => {
    const request = httpRequest({ host: '127.0.0.1', port, path: `/app?id=${id}`, agent, timeout: 15_000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve(`${response.statusCode ?? 0} ${response.statusCode === 200 ? Buffer.concat(chunks).toString() : ''}`.trim()));
      response.on('error', (error) => resolve(`error ${error.message}`));
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', (error) => resolve(`error ${error.message}`));
    request.end();
  });
}

async function startApp(): Promise<{ child: ChildProcess; port: number; output: () => string }> {
  const child = spawn(process.execPath, [appPath, '--log-starts'], { stdio: ['ignore', 'pipe', 'inherit'] });
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  await waitFor(() => /port \d+\n/.test(output), 'the app to listen');
  return { child, port: Number(/port (\d+)/.exec(output)?.[1]), output: () => output };
}

describe.skipIf(!peers.available)(peers.title('SIGTERM under load through nginx'), () => {
  it('40 requests in flight through nginx: those the app accepted complete whole, the others get 502, none hangs, the app exits 0', async () => {
    const app = await startApp();
    const nginx: HttpPeer = await startNginx({
      http: `upstream fcgi { server 127.0.0.1:${app.port}; keepalive 8; }`,
      server: `location /app {
      include /etc/nginx/fastcgi_params;
      fastcgi_keep_conn on;
      fastcgi_pass fcgi;
    }`,
    });
    cleanups.push(() => nginx.stop());
    const agent = new Agent({ keepAlive: false, maxSockets: 40 });
    cleanups.push(() => agent.destroy());
    const results = Array.from({ length: 40 }, (_, id) => get(nginx.port, agent, id));
    const started = (): number => app.output().split('\n').filter((line) => line === 'started').length;
    await waitFor(() => started() >= 8, 'at least 8 requests in the handler');
    const exited = once(app.child, 'exit');
    app.child.kill('SIGTERM');
    const outcomes = await Promise.all(results);
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    // After the app is gone, nginx answers 502 at once.
    const after = await Promise.all(Array.from({ length: 4 }, (_, id) => get(nginx.port, agent, 100 + id)));
    expect(after).toEqual(['502', '502', '502', '502']);
    for (const outcome of outcomes) expect(outcome).toMatch(/^(200 done|502)$/);
    const counters = JSON.parse(app.output().trim().split('\n').at(-1) ?? '{}') as { started: number; finished: number };
    const done = outcomes.filter((outcome) => outcome === '200 done').length;
    // Every request the handler started was finished and reached the HTTP client whole; at least the 8 seen before SIGTERM.
    expect(counters.started).toBe(counters.finished);
    expect(done).toBe(counters.finished);
    expect(done).toBeGreaterThanOrEqual(8);
  }, 60_000);
});
