/**
 * `@fcgi/harness/vitest`: the harness's test helpers bound to vitest's `it`, `beforeAll`
 * and `afterAll`. (With jest or node:test, use `conformanceTests`, `useMockBackend`,
 * `useNginx`, `usePhpFpm` and `usePeer` from `@fcgi/harness` and pass your runner's
 * functions.)
 *
 * @example
 * ```ts
 * import { describe } from 'vitest';
 * import { conformanceSuite, mockBackend, nginx, phpFpm } from '@fcgi/harness/vitest';
 * describe('my app', () => conformanceSuite('127.0.0.1:9000'));
 * ```
 *
 * @module
 */
import type { HttpPeer, NginxOptions, PeerName, PhpFpmOptions, PhpFpmPeer, RunningPeer } from '@fcgi/peers';
import { afterAll, beforeAll, beforeEach, it } from 'vitest';
import type { ConformanceOptions } from './conformance.js';
import type { MockBackend } from './mock-backend.js';
import type { MockScript } from './mock-script.js';
import { type PeerHandle, type PeerOptions, useNginx, usePeer, usePhpFpm } from './peer-helpers.js';
import { type LifecycleHooks, conformanceTests, useMockBackend } from './test-helpers.js';

/** Starting a real peer can take a while on a loaded machine (its own readiness timeout is 15 s, with up to 3 port attempts). */
const peerStartTimeout = 60_000;
/** Stopping waits up to 5 s for SIGTERM before SIGKILL. */
const peerStopTimeout = 30_000;

const peerHooks: LifecycleHooks = {
  beforeAll: (body) => beforeAll(body, peerStartTimeout),
  afterAll: (body) => afterAll(body, peerStopTimeout),
};

/** Skips every test of the current scope, with the reason, while the peer is unavailable. */
function skipWhenMissing<Peer extends RunningPeer>(handle: PeerHandle<Peer>): PeerHandle<Peer> {
  beforeEach((context) => {
    if (!handle.available) context.skip(handle.reason);
  });
  return handle;
}

/**
 * Registers one vitest test per conformance check against the app at `address` (or a
 * function giving it, read when the tests run).
 *
 * @example
 * ```ts
 * describe('conformance', () => conformanceSuite(() => app.address, { skip: ['abort-request'] }));
 * ```
 */
export function conformanceSuite(address: string | (() => string), options: ConformanceOptions = {}): void {
  conformanceTests(it, address, options);
}

/**
 * Starts a mock backend in `beforeAll`, closes it in `afterAll`; call the result inside
 * a test to get it.
 *
 * @example
 * ```ts
 * const backend = mockBackend({ respond: { body: 'hi' } });
 * it('works', async () => { const client = new Client({ address: backend().address }); });
 * ```
 */
export function mockBackend(script: MockScript = {}): () => MockBackend {
  return useMockBackend({ beforeAll, afterAll }, script);
}

/**
 * Real nginx for the tests of the current file or `describe`: started in `beforeAll` with
 * `startNginx`'s options (or a function returning them, called then, e.g. to read a peer
 * started before), stopped in `afterAll`; call the result inside a test. When nginx (or a
 * peer its options read) is missing, every test of that scope is skipped with the reason;
 * under `FCGI_REQUIRE_PEERS=1` the file fails instead (`PeerMissingError`).
 *
 * @example
 * ```ts
 * const php = phpFpm({ files: { 'index.php': '<?php echo "hi";' } });
 * const web = nginx(() => ({ upstream: php(), keepConn: true }));
 * it('runs PHP behind nginx', async () => {
 *   expect(await (await fetch(`${web().url}/index.php`)).text()).toBe('hi');
 * });
 * ```
 */
export function nginx(options: PeerOptions<NginxOptions> = {}): PeerHandle<HttpPeer> {
  return skipWhenMissing(useNginx(peerHooks, options));
}

/**
 * Real php-fpm for the tests of the current file or `describe`: started in `beforeAll` with
 * `startPhpFpm`'s options (`children`, `files`, `listen`, `documentRoot`...), stopped in
 * `afterAll`; call the result inside a test. Missing php-fpm: the tests of that scope are
 * skipped with the reason, or the file fails under `FCGI_REQUIRE_PEERS=1`.
 *
 * @example
 * ```ts
 * const php = phpFpm({ children: 2, files: { 'index.php': '<?php echo PHP_VERSION;' } });
 * it('answers over FastCGI', async () => {
 *   const result = await inject(php().address, { params: { SCRIPT_FILENAME: `${php().documentRoot}/index.php` } });
 * });
 * ```
 */
export function phpFpm(options: PeerOptions<PhpFpmOptions> = {}): PeerHandle<PhpFpmPeer> {
  return skipWhenMissing(usePhpFpm(peerHooks, options));
}

/**
 * Any other real peer (Apache, lighttpd, HAProxy, your own launcher) with the same lifecycle
 * and skip rules as {@link nginx}: `names` are the binaries it needs, `start` starts it.
 *
 * @example
 * ```ts
 * import { startApache } from '@fcgi/peers';
 * const apache = realPeer(['apache'], () => startApache({ config: 'ProxyPass "/" "fcgi://127.0.0.1:9000/"' }));
 * it('answers', async () => { await fetch(apache().url); });
 * ```
 */
export function realPeer<Peer extends RunningPeer>(names: readonly PeerName[], start: () => Promise<Peer>): PeerHandle<Peer> {
  return skipWhenMissing(usePeer(peerHooks, names, start));
}
