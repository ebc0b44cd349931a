import { PeerMissingError, type RunningPeer } from '@fcgi/peers';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useNginx, usePeer, usePhpFpm } from '../src/index.js';

interface VitestJsonReport {
  success: boolean;
  numTotalTests: number;
  numPendingTests: number;
  testResults: Array<{ message?: string; assertionResults: Array<{ status: string }> }>;
}

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const vitestBin = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));

/** Runs one fixture file in a child vitest with `env` added, and returns its JSON report. */
function runFixture(file: string, env: Record<string, string>): Promise<VitestJsonReport> {
  const childEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST')));
  return new Promise((resolve, reject) => {
    const args = [vitestBin, 'run', file, '--config', 'vitest.config.mjs', '--reporter=json'];
    execFile(process.execPath, args, { cwd: fixtures, env: { ...childEnv, ...env }, timeout: 60_000 }, (error, stdout) => {
      const start = stdout.indexOf('{');
      if (start < 0) return reject(error ?? new Error(`no JSON report from vitest: ${stdout}`));
      resolve(JSON.parse(stdout.slice(start)) as VitestJsonReport);
    });
  });
}

/** Hooks that record what the helper registered, to run them by hand. */
function recordingHooks(): { beforeAll(body: () => Promise<void>): void; afterAll(body: () => Promise<void>): void; before: Array<() => Promise<void>>; after: Array<() => Promise<void>> } {
  const before: Array<() => Promise<void>> = [];
  const after: Array<() => Promise<void>> = [];
  return { before, after, beforeAll: (body) => before.push(body), afterAll: (body) => after.push(body) };
}

function fakePeer(): RunningPeer & { stops: number } {
  const peer = { name: 'fake', pid: 1, runDirectory: '/nonexistent', configPath: '/nonexistent/conf', stops: 0, logs: () => '', stop: () => {
    peer.stops += 1;
    return Promise.resolve();
  } };
  return peer;
}

describe('real-peer helpers when a binary is missing (FCGI_HIDE_PEERS)', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('useNginx: unavailable with the reason, nothing started, the getter throws PeerMissingError', async () => {
    vi.stubEnv('FCGI_REQUIRE_PEERS', '0');
    vi.stubEnv('FCGI_HIDE_PEERS', 'nginx');
    const hooks = recordingHooks();
    const web = useNginx(hooks, { upstream: '127.0.0.1:9000' });
    expect(web.available).toBe(false);
    expect(web.reason).toBe('skipped: nginx is hidden by FCGI_HIDE_PEERS');
    for (const body of hooks.before) await body();
    expect(() => web()).toThrow(PeerMissingError);
    expect(() => web()).toThrow('Cannot use nginx: nginx is hidden by FCGI_HIDE_PEERS (the nginx binary, Debian package nginx)');
    for (const body of hooks.after) await body();
  });

  it('under FCGI_REQUIRE_PEERS=1 the helper throws at once, so the test file fails', () => {
    vi.stubEnv('FCGI_REQUIRE_PEERS', '1');
    vi.stubEnv('FCGI_HIDE_PEERS', 'php-fpm');
    expect(() => usePhpFpm(recordingHooks(), { children: 2 })).toThrow(PeerMissingError);
  });

  it('a peer whose options read a missing peer becomes unavailable in beforeAll, instead of failing', async () => {
    vi.stubEnv('FCGI_REQUIRE_PEERS', '0');
    vi.stubEnv('FCGI_HIDE_PEERS', 'php-fpm');
    const hooks = recordingHooks();
    const php = usePhpFpm(hooks);
    const front = usePeer(hooks, [], () => {
      php(); // throws PeerMissingError: php-fpm is hidden
      return Promise.resolve(fakePeer());
    });
    expect(front.available).toBe(true);
    for (const body of hooks.before) await body();
    expect(front.available).toBe(false);
    expect(front.reason).toMatch(/^skipped: Cannot use php-fpm: php-fpm is hidden by FCGI_HIDE_PEERS/);
  });

  it('the same dependency failure fails beforeAll under FCGI_REQUIRE_PEERS=1', async () => {
    vi.stubEnv('FCGI_REQUIRE_PEERS', '0');
    vi.stubEnv('FCGI_HIDE_PEERS', 'php-fpm');
    const hooks = recordingHooks();
    const php = usePhpFpm(hooks);
    usePeer(hooks, [], () => {
      php();
      return Promise.resolve(fakePeer());
    });
    vi.stubEnv('FCGI_REQUIRE_PEERS', '1');
    await hooks.before[0]!();
    await expect(hooks.before[1]!()).rejects.toBeInstanceOf(PeerMissingError);
  });
});

describe('usePeer lifecycle', () => {
  it('starts in beforeAll, stops in afterAll, and refuses to be read before beforeAll', async () => {
    const hooks = recordingHooks();
    const peer = fakePeer();
    const handle = usePeer(hooks, [], () => Promise.resolve(peer));
    expect(() => handle()).toThrow(expect.objectContaining({ code: 'ERR_FCGI_HARNESS_NOT_RUNNING' }));
    for (const body of hooks.before) await body();
    expect(handle()).toBe(peer);
    for (const body of hooks.after) await body();
    expect(peer.stops).toBe(1);
  });

  it('an error other than a missing peer fails beforeAll', async () => {
    const hooks = recordingHooks();
    usePeer(hooks, [], () => Promise.reject(new Error('bad config')));
    await expect(hooks.before[0]!()).rejects.toThrow('bad config');
    await hooks.after[0]!(); // nothing to stop
  });
});

describe('@fcgi/harness/vitest nginx() with nginx hidden', () => {
  it('skips the tests of its scope with the reason, in a real vitest run', async () => {
    const report = await runFixture('nginx-hidden.fixture.ts', { FCGI_HIDE_PEERS: 'nginx', FCGI_REQUIRE_PEERS: '0' });
    const test = report.testResults[0]?.assertionResults[0];
    expect(report.numTotalTests).toBe(1);
    expect(report.numPendingTests).toBe(1);
    expect(test?.status).toBe('skipped');
  });

  it('fails the file under FCGI_REQUIRE_PEERS=1', async () => {
    const report = await runFixture('nginx-hidden.fixture.ts', { FCGI_HIDE_PEERS: 'nginx', FCGI_REQUIRE_PEERS: '1' });
    expect(report.success).toBe(false);
    expect(report.testResults[0]?.message ?? '').toMatch(/nginx is hidden by FCGI_HIDE_PEERS/);
  });
});
