// Starts nginx with config/nginx.conf rendered into a temporary run directory.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRunDirectory, freePort, renderTemplate, startProcess } from '@fcgi/app-support/processes';

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
  const run = await createRunDirectory('fcgi-tour-nginx-');
  const runDirectory = run.path;
  const configPath = join(runDirectory, 'nginx.conf');
  let running;
  try {
    const values = { RUN_DIRECTORY: runDirectory, HOST: host, PORT: port, APP_HOST: options.app.host, APP_PORT: options.app.port };
    await writeFile(configPath, await renderTemplate(configTemplate, values));
    running = await startProcess({
      name: 'nginx',
      command: options.command,
      args: ['-p', `${runDirectory}/`, '-c', configPath, '-e', join(runDirectory, 'error.log')],
      address: { host, port },
      stopSignal: 'SIGQUIT', // graceful: finish the requests in flight
    });
  } catch (error) {
    await run.remove();
    throw error;
  }
  return {
    url: `http://${host}:${port}`,
    runDirectory,
    pid: running.pid,
    stop: async () => {
      await running.stop();
      await run.remove();
    },
  };
}
