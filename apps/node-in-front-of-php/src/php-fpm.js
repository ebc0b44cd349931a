// Starts a php-fpm pool of its own: config rendered from config/php-fpm.conf into a
// temporary run directory, a Unix socket there, nothing read from /etc/php.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderTemplate, startProcess } from '@fcgi/app-support/processes';

const poolTemplate = new URL('../config/php-fpm.conf', import.meta.url);
const iniFile = new URL('../config/php.ini', import.meta.url);

/**
 * Starts `php-fpm -F -p RUN -y RUN/php-fpm.conf -c RUN/php.ini` and waits for its socket.
 * As root, php-fpm refuses to run workers as root unless given `-R`; this app passes it
 * (on a real host, set `user`/`group` in the pool instead).
 *
 * @example
 * const php = await startPhpFpm({ command: '/usr/sbin/php-fpm8.2', maxChildren: 3 });
 * php.address; // 'unix:/tmp/node-in-front-of-php-XXXX/php-fpm.sock'
 * await php.stop();
 * @param {{ command: string, maxChildren?: number }} options
 */
export async function startPhpFpm(options) {
  const runDirectory = await mkdtemp(join(tmpdir(), 'node-in-front-of-php-'));
  const socketPath = join(runDirectory, 'php-fpm.sock');
  let running;
  try {
    await mkdir(join(runDirectory, 'sessions'));
    const configPath = join(runDirectory, 'php-fpm.conf');
    await writeFile(configPath, await renderTemplate(poolTemplate, { RUN_DIRECTORY: runDirectory, SOCKET_PATH: socketPath, MAX_CHILDREN: options.maxChildren ?? 3 }));
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
    await rm(runDirectory, { recursive: true, force: true });
    throw error;
  }
  return {
    address: `unix:${socketPath}`,
    runDirectory,
    accessLog: join(runDirectory, 'access.log'),
    pid: running.pid,
    stop: async () => {
      await running.stop();
      await rm(runDirectory, { recursive: true, force: true });
    },
  };
}
