import { PeerMissingError, type RunningPeer } from '@fcgi/peers';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { useNginx, usePeer, usePhpFpm } from '../src/index.js';
import { nginx } from '../src/vitest.js';

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
  // Decided while the tests are collected, as a file using nginx() would be.
  vi.stubEnv('FCGI_REQUIRE_PEERS', '0');
  vi.stubEnv('FCGI_HIDE_PEERS', 'nginx');
  const web = nginx({ server: 'return 204;' });
  vi.unstubAllEnvs();

  it('skips the tests of its scope (this one fails if it runs)', () => {
    expect.unreachable(`ran although nginx is hidden: ${web.reason}`);
  });

  // vitest 4 reads the first hook argument as fixtures, so it must be a destructuring pattern.
  // eslint-disable-next-line no-empty-pattern
  afterAll(({}, suite) => {
    const test = suite.tasks[0];
    expect(test?.result?.state).toBe('skip');
    expect((test?.result as { note?: string } | undefined)?.note).toBe('skipped: nginx is hidden by FCGI_HIDE_PEERS');
  });
});
