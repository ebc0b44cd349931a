// The whole setup: the Express app served over FastCGI by @fcgi/express on a loopback
// port, then nginx in front of it, or `fcgi gateway` (@fcgi/cli) when nginx is absent.
import { once } from 'node:events';
import { createServer as createNetServer } from 'node:net';
import { findPeer } from '@fcgi/app-support/processes';
import { serve } from '@fcgi/express';
import { createApp } from './express-app.js';
import { startGateway } from './gateway.js';
import { startNginx } from './nginx.js';

/** A free TCP port on 127.0.0.1 (nginx needs a number in its config, not port 0). */
async function freePort() {
  const probe = createNetServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * The HTTP front: nginx when it is installed (and not listed in FCGI_HIDE_PEERS), else
 * `fcgi gateway`, with the reason.
 */
async function startFront(port, appAddress) {
  const nginx = findPeer('nginx', ['nginx']);
  if (nginx.path !== undefined) {
    const started = await startNginx({ port, app: appAddress });
    return { name: 'nginx', reason: undefined, nginx: started, gateway: undefined, url: started.url, stop: started.stop };
  }
  const started = await startGateway({ port, app: appAddress });
  return { name: 'fcgi gateway', reason: nginx.reason, nginx: undefined, gateway: started, url: started.url, stop: started.stop };
}

/**
 * Serves the Express app over FastCGI, then starts nginx in front of it (or `fcgi gateway`
 * when nginx is missing: `front.name` and `front.reason` say which and why); `stop()` stops
 * both (the front first, then the app, gracefully).
 *
 * @example
 * const setup = await startSetup({ port: 8082, appPort: 9002 });
 * console.log(setup.url, setup.front.name); // 'http://127.0.0.1:8082' 'nginx'
 * await setup.stop();
 * @param {{ port?: number, appPort?: number }} [options]
 */
export async function startSetup(options = {}) {
  const app = createApp();
  // serve() runs the unmodified app on @fcgi/server: req/res are real node:http objects.
  const fastcgi = await serve(app, { listen: { port: options.appPort ?? 0, host: '127.0.0.1' } });
  const appAddress = { host: '127.0.0.1', port: fastcgi.address().port };
  const closeApp = () => new Promise((resolve) => fastcgi.close(() => resolve()));
  let front;
  try {
    front = await startFront(options.port || (await freePort()), appAddress);
  } catch (error) {
    await closeApp();
    throw error;
  }
  return {
    url: front.url,
    appAddress,
    fastcgi,
    front,
    nginx: front.nginx,
    stop: async () => {
      await front.stop();
      await closeApp();
    },
  };
}
