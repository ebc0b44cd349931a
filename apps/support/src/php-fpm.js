// Starting a php-fpm pool of an app's own: its config rendered from the app's template
// into a temporary run directory, nothing read from /etc/php, stopped gracefully.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRunDirectory, renderTemplate, startProcess } from './processes.js';

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
 * @param {{ command: string, prefix: string, name?: string, poolTemplate: URL, iniFile: URL, listen: (runDirectory: string) => { path: string } | { host: string, port: number }, values: (runDirectory: string) => Record<string, string | number>, prepare?: (runDirectory: string) => Promise<void> }} options
 * @returns {Promise<{ runDirectory: string, pid: number | undefined, output: () => string, stop: () => Promise<void> }>}
 */
export async function startPhpFpmPool(options) {
  const run = await createRunDirectory(options.prefix);
  const runDirectory = run.path;
  let running;
  try {
    await options.prepare?.(runDirectory);
    const configPath = join(runDirectory, 'php-fpm.conf');
    const iniPath = join(runDirectory, 'php.ini');
    await writeFile(configPath, await renderTemplate(options.poolTemplate, { RUN_DIRECTORY: runDirectory, ...options.values(runDirectory) }));
    await writeFile(iniPath, await readFile(options.iniFile));
    const asRoot = process.getuid?.() === 0 ? ['-R'] : [];
    running = await startProcess({
      name: options.name ?? 'php-fpm',
      command: options.command,
      args: ['-F', ...asRoot, '-p', runDirectory, '-y', configPath, '-c', iniPath],
      address: options.listen(runDirectory),
      environment: { PHP_INI_SCAN_DIR: '' },
      stopSignal: 'SIGQUIT',
    });
  } catch (error) {
    await run.remove();
    throw error;
  }
  return {
    runDirectory,
    pid: running.pid,
    output: running.output,
    stop: async () => {
      await running.stop();
      await run.remove();
    },
  };
}
