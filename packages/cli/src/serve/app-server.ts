/**
 * One serving process: the app loaded, an @fcgi/server listening, and a graceful drain.
 * Used as is without `--workers`, and by each worker with it.
 *
 * @module
 */
import { type FastCgiServer, type ServerOptions, createServer } from '@fcgi/server';
import { type ServedApp, loadApp } from './load-app.js';
import { type ServeConfig, describeTarget } from './serve-config.js';

/**
 * A running server and what it serves.
 *
 * @example
 * ```ts
 * const running = await startAppServer(config, process.cwd(), () => {});
 * console.log(running.kind, running.address);
 * ```
 */
export interface RunningApp {
  readonly server: FastCgiServer;
  /** What the module's default export was recognised as. */
  readonly kind: ServedApp['kind'];
  /** Where it listens, as printed. */
  readonly address: string;
}

function createAppServer(app: ServedApp, options: ServerOptions, onRequest: () => void): FastCgiServer {
  if (app.kind === 'fetch handler') {
    const { fetch } = app;
    return createServer({ ...options, fetch: (request, context) => (onRequest(), fetch(request, context)) });
  }
  const { listener } = app;
  return createServer(options, (req, res) => (onRequest(), listener(req, res)));
}

function listen(server: FastCgiServer, config: ServeConfig): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.once('listening', () => (server.off('error', reject), resolve()));
    const { listen: target } = config;
    if (target.kind === 'tcp') server.listen({ port: target.port, host: target.host });
    else if (target.kind === 'unix') server.listen({ path: target.path });
    else server.listen(); // --fd 0 and no --listen alike: spawned mode, fd 0 must be a listening socket
  });
}

function boundAddress(server: FastCgiServer, config: ServeConfig): string {
  const bound = server.address();
  if (config.listen.kind === 'tcp' && typeof bound === 'object' && bound !== null) {
    return bound.address.includes(':') ? `[${bound.address}]:${bound.port}` : `${bound.address}:${bound.port}`;
  }
  return describeTarget(config.listen);
}

/**
 * Loads the module, creates the server (`closeTimeout` = grace, `idleTimeout` as
 * configured) and listens. `onRequest` is called as each request reaches the app.
 *
 * @example
 * ```ts
 * const running = await startAppServer(config, process.cwd(), () => (served += 1));
 * ```
 */
export async function startAppServer(config: ServeConfig, cwd: string, onRequest: () => void): Promise<RunningApp> {
  const app = await loadApp(config.module, cwd);
  if (app.kind !== 'fetch handler' && app.ready !== undefined) await app.ready();
  const server = createAppServer(app, { closeTimeout: config.grace, idleTimeout: config.idleTimeout }, onRequest);
  server.on('requestError', (error) => console.error(`fcgi serve: ${error.message}${error.cause instanceof Error ? `: ${error.cause.message}` : ''}`));
  server.on('connectionError', (error) => console.error(`fcgi serve: ${error.code}: ${error.message}`));
  await listen(server, config);
  return { server, kind: app.kind, address: boundAddress(server, config) };
}

/**
 * Graceful stop: no new connections, idle kept connections closed at once, in-flight
 * requests given `grace` ms. Resolves to true when every request finished in time, false
 * when some had to be aborted.
 *
 * @example
 * ```ts
 * process.exitCode = (await drain(server, 10000)) ? 0 : 1;
 * ```
 */
export function drain(server: FastCgiServer, grace: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (!server.listening && server.connectionCount === 0) return resolve(true);
    let forced = false;
    const timer = setTimeout(() => (forced = true), grace);
    server.close(() => (clearTimeout(timer), resolve(!forced)));
    server.closeIdleConnections();
  });
}
