// Everything the tour runs: the Express app over FastCGI, a web server in front of it
// (nginx when installed, else the Node gateway), and php-fpm behind a Node gateway when
// php-fpm is installed. Each part that cannot start is replaced or skipped, and said so.
import { fileURLToPath } from 'node:url';
import { serve } from '@fcgi/express';
import { createApp, createAuthorizer } from './express-app.js';
import { startNginx } from './nginx.js';
import { startNodeGateway } from './node-gateway.js';
import { startPhpFpm } from './php-fpm.js';
import { findPeer } from '@fcgi/app-support/processes';

/** The folder of the tour's PHP page (php/hello.php). */
export const phpDirectory = fileURLToPath(new URL('../php/', import.meta.url));

const host = '127.0.0.1';

/**
 * What {@link startStack} started.
 *
 * @typedef {object} Stack
 * @property {{ server: import('@fcgi/server').FastCgiServer, address: { host: string, port: number } }} app the Express app's FastCGI server
 * @property {{ kind: 'nginx' | 'gateway', url: string, description: string }} front the web server in front of the app
 * @property {{ url: string, address: string, description: string, skipped?: undefined } | { skipped: string, url?: undefined }} php the Node gateway in front of php-fpm, or why it was skipped
 * @property {string[]} notes what was replaced, and why
 * @property {() => Promise<void>} stop stops everything, in the reverse order of starting
 */

async function startApp(stack) {
  const server = await serve(createApp(), { listen: { port: 0, host }, authorizer: createAuthorizer(), closeTimeout: 3_000 });
  stack.stoppers.push(() => new Promise((resolve) => server.close(() => resolve())));
  stack.app = { server, address: { host, port: server.address().port } };
}

async function startFront(stack) {
  const upstream = stack.app.address;
  const nginx = findPeer('nginx', ['nginx']);
  if (nginx.path !== undefined) {
    try {
      const running = await startNginx({ command: nginx.path, app: upstream });
      stack.stoppers.push(running.stop);
      stack.front = { kind: 'nginx', url: running.url, description: `${nginx.path}, fastcgi_keep_conn on, config in ${running.runDirectory}` };
      return;
    } catch (error) {
      stack.notes.push(`nginx is installed but did not start, so the Node gateway stands in: ${firstLine(error)}`);
    }
  } else {
    stack.notes.push(`${nginx.reason}: the Node gateway (createGateway) stands in for it (apt-get install nginx to see nginx in front).`);
  }
  const gateway = await startNodeGateway({ upstream: { address: `${upstream.host}:${upstream.port}` } });
  stack.stoppers.push(gateway.stop);
  stack.front = { kind: 'gateway', url: gateway.url, description: 'createGateway from @fcgi/client on a node:http server' };
}

async function startPhp(stack, log) {
  const php = findPeer('php-fpm', ['php-fpm8.2', 'php-fpm']);
  if (php.path === undefined) {
    stack.php = { skipped: `${php.reason} (apt-get install php8.2-fpm to see PHP behind the Node gateway)` };
    return;
  }
  try {
    const maxChildren = 2;
    const pool = await startPhpFpm({ command: php.path, maxChildren });
    stack.stoppers.push(pool.stop);
    // php-fpm never multiplexes, and a kept connection pins a worker: one connection per worker.
    const gateway = await startNodeGateway({ upstream: { address: pool.address, connections: maxChildren }, documentRoot: phpDirectory, onStderr: (line) => log(`php: ${line}`) });
    stack.stoppers.push(gateway.stop);
    stack.php = { url: gateway.url, address: pool.address, description: `php-fpm (${php.path}) on ${pool.address}, pages from ${phpDirectory}` };
  } catch (error) {
    stack.php = { skipped: `php-fpm is installed but did not start: ${firstLine(error)}` };
  }
}

function firstLine(error) {
  return String(error instanceof Error ? error.message : error).split('\n')[0];
}

async function stopAll(stoppers) {
  for (const stop of stoppers.reverse()) await stop().catch((error) => console.error(`while stopping: ${firstLine(error)}`));
}

/**
 * Starts the whole stack on free loopback ports; `stop()` stops every part, in the reverse
 * order of starting. If a required part fails, what was already started is stopped before
 * the error is thrown.
 *
 * @example
 * const stack = await startStack();
 * console.log(stack.front.kind, stack.front.url); // 'nginx' 'http://127.0.0.1:41234'
 * await stack.stop();
 * @param {{ log?: (line: string) => void }} [options]
 * @returns {Promise<Stack>}
 */
export async function startStack(options = {}) {
  const log = options.log ?? (() => undefined);
  const stack = { app: undefined, front: undefined, php: undefined, notes: [], stoppers: [] };
  try {
    await startApp(stack);
    await startFront(stack);
    await startPhp(stack, log);
  } catch (error) {
    await stopAll(stack.stoppers);
    throw error;
  }
  let stopped;
  const stop = () => (stopped ??= stopAll(stack.stoppers));
  return { app: stack.app, front: stack.front, php: stack.php, notes: stack.notes, stop };
}
