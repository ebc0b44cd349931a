/**
 * Real peers (nginx, php-fpm...) for the tests of a whole file or `describe`, from any test
 * runner: pass the runner's `beforeAll` / `afterAll`, get a function that returns the
 * running peer. The vitest forms are `nginx()` and `phpFpm()` of `@fcgi/harness/vitest`.
 *
 * @module
 */
import {
  type HttpPeer,
  type NginxOptions,
  type PeerBinary,
  type PeerName,
  type PhpFpmOptions,
  type PhpFpmPeer,
  type RunningPeer,
  PeerMissingError,
  peersRequired,
  requirePeers,
  startNginx,
  startPhpFpm,
} from '@fcgi/peers';
import { FastCgiHarnessError, HarnessErrorCode } from './errors.js';
import type { LifecycleHooks } from './test-helpers.js';

/**
 * What {@link usePeer}, {@link useNginx} and {@link usePhpFpm} return: call it inside a test
 * to get the running peer. `available` and `reason` say whether the peer could start: false
 * and `'skipped: nginx (nginx) not found ...'` when its binary is missing (found out when
 * the helper is called) or when a peer its options read is missing (found out in
 * `beforeAll`).
 *
 * @example
 * ```ts
 * const php: PeerHandle<PhpFpmPeer> = usePhpFpm({ beforeAll, afterAll }, { children: 2 });
 * test('runs PHP', (t) => {
 *   if (!php.available) return t.skip(php.reason);
 *   console.log(php().address);
 * });
 * ```
 */
export interface PeerHandle<Peer extends RunningPeer> {
  /** The running peer; throws `PeerMissingError` when it is missing, `ERR_FCGI_HARNESS_NOT_RUNNING` before `beforeAll` ran. */
  (): Peer;
  /** False when a binary the peer needs is missing (the tests using it should skip). */
  readonly available: boolean;
  /** `'skipped: <why>'` when not available, else empty. */
  readonly reason: string;
}

/**
 * Options given directly, or a function that returns them, called in `beforeAll` (so they
 * can read peers or servers started before, e.g. `() => ({ upstream: php() })`).
 *
 * @example
 * ```ts
 * const options: PeerOptions<NginxOptions> = () => ({ upstream: app.address, keepConn: true });
 * ```
 */
export type PeerOptions<Options> = Options | (() => Options);

function resolveOptions<Options extends object>(options: PeerOptions<Options>): Options {
  return typeof options === 'function' ? options() : options;
}

/**
 * Starts a peer with `start()` in `beforeAll` and stops it in `afterAll` (also when a test
 * failed). The binaries in `names` are looked up at once, as `requirePeers` does: missing
 * ones make the handle unavailable (skip the tests), or throw `PeerMissingError` under
 * `FCGI_REQUIRE_PEERS=1` (the test file fails). A `PeerMissingError` from `start()` itself
 * (a peer its options need is missing) also makes it unavailable, unless peers are required.
 *
 * @example
 * ```ts
 * import { startApache } from '@fcgi/peers';
 * const apache = usePeer({ beforeAll, afterAll }, ['apache'], () => startApache({ config: '...' }));
 * test('answers', async () => { await fetch(apache().url); });
 * ```
 */
export function usePeer<Peer extends RunningPeer>(hooks: LifecycleHooks, names: readonly PeerName[], start: () => Promise<Peer>): PeerHandle<Peer> {
  const requirement = requirePeers(...names);
  const absent = Object.values(requirement.binaries).filter((binary): binary is PeerBinary => binary !== undefined && !binary.available);
  let missing = absent.length === 0 ? undefined : new PeerMissingError(absent, `Cannot use ${names.join(', ')}`);
  let reason = requirement.reason;
  let running: Peer | undefined;
  hooks.beforeAll(async () => {
    if (missing !== undefined) return;
    try {
      running = await start();
    } catch (error) {
      if (!(error instanceof PeerMissingError) || peersRequired()) throw error;
      missing = error;
      reason = `skipped: ${error.message}`;
    }
  });
  hooks.afterAll(async () => {
    await running?.stop();
  });
  const handle = (): Peer => {
    if (missing !== undefined) throw missing;
    if (running === undefined) throw new FastCgiHarnessError(HarnessErrorCode.NotRunning, `${names.join(', ')} is not running: call the handle inside a test, after beforeAll`);
    return running;
  };
  return Object.defineProperties(handle, {
    available: { get: () => missing === undefined },
    reason: { get: () => reason },
  }) as PeerHandle<Peer>;
}

/**
 * Real nginx for the tests: started in `beforeAll` with {@link startNginx}'s options (or a
 * function returning them, called then), stopped in `afterAll`. See {@link usePeer} for what
 * a missing nginx does.
 *
 * @example
 * ```ts
 * const php = usePhpFpm({ beforeAll, afterAll }, { files: { 'index.php': '<?php echo "hi";' } });
 * const web = useNginx({ beforeAll, afterAll }, () => ({ upstream: php(), keepConn: true }));
 * test('PHP through nginx', async () => { await fetch(`${web().url}/index.php`); });
 * ```
 */
export function useNginx(hooks: LifecycleHooks, options: PeerOptions<NginxOptions> = {}): PeerHandle<HttpPeer> {
  return usePeer(hooks, ['nginx'], () => startNginx(resolveOptions(options)));
}

/**
 * Real php-fpm for the tests: started in `beforeAll` with {@link startPhpFpm}'s options
 * (`children`, `files`, `listen`...), stopped in `afterAll`. See {@link usePeer} for what a
 * missing php-fpm does.
 *
 * @example
 * ```ts
 * const php = usePhpFpm({ beforeAll, afterAll }, { children: 2, files: { 'index.php': '<?php echo 1;' } });
 * test('runs', async () => { await inject(php().address, { params: { SCRIPT_FILENAME: `${php().documentRoot}/index.php` } }); });
 * ```
 */
export function usePhpFpm(hooks: LifecycleHooks, options: PeerOptions<PhpFpmOptions> = {}): PeerHandle<PhpFpmPeer> {
  return usePeer(hooks, ['php-fpm'], () => startPhpFpm(resolveOptions(options)));
}
