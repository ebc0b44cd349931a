// Starts a php-fpm pool of its own: config rendered from config/php-fpm.conf into a
// temporary run directory, a Unix socket there, nothing read from /etc/php.
import { findBinary } from '@fcgi/app-support/processes';
import { startPhpFpmOnSocket } from '@fcgi/app-support/php-fpm';

const poolTemplate = new URL('../config/php-fpm.conf', import.meta.url);
const iniFile = new URL('../config/php.ini', import.meta.url);

/**
 * Starts `php-fpm -F -p RUN -y RUN/php-fpm.conf -c RUN/php.ini` and waits for its socket.
 * As root, php-fpm refuses to run workers as root unless given `-R`; this app passes it
 * (on a real host, set `user`/`group` in the pool instead).
 *
 * @example
 * const php = await startPhpFpm({ maxChildren: 4 });
 * php.address; // 'unix:/tmp/php-fpm-gateway-XXXX/php-fpm.sock'
 * await php.stop();
 * @param {{ maxChildren?: number }} [options]
 */
export function startPhpFpm(options = {}) {
  const command = findBinary(['php-fpm8.2', 'php-fpm']);
  if (command === undefined) return Promise.reject(new Error('php-fpm is not installed (apt-get install php8.2-fpm), or set PHP_FPM_ADDRESS to a running pool'));
  return startPhpFpmOnSocket({ command, prefix: 'php-fpm-gateway-', poolTemplate, iniFile, maxChildren: options.maxChildren ?? 4 });
}
