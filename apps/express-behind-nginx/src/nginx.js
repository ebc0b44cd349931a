// Starts nginx with config/nginx.conf rendered into a temporary run directory.
import { join } from 'node:path';
import { findBinary, startFromTemplate } from '@fcgi/app-support/processes';

const configTemplate = new URL('../config/nginx.conf', import.meta.url);

/**
 * Starts `nginx -p RUN/ -c RUN/nginx.conf -e RUN/error.log` in the foreground and waits
 * until its port accepts connections.
 *
 * @example
 * const nginx = await startNginx({ port: 8082, app: { host: '127.0.0.1', port: 9002 } });
 * await nginx.stop();
 * @param {{ host?: string, port: number, app: { host: string, port: number } }} options
 */
export async function startNginx(options) {
  const command = findBinary(['nginx']);
  if (command === undefined) throw new Error('nginx is not installed (apt-get install nginx)');
  const host = options.host ?? '127.0.0.1';
  const started = await startFromTemplate({
    name: 'nginx',
    command,
    prefix: 'express-behind-nginx-',
    template: configTemplate,
    configName: 'nginx.conf',
    values: () => ({ HOST: host, PORT: options.port, APP_HOST: options.app.host, APP_PORT: options.app.port }),
    args: (runDirectory, configPath) => ['-p', `${runDirectory}/`, '-c', configPath, '-e', join(runDirectory, 'error.log')],
    address: { host, port: options.port },
    stopSignal: 'SIGQUIT', // graceful: finish the requests in flight
  });
  return { ...started, url: `http://${host}:${options.port}` };
}
