// The whole setup: the Node FastCGI app (authorizer + protected API) on a loopback port,
// then Apache in front of it.
import { once } from 'node:events';
import { createServer as createNetServer } from 'node:net';
import { createAuthServer } from './auth-app.js';
import { startApache } from './apache.js';

/** A free TCP port on 127.0.0.1 (Apache needs a number in its config, not port 0). */
async function freePort() {
  const probe = createNetServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * Starts the Node app, then Apache; `stop()` stops both.
 *
 * @example
 * const setup = await startSetup({ port: 8081, appPort: 9001 });
 * console.log(setup.url); // 'http://127.0.0.1:8081'
 * await setup.stop();
 * @param {{ port?: number, appPort?: number, log?: (line: string) => void }} [options]
 */
export async function startSetup(options = {}) {
  const app = createAuthServer({ log: options.log });
  app.listen(options.appPort ?? 0, '127.0.0.1');
  await once(app, 'listening');
  const nodeApp = { host: '127.0.0.1', port: app.address().port };
  const closeApp = () => {
    app.closeAllConnections();
    return new Promise((resolve) => app.close(() => resolve()));
  };
  let apache;
  try {
    apache = await startApache({ port: options.port || (await freePort()), nodeApp });
  } catch (error) {
    await closeApp();
    throw error;
  }
  return {
    url: apache.url,
    nodeApp,
    apache,
    app,
    stop: async () => {
      await apache.stop();
      await closeApp();
    },
  };
}
