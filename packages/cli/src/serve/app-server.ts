/**
 * One serving process: the app loaded, an @fcgi/server listening, and a graceful drain.
 * Used as is without `--workers`, and by each worker with it.
 *
 * @module
 */
import { fstatSync } from 'node:fs';
import { type Server as NetServer, createServer as createNetServer } from 'node:net';
import { type FastCgiServer, FastCgiServerError, ServerErrorCode, type ServerOptions, createServer } from '@fcgi/server';
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
  /** Stops accepting, then drains within `grace` ms; resolves to false when requests were aborted. */
  stop(grace: number): Promise<boolean>;
}

/**
 * How long a worker keeps its accepted connections after it stopped accepting, before
 * closing those still idle: a connection the cluster handed over just before has its first
 * request on the way, and must not be closed unanswered.
 */
export const HANDOFF_SETTLE = 100;

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
  const { server, kind } = await prepare(config, cwd, onRequest);
  await listen(server, config);
  return { server, kind, address: boundAddress(server, config), stop: (grace) => drain(server, grace) };
}

async function prepare(config: ServeConfig, cwd: string, onRequest: () => void): Promise<{ server: FastCgiServer; kind: ServedApp['kind'] }> {
  const app = await loadApp(config.module, cwd);
  if (app.kind !== 'fetch handler' && app.ready !== undefined) await app.ready();
  const server = createAppServer(app, { closeTimeout: config.grace, idleTimeout: config.idleTimeout }, onRequest);
  server.on('requestError', (error) => console.error(`fcgi serve: ${error.message}${error.cause instanceof Error ? `: ${error.cause.message}` : ''}`));
  server.on('connectionError', (error) => console.error(`fcgi serve: ${error.code}: ${error.message}`));
  return { server, kind: app.kind };
}

function listenShared(net: NetServer, config: ServeConfig): Promise<void> {
  const { listen: target } = config;
  if (target.kind === 'spawned' && !isSocket(0)) {
    return Promise.reject(new FastCgiServerError(ServerErrorCode.NotSpawned, 'fd 0 is not a listening socket (FCGI_LISTENSOCK_FILENO); give --listen ADDRESS'));
  }
  return new Promise((resolve, reject) => {
    net.once('error', (error: NodeJS.ErrnoException) => reject(new FastCgiServerError(error.code === 'EADDRINUSE' ? ServerErrorCode.AddressInUse : ServerErrorCode.ListenFailed, `cannot listen on ${describeTarget(target)}: ${error.message}`, { cause: error })));
    const ready = (): void => resolve();
    if (target.kind === 'tcp') net.listen({ port: target.port, host: target.host }, ready);
    else if (target.kind === 'unix') net.listen({ path: target.path }, ready);
    else net.listen({ fd: 0 }, ready);
  });
}

function isSocket(fd: number): boolean {
  try {
    return fstatSync(fd).isSocket();
  } catch {
    return false;
  }
}

/**
 * A worker's server: the same app server, fed by a listener the cluster shares among the
 * workers (`serveConnection` for each accepted socket). Stopping closes that listener
 * first and waits HANDOFF_SETTLE ms before draining, so no connection handed over at
 * that moment is closed unanswered.
 *
 * @example
 * ```ts
 * const running = await startSharedAppServer(config, process.cwd(), () => (served += 1));
 * ```
 */
export async function startSharedAppServer(config: ServeConfig, cwd: string, onRequest: () => void): Promise<RunningApp> {
  const { server, kind } = await prepare(config, cwd, onRequest);
  const net = createNetServer((socket) => server.serveConnection(socket));
  await listenShared(net, config);
  const bound = net.address();
  const address = config.listen.kind === 'tcp' && typeof bound === 'object' && bound !== null ? (bound.address.includes(':') ? `[${bound.address}]:${bound.port}` : `${bound.address}:${bound.port}`) : describeTarget(config.listen);
  const stop = async (grace: number): Promise<boolean> => {
    await new Promise((resolve) => net.close(resolve));
    await new Promise((resolve) => setTimeout(resolve, HANDOFF_SETTLE));
    return drain(server, grace);
  };
  return { server, kind, address, stop };
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
    if (server.connectionCount === 0 && !server.listening) return resolve(true);
    let forced = false;
    const timer = setTimeout(() => (forced = true), grace);
    server.close(() => (clearTimeout(timer), resolve(!forced)));
    server.closeIdleConnections();
  });
}
