// Several php-fpm pools, each its own php-fpm master on its own loopback port, all running
// the same site/: what several PHP hosts look like from the Node gateway.
import { fileURLToPath } from 'node:url';
import { startPhpFpmPool } from '@fcgi/app-support/php-fpm';
import { findPeer, freePort } from '@fcgi/app-support/processes';

/** The PHP app the pools run. */
export const siteDirectory = fileURLToPath(new URL('../site', import.meta.url));
const poolTemplate = new URL('../config/php-fpm.conf', import.meta.url);
const iniFile = new URL('../config/php.ini', import.meta.url);

/**
 * Starts one pool: `php-fpm -F -p RUN -y RUN/php-fpm.conf -c RUN/php.ini` listening on
 * 127.0.0.1:PORT (`-R` when run as root).
 *
 * @example
 * const pool = await startPhpPool({ command: '/usr/sbin/php-fpm8.2', name: 'pool-1' });
 * pool.address; // '127.0.0.1:43121'
 * await pool.stop();
 * @param {{ command: string, name: string, maxChildren?: number }} options
 */
export async function startPhpPool(options) {
  const port = await freePort();
  const pool = await startPhpFpmPool({
    command: options.command,
    prefix: `scale-out-${options.name}-`,
    name: `php-fpm ${options.name}`,
    poolTemplate,
    iniFile,
    listen: () => ({ host: '127.0.0.1', port }),
    values: () => ({ NAME: options.name, PORT: port, MAX_CHILDREN: options.maxChildren ?? 2 }),
  });
  return { name: options.name, address: `127.0.0.1:${port}`, pid: pool.pid, stop: pool.stop };
}

/**
 * Starts `count` pools named pool-1, pool-2, ...; stops those already started if one fails.
 *
 * @example
 * const pools = await startPhpPools(3, { maxChildren: 2 });
 * @param {number} count
 * @param {{ maxChildren?: number }} [options]
 */
export async function startPhpPools(count, options = {}) {
  const found = findPeer('php-fpm', ['php-fpm8.2', 'php-fpm']);
  if (found.path === undefined) throw new Error(`${found.reason}${found.reason.includes('not installed') ? ' (apt-get install php8.2-fpm)' : ''}`);
  const pools = [];
  try {
    for (let index = 1; index <= count; index += 1) pools.push(await startPhpPool({ command: found.path, name: `pool-${index}`, maxChildren: options.maxChildren }));
  } catch (error) {
    await Promise.all(pools.map((pool) => pool.stop()));
    throw error;
  }
  return pools;
}
