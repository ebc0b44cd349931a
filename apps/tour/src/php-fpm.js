// Starts a php-fpm pool of its own: config rendered from config/php-fpm.conf into a
// temporary run directory, a Unix socket there, nothing read from /etc/php.
import { startPhpFpmOnSocket } from '@fcgi/app-support/php-fpm';

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
export function startPhpFpm(options) {
  return startPhpFpmOnSocket({ command: options.command, prefix: 'fcgi-tour-php-', poolTemplate, iniFile, maxChildren: options.maxChildren });
}
