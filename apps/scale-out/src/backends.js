// N copies of the same FastCGI app (src/app.js), each its own `fcgi serve` process on its
// own loopback port: what several hosts running the app look like from the load balancer.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startProcess } from '@fcgi/app-support/processes';

const appModule = fileURLToPath(new URL('./app.js', import.meta.url));

/** The `fcgi` command of @fcgi/cli, as its package.json `bin` names it. */
function fcgiCommand() {
  const packageJson = fileURLToPath(import.meta.resolve('@fcgi/cli/package.json'));
  const { bin } = JSON.parse(readFileSync(packageJson, 'utf8'));
  return join(dirname(packageJson), bin.fcgi);
}

/**
 * Starts one copy: `fcgi serve src/app.js --listen 127.0.0.1:PORT`.
 *
 * @example
 * const backend = await startBackend({ name: 'app-1' });
 * backend.address; // '127.0.0.1:43121'
 * await backend.stop();
 * @param {{ name: string, port?: number }} options
 */
export async function startBackend(options) {
  const port = options.port ?? (await freePort());
  const address = `127.0.0.1:${port}`;
  const running = await startProcess({
    name: options.name,
    command: process.execPath,
    args: [fcgiCommand(), 'serve', appModule, '--listen', address, '--grace', '2000'],
    address: { host: '127.0.0.1', port },
    environment: { BACKEND_NAME: options.name, BACKEND_ADDRESS: address },
  });
  return { name: options.name, address, host: '127.0.0.1', port, pid: running.pid, stop: running.stop };
}

/**
 * Starts `count` copies named app-1, app-2, ...; stops those already started if one fails.
 *
 * @example
 * const backends = await startBackends(3);
 * await Promise.all(backends.map((backend) => backend.stop()));
 * @param {number} count
 */
export async function startBackends(count) {
  const backends = [];
  try {
    for (let index = 1; index <= count; index += 1) backends.push(await startBackend({ name: `app-${index}` }));
  } catch (error) {
    await Promise.all(backends.map((backend) => backend.stop()));
    throw error;
  }
  return backends;
}
