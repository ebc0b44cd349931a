// Starts Apache httpd with config/httpd.conf rendered into a temporary run directory.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findBinary, startFromTemplate } from '@fcgi/app-support/processes';

const configTemplate = new URL('../config/httpd.conf', import.meta.url);
/** The static files Apache serves; /private/ is protected. */
export const publicDirectory = fileURLToPath(new URL('../public', import.meta.url));
const moduleDirectory = process.env.APACHE_MODULES ?? '/usr/lib/apache2/modules';

/** As root, Apache runs its workers as another user (they must be able to read public/). */
function userAndGroup() {
  if (process.getuid?.() !== 0) return '';
  const hasWwwData = existsSync('/etc/passwd') && readFileSync('/etc/passwd', 'utf8').split('\n').some((line) => line.startsWith('www-data:'));
  return hasWwwData ? 'User www-data\nGroup www-data' : 'User nobody\nGroup nogroup';
}

/**
 * Starts `apache2 -d RUN -f RUN/httpd.conf -D FOREGROUND` (modules loaded by absolute path,
 * nothing read from /etc/apache2) and waits until its port accepts connections.
 *
 * @example
 * const apache = await startApache({ port: 8081, nodeApp: { host: '127.0.0.1', port: 9001 } });
 * await apache.stop();
 * @param {{ host?: string, port: number, nodeApp: { host: string, port: number } }} options
 */
export async function startApache(options) {
  const command = findBinary(['apache2', 'httpd']);
  if (command === undefined) throw new Error('Apache httpd is not installed (apt-get install apache2)');
  const host = options.host ?? '127.0.0.1';
  const started = await startFromTemplate({
    name: 'apache',
    command,
    prefix: 'apache-authorizer-',
    template: configTemplate,
    configName: 'httpd.conf',
    values: () => ({
      HOST: host, PORT: options.port, MODULES: moduleDirectory, USER_AND_GROUP: userAndGroup(),
      PUBLIC_DIRECTORY: publicDirectory, NODE_HOST: options.nodeApp.host, NODE_PORT: options.nodeApp.port,
    }),
    args: (runDirectory, configPath) => ['-d', runDirectory, '-f', configPath, '-D', 'FOREGROUND'],
    address: { host, port: options.port },
    stopSignal: 'SIGTERM',
  });
  return { ...started, url: `http://${host}:${options.port}`, accessLog: join(started.runDirectory, 'access.log'), errorLog: join(started.runDirectory, 'error.log') };
}
