// The whole setup: the Express app served over FastCGI by @fcgi/express on a loopback
// port, then nginx in front of it.
import { once } from 'node:events';
import { createServer as createNetServer } from 'node:net';
import { serve } from '@fcgi/express';
import { createApp } from './express-app.js';
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
 * Serves the Express app over FastCGI, then starts nginx; `stop()` stops both (nginx first,
 * then the app, gracefully).
 *
 * @example
 * const setup = await startSetup({ port: 8082, appPort: 9002 });
 * console.log(setup.url); // 'http://127.0.0.1:8082'
 * await setup.stop();
 * @param {{ port?: number, appPort?: number }} [options]
 */
export async function startSetup(options = {}) {
  const app = createApp();
  // serve() runs the unmodified app on @fcgi/server: req/res are real node:http objects.
  const fastcgi = await serve(app, { listen: { port: options.appPort ?? 0, host: '127.0.0.1' } });
  const appAddress = { host: '127.0.0.1', port: fastcgi.address().port };
  const closeApp = () => new Promise((resolve) => fastcgi.close(() => resolve()));
  let nginx;
  try {
    nginx = await startNginx({ port: options.port || (await freePort()), app: appAddress });
  } catch (error) {
    await closeApp();
    throw error;
  }
  return {
    url: nginx.url,
    appAddress,
    fastcgi,
    nginx,
    stop: async () => {
      await nginx.stop();
      await closeApp();
    },
  };
}
