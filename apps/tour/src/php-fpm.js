// Starts a php-fpm pool of its own: config rendered from config/php-fpm.conf into a
// temporary run directory, a Unix socket there, nothing read from /etc/php.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRunDirectory, renderTemplate, startProcess } from '@fcgi/app-support/processes';

const poolTemplate = new URL('../config/php-fpm.conf', import.meta.url);
const iniFile = new URL('../config/php.ini', import.meta.url);

/**
 * Starts `php-fpm -F -p RUN -y RUN/php-fpm.conf -c RUN/php.ini` and waits for its socket.
 * As root, php-fpm refuses to run workers as root unless given `-R`, so the tour passes it
 * then (on a real host, set `user`/`group` in the pool instead).
 *
 * @example
 * const php = await startPhpFpm({ command: '/usr/sbin/php-fpm8.2', maxChildren: 2 });
 * php.address; // 'unix:/tmp/fcgi-tour-php-XXXX/php-fpm.sock'
 * await php.stop();
 * @param {{ command: string, maxChildren: number }} options
 */
export async function startPhpFpm(options) {
  const run = await createRunDirectory('fcgi-tour-php-');
  const runDirectory = run.path;
  const socketPath = join(runDirectory, 'php-fpm.sock');
  let running;
  try {
    const configPath = join(runDirectory, 'php-fpm.conf');
    await writeFile(configPath, await renderTemplate(poolTemplate, { RUN_DIRECTORY: runDirectory, SOCKET_PATH: socketPath, MAX_CHILDREN: options.maxChildren }));
    await writeFile(join(runDirectory, 'php.ini'), await readFile(iniFile));
    const asRoot = process.getuid?.() === 0 ? ['-R'] : [];
    running = await startProcess({
      name: 'php-fpm',
      command: options.command,
      args: ['-F', ...asRoot, '-p', runDirectory, '-y', configPath, '-c', join(runDirectory, 'php.ini')],
      address: { path: socketPath },
      environment: { PHP_INI_SCAN_DIR: '' },
      stopSignal: 'SIGQUIT', // graceful: workers finish their requests
    });
  } catch (error) {
    await run.remove();
    throw error;
  }
  return {
    address: `unix:${socketPath}`,
    runDirectory,
    pid: running.pid,
    stop: async () => {
      await running.stop();
      await run.remove();
    },
  };
}
