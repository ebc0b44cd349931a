// Starts a php-fpm pool of its own: config rendered from config/php-fpm.conf into a
// temporary run directory, a Unix socket there, nothing read from /etc/php.
import { join } from 'node:path';
import { startPhpFpmPool } from '@fcgi/app-support/php-fpm';

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
  const socketPath = (runDirectory) => join(runDirectory, 'php-fpm.sock');
  const pool = await startPhpFpmPool({
    command: options.command,
    prefix: 'fcgi-tour-php-',
    poolTemplate,
    iniFile,
    listen: (runDirectory) => ({ path: socketPath(runDirectory) }),
    values: (runDirectory) => ({ SOCKET_PATH: socketPath(runDirectory), MAX_CHILDREN: options.maxChildren }),
  });
  return { ...pool, address: `unix:${socketPath(pool.runDirectory)}` };
}
