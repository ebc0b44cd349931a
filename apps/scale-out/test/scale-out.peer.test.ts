// Load balancing on loopback with real peers: nginx `upstream` and HAProxy `fcgi-app` in
// front of three copies of the Node FastCGI app, and the Node gateway in front of three
// php-fpm pools. Each spreads requests over every backend and keeps answering when one
// backend is taken down.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { requirePeers } from '@fcgi/test-peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countBackends } from '../src/distribution.js';
import { startSetup } from '../src/setups.js';

type Front = 'nginx' | 'haproxy' | 'gateway';
const fronts: { front: Front; peers: ReturnType<typeof requirePeers> }[] = [
  { front: 'nginx', peers: requirePeers('nginx') },
  { front: 'haproxy', peers: requirePeers('haproxy') },
  { front: 'gateway', peers: requirePeers('php-fpm') },
];
const mainScript = fileURLToPath(new URL('../src/main.js', import.meta.url));
const measureScript = fileURLToPath(new URL('../src/measure.js', import.meta.url));

/** Runs a script of this app to its end (SIGKILL after 50 s); its exit code and output. */
async function runScript(script: string, args: string[]): Promise<{ code: number | null; output: string }> {
  const environment = { ...process.env };
  delete environment['FCGI_HIDE_PEERS'];
  const child = spawn(process.execPath, [script, ...args], { env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = once(child, 'exit');
  const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
  try {
    const [code] = (await exited) as [number | null];
    return { code, output };
  } finally {
    clearTimeout(timer);
  }
}

for (const { front, peers } of fronts) {
  describe.skipIf(!peers.available)(peers.title(`${front} in front of three backends`), () => {
    let setup: Awaited<ReturnType<typeof startSetup>> | undefined;

    beforeAll(async () => {
      setup = await startSetup({ front, backends: 3, port: 0 });
    });

    afterAll(async () => {
      await setup?.stop();
    });

    it('answers from a backend that names itself (name, address, pid)', async () => {
      const response = await fetch(`${setup!.url}/`, { signal: AbortSignal.timeout(10_000) });
      expect(response.status).toBe(200);
      const identity = response.headers.get('x-backend') ?? '';
      const backend = setup!.backends.find((candidate) => identity.startsWith(`${candidate.name} ${candidate.address} pid `));
      expect(backend, identity).toBeDefined();
      expect(await response.text()).toBe(`hello from ${identity}\n`);
    });

    it('spreads 30 requests over all three backends', async () => {
      const { counts, failed } = await countBackends(`${setup!.url}/`, 30);
      expect(failed).toBe(0);
      expect([...counts.keys()].sort()).toEqual(setup!.backends.map((backend) => backend.name).sort());
      expect([...counts.values()].reduce((sum, count) => sum + count, 0)).toBe(30);
    });

    it('keeps answering every request when one backend is taken down', async () => {
      const [first, second, third] = setup!.backends;
      await third!.stop();
      const { counts, failed } = await countBackends(`${setup!.url}/`, 30);
      expect(failed).toBe(0);
      expect(counts.has(third!.name)).toBe(false);
      expect(counts.get(first!.name)).toBeGreaterThan(0);
      expect(counts.get(second!.name)).toBeGreaterThan(0);
    });
  });
}

const nginx = fronts[0]!.peers;
describe.skipIf(!nginx.available)(nginx.title('the start and measure scripts'), () => {
  it('start --once prints the spread, takes a backend down, and exits 0 with no failed request', async () => {
    const { code, output } = await runScript(mainScript, ['--once', '--front', 'nginx', '--backends', '2']);
    expect(code, output).toBe(0);
    expect(output).toMatch(/^20 requests to http:\/\/127\.0\.0\.1:\d+\/, answered by:\n {2}app-1 +127\.0\.0\.1:\d+ +\d+ +#+\n {2}app-2 /m);
    expect(output).toContain('app-2 taken down; 20 more requests, answered by:');
    expect(output).toMatch(/^ {2}app-1 +127\.0\.0\.1:\d+ +20 /m);
    expect(output).toContain('failed: 0');
  });

  it('measure prints req/s for 1 backend and for N, and what more cores would change', async () => {
    const { code, output } = await runScript(measureScript, ['--backends', '2', '--seconds', '0.5', '--connections', '4']);
    expect(code, output).toBe(0);
    expect(output).toMatch(/^ +1 backend +\d+ req\/s +\(\d+ answered in [\d.]+ s, 0 failed, per backend \d+\)$/m);
    expect(output).toMatch(/^ +2 backends +\d+ req\/s +\(\d+ answered in [\d.]+ s, 0 failed, per backend \d+\/\d+\)$/m);
    expect(output).toMatch(/ratio 2 vs 1: [\d.]+x/);
    expect(output).toContain('More backends on the same cores add no CPU');
  });
});
