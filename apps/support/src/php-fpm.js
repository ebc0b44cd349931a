// Starting a php-fpm pool of an app's own: its config rendered from the app's template
// into a temporary run directory, nothing read from /etc/php, stopped gracefully.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startFromTemplate } from './processes.js';

/**
 * Starts `php-fpm -F -p RUN -y RUN/php-fpm.conf -c RUN/php.ini` and waits until `address`
 * accepts connections. The pool template gets `{{RUN_DIRECTORY}}` plus `values`; php.ini
 * is copied as is. As root, php-fpm refuses to run workers as root unless given `-R`, so
 * it is passed then (on a real host, set `user`/`group` in the pool instead). `stop()`
 * sends SIGQUIT (workers finish their requests) and removes the run directory.
 *
 * @example
 * const php = await startPhpFpmPool({
 *   command: '/usr/sbin/php-fpm8.2', prefix: 'my-app-php-',
 *   poolTemplate: new URL('../config/php-fpm.conf', import.meta.url), iniFile: new URL('../config/php.ini', import.meta.url),
 *   listen: (run) => ({ path: `${run}/php-fpm.sock` }), values: (run) => ({ SOCKET_PATH: `${run}/php-fpm.sock`, MAX_CHILDREN: 4 }),
 * });
 * await php.stop();
 * @param {{ command: string, prefix: string, name?: string, poolTemplate: URL, iniFile: URL, listen: (runDirectory: string) => { path: string } | { host: string, port: number }, values: (runDirectory: string) => Record<string, string | number>, prepare?: (runDirectory: string) => Promise<unknown> }} options
 * @returns {Promise<{ runDirectory: string, pid: number | undefined, output: () => string, stop: () => Promise<void> }>}
 */
export function startPhpFpmPool(options) {
  const asRoot = process.getuid?.() === 0 ? ['-R'] : [];
  return startFromTemplate({
    name: options.name ?? 'php-fpm',
    command: options.command,
    prefix: options.prefix,
    template: options.poolTemplate,
    configName: 'php-fpm.conf',
    values: options.values,
    prepare: async (runDirectory) => {
      await options.prepare?.(runDirectory);
      await writeFile(join(runDirectory, 'php.ini'), await readFile(options.iniFile));
    },
    args: (runDirectory, configPath) => ['-F', ...asRoot, '-p', runDirectory, '-y', configPath, '-c', join(runDirectory, 'php.ini')],
    address: options.listen,
    environment: { PHP_INI_SCAN_DIR: '' },
    stopSignal: 'SIGQUIT',
  });
}

/**
 * {@link startPhpFpmPool} on a Unix socket in the run directory, the common case: the pool
 * template gets `{{SOCKET_PATH}}` and `{{MAX_CHILDREN}}`; the result adds `address`
 * (`unix:RUN/php-fpm.sock`) and `accessLog` (`RUN/access.log`).
 *
 * @example
 * const php = await startPhpFpmOnSocket({ command: '/usr/sbin/php-fpm8.2', prefix: 'my-app-php-', poolTemplate, iniFile, maxChildren: 4 });
 * php.address; // 'unix:/tmp/my-app-php-XXXX/php-fpm.sock'
 * await php.stop();
 * @param {{ command: string, prefix: string, poolTemplate: URL, iniFile: URL, maxChildren: number, prepare?: (runDirectory: string) => Promise<unknown> }} options
 */
export async function startPhpFpmOnSocket(options) {
  const socketPath = (runDirectory) => join(runDirectory, 'php-fpm.sock');
  const pool = await startPhpFpmPool({
    ...options,
    listen: (runDirectory) => ({ path: socketPath(runDirectory) }),
    values: (runDirectory) => ({ SOCKET_PATH: socketPath(runDirectory), MAX_CHILDREN: options.maxChildren }),
  });
  return { ...pool, address: `unix:${socketPath(pool.runDirectory)}`, accessLog: join(pool.runDirectory, 'access.log') };
}
