// Starts lighttpd with config/lighttpd.conf rendered into a temporary run directory.
import { join } from 'node:path';
import { findBinary, startFromTemplate } from '@fcgi/app-support/processes';
import { publicDirectory } from './apache.js';

const configTemplate = new URL('../config/lighttpd.conf', import.meta.url);

/**
 * Starts `lighttpd -D -f RUN/lighttpd.conf` (foreground, nothing read from /etc/lighttpd) and
 * waits until its port accepts connections.
 *
 * @example
 * const lighttpd = await startLighttpd({ port: 8083, nodeApp: { host: '127.0.0.1', port: 9001 } });
 * await lighttpd.stop();
 * @param {{ host?: string, port: number, nodeApp: { host: string, port: number } }} options
 */
export async function startLighttpd(options) {
  const command = findBinary(['lighttpd']);
  if (command === undefined) throw new Error('lighttpd is not installed (apt-get install lighttpd)');
  const host = options.host ?? '127.0.0.1';
  const started = await startFromTemplate({
    name: 'lighttpd',
    command,
    prefix: 'lighttpd-authorizer-',
    template: configTemplate,
    configName: 'lighttpd.conf',
    values: () => ({ HOST: host, PORT: options.port, PUBLIC_DIRECTORY: publicDirectory, NODE_HOST: options.nodeApp.host, NODE_PORT: options.nodeApp.port }),
    args: (_runDirectory, configPath) => ['-D', '-f', configPath],
    address: { host, port: options.port },
    stopSignal: 'SIGTERM',
  });
  return { ...started, url: `http://${host}:${options.port}`, errorLog: join(started.runDirectory, 'error.log') };
}
