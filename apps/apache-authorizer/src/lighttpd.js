// Starts lighttpd with config/lighttpd.conf rendered into a temporary run directory.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary, renderTemplate, startProcess } from '@fcgi/app-support/processes';
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
  const runDirectory = await mkdtemp(join(tmpdir(), 'lighttpd-authorizer-'));
  const configPath = join(runDirectory, 'lighttpd.conf');
  let running;
  try {
    const values = {
      RUN_DIRECTORY: runDirectory, HOST: host, PORT: options.port, PUBLIC_DIRECTORY: publicDirectory,
      NODE_HOST: options.nodeApp.host, NODE_PORT: options.nodeApp.port,
    };
    await writeFile(configPath, await renderTemplate(configTemplate, values));
    running = await startProcess({ name: 'lighttpd', command, args: ['-D', '-f', configPath], address: { host, port: options.port }, stopSignal: 'SIGTERM' });
  } catch (error) {
    await rm(runDirectory, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `http://${host}:${options.port}`,
    runDirectory,
    errorLog: join(runDirectory, 'error.log'),
    pid: running.pid,
    output: running.output,
    stop: async () => {
      await running.stop();
      await rm(runDirectory, { recursive: true, force: true });
    },
  };
}
