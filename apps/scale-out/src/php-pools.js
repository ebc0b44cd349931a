// Several php-fpm pools, each its own php-fpm master on its own loopback port, all running
// the same site/: what several PHP hosts look like from the Node gateway.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findPeer, freePort, renderTemplate, startProcess } from '@fcgi/app-support/processes';

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
  const runDirectory = await mkdtemp(join(tmpdir(), `scale-out-${options.name}-`));
  let running;
  try {
    const configPath = join(runDirectory, 'php-fpm.conf');
    const values = { RUN_DIRECTORY: runDirectory, NAME: options.name, PORT: port, MAX_CHILDREN: options.maxChildren ?? 2 };
    await writeFile(configPath, await renderTemplate(poolTemplate, values));
    await writeFile(join(runDirectory, 'php.ini'), await readFile(iniFile));
    const asRoot = process.getuid?.() === 0 ? ['-R'] : [];
    running = await startProcess({
      name: `php-fpm ${options.name}`,
      command: options.command,
      args: ['-F', ...asRoot, '-p', runDirectory, '-y', configPath, '-c', join(runDirectory, 'php.ini')],
      address: { host: '127.0.0.1', port },
      environment: { PHP_INI_SCAN_DIR: '' },
      stopSignal: 'SIGQUIT', // graceful: workers finish their requests
    });
  } catch (error) {
    await rm(runDirectory, { recursive: true, force: true });
    throw error;
  }
  return {
    name: options.name,
    address: `127.0.0.1:${port}`,
    pid: running.pid,
    stop: async () => {
      await running.stop();
      await rm(runDirectory, { recursive: true, force: true });
    },
  };
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
