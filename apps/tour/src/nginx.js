// Starts nginx with config/nginx.conf rendered into a temporary run directory.
import { join } from 'node:path';
import { freePort, startFromTemplate } from '@fcgi/app-support/processes';

const configTemplate = new URL('../config/nginx.conf', import.meta.url);

/**
 * Starts `nginx -p RUN/ -c RUN/nginx.conf -e RUN/error.log` in the foreground on a free
 * loopback port and waits until it accepts connections.
 *
 * @example
 * const nginx = await startNginx({ command: '/usr/sbin/nginx', app: { host: '127.0.0.1', port: 9000 } });
 * await nginx.stop();
 * @param {{ command: string, app: { host: string, port: number } }} options
 */
export async function startNginx(options) {
  const host = '127.0.0.1';
  const port = await freePort();
  const started = await startFromTemplate({
    name: 'nginx',
    command: options.command,
    prefix: 'fcgi-tour-nginx-',
    template: configTemplate,
    configName: 'nginx.conf',
    values: () => ({ HOST: host, PORT: port, APP_HOST: options.app.host, APP_PORT: options.app.port }),
    args: (runDirectory, configPath) => ['-p', `${runDirectory}/`, '-c', configPath, '-e', join(runDirectory, 'error.log')],
    address: { host, port },
    stopSignal: 'SIGQUIT', // graceful: finish the requests in flight
  });
  return { ...started, url: `http://${host}:${port}` };
}
