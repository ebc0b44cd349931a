// The three ways to grow past one backend this app shows, started the same way:
// nginx or HAProxy in front of N copies of the Node FastCGI app, or the Node gateway in
// front of N php-fpm pools.
import { startBackends } from './backends.js';
import { startFront } from './front.js';
import { startGateway } from './gateway.js';
import { startPhpPools } from './php-pools.js';

/** What each setup is, in one line, and the URL path that makes its backends work ~1 ms. */
export const setups = {
  nginx: { title: 'nginx upstream (keepalive, fastcgi_keep_conn) -> N x fcgi serve src/app.js', workPath: '/work' },
  haproxy: { title: 'HAProxy fcgi-app (keep-conn, mpxs-conns, http-reuse always) -> N x fcgi serve src/app.js', workPath: '/work' },
  gateway: { title: 'Node gateway (createGateway + BalancedClient) -> N x php-fpm pool', workPath: '/?work=1' },
};

/**
 * Starts the backends, then the front; `stop()` stops the front, then the backends.
 * `backends[i].stop()` takes one backend down (for the failover demo).
 *
 * @example
 * const setup = await startSetup({ front: 'nginx', backends: 3 });
 * console.log(setup.url, setup.backends.map((backend) => backend.address));
 * await setup.stop();
 * @param {{ front: 'nginx' | 'haproxy' | 'gateway', backends: number, port?: number }} options
 */
export async function startSetup(options) {
  if (!(options.front in setups)) throw new Error(`unknown front ${options.front}: nginx, haproxy or gateway`);
  const backends = options.front === 'gateway' ? await startPhpPools(options.backends) : await startBackends(options.backends);
  let front;
  try {
    front = options.front === 'gateway'
      ? await startGateway({ pools: backends, port: options.port })
      : await startFront(options.front, { backends, port: options.port });
  } catch (error) {
    await Promise.all(backends.map((backend) => backend.stop()));
    throw error;
  }
  return {
    ...setups[options.front],
    front,
    url: front.url,
    backends,
    stop: async () => {
      await front.stop();
      await Promise.all(backends.map((backend) => backend.stop()));
    },
  };
}
