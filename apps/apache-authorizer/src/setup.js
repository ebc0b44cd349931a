// The whole setup: the Node FastCGI app (authorizer + protected API) on a loopback port,
// then Apache, lighttpd, or both in front of it.
import { once } from 'node:events';
import { createServer as createNetServer } from 'node:net';
import { findPeer } from '@fcgi/app-support/processes';
import { createAuthServer } from './auth-app.js';
import { startApache } from './apache.js';
import { startLighttpd } from './lighttpd.js';

/** The web servers this app can put in front, with the executables that run them. */
export const webServers = { apache: ['apache2', 'httpd'], lighttpd: ['lighttpd'] };

/** A free TCP port on 127.0.0.1 (the web servers need a number in their config, not port 0). */
async function freePort() {
  const probe = createNetServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * Which web servers to start for a choice of `apache`, `lighttpd`, `both`, or `auto` (every
 * one that is installed and not hidden by FCGI_HIDE_PEERS). An explicit choice of a missing
 * server, or `auto` with none installed, is an error that says why.
 *
 * @example
 * chooseServers('both'); // ['apache', 'lighttpd']
 * @param {string} choice
 * @returns {('apache' | 'lighttpd')[]}
 */
export function chooseServers(choice) {
  if (!['apache', 'lighttpd', 'both', 'auto'].includes(choice)) throw new Error(`unknown web server '${choice}': choose apache, lighttpd, both or auto`);
  const names = choice === 'both' || choice === 'auto' ? ['apache', 'lighttpd'] : [choice];
  const found = names.map((name) => ({ name, ...findPeer(name, webServers[name]) }));
  const installed = found.filter((server) => server.path !== undefined).map((server) => server.name);
  const reasons = found.filter((server) => server.path === undefined).map((server) => server.reason);
  if (choice === 'auto' ? installed.length === 0 : reasons.length > 0) throw new Error(reasons.join('; '));
  return installed;
}

/**
 * Starts the Node app, then each web server asked for; `stop()` stops them all.
 *
 * @example
 * const setup = await startSetup({ servers: ['apache', 'lighttpd'], port: 8081, lighttpdPort: 8083, appPort: 9001 });
 * console.log(setup.apache.url, setup.lighttpd.url); // 'http://127.0.0.1:8081' 'http://127.0.0.1:8083'
 * await setup.stop();
 * @param {{ servers?: ('apache' | 'lighttpd')[], port?: number, lighttpdPort?: number, appPort?: number, log?: (line: string) => void }} [options]
 */
export async function startSetup(options = {}) {
  const servers = options.servers ?? ['apache'];
  const app = createAuthServer({ log: options.log });
  app.listen(options.appPort ?? 0, '127.0.0.1');
  await once(app, 'listening');
  const nodeApp = { host: '127.0.0.1', port: app.address().port };
  const closeApp = () => {
    app.closeAllConnections();
    return new Promise((resolve) => app.close(() => resolve()));
  };
  const running = {};
  const stopAll = async () => {
    for (const server of Object.values(running)) await server.stop();
    await closeApp();
  };
  try {
    if (servers.includes('apache')) running.apache = await startApache({ port: options.port || (await freePort()), nodeApp });
    if (servers.includes('lighttpd')) running.lighttpd = await startLighttpd({ port: options.lighttpdPort || (await freePort()), nodeApp });
  } catch (error) {
    await stopAll();
    throw error;
  }
  return {
    url: (running.apache ?? running.lighttpd).url,
    nodeApp,
    apache: running.apache,
    lighttpd: running.lighttpd,
    app,
    stop: stopAll,
  };
}
