// Without external programs: the Node gateway's BalancedClient over three copies of the
// Node app (`fcgi serve`), and the start script's answer when its front is missing.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackends } from '../src/backends.js';
import { countBackends, formatCounts } from '../src/distribution.js';
import { startGateway } from '../src/gateway.js';

const mainScript = fileURLToPath(new URL('../src/main.js', import.meta.url));

describe('the Node gateway balancing over three fcgi serve copies of the app', () => {
  let backends: Awaited<ReturnType<typeof startBackends>> = [];
  let gateway: Awaited<ReturnType<typeof startGateway>> | undefined;

  beforeAll(async () => {
    backends = await startBackends(3);
    gateway = await startGateway({ pools: backends, connectionsPerPool: 4 });
  }, 60_000);

  afterAll(async () => {
    await gateway?.stop();
    await Promise.all(backends.map((backend) => backend.stop()));
  }, 30_000);

  it('deals 30 requests round robin: 10 to each copy', async () => {
    const { counts, failed } = await countBackends(`${gateway!.url}/`, 30);
    expect(failed).toBe(0);
    expect(Object.fromEntries(counts)).toEqual({ 'app-1': 10, 'app-2': 10, 'app-3': 10 });
    expect(formatCounts(backends, counts)[0]).toMatch(/^ {2}app-1 +127\.0\.0\.1:\d+ +10 {2}#{10}$/);
  });

  it('fails over when a copy stops: every request answered, none by the stopped one', async () => {
    await backends[1]!.stop();
    const { counts, failed } = await countBackends(`${gateway!.url}/`, 30);
    expect(failed).toBe(0);
    expect(counts.has('app-2')).toBe(false);
    expect((counts.get('app-1') ?? 0) + (counts.get('app-3') ?? 0)).toBe(30);
    expect(gateway!.client.stats[1]!.down).toBe(true); // passive health took it out
  });
});

describe('the start script without its front', () => {
  it('says in one line that nginx is missing and exits 1', async () => {
    const child = spawn(process.execPath, [mainScript, '--once'], { env: { ...process.env, FCGI_HIDE_PEERS: 'nginx' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let errors = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
    const exited = once(child, 'exit');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    try {
      expect(await exited).toEqual([1, null]);
      expect(errors).toBe('scale-out: nginx is hidden by FCGI_HIDE_PEERS\n');
    } finally {
      clearTimeout(timer);
    }
  }, 40_000);
});
