/**
 * Running a Fastify instance over FastCGI with Fastify's own lifecycle: the server
 * factory gives Fastify a FastCGI server instead of an HTTP one, so `listen`, `ready`,
 * hooks and `close` (graceful) work as usual.
 *
 * @module
 */
import type { Server } from 'node:http';
import { type FastCgiServer, type RequestListener, type ServerOptions, createServer } from '@fcgi/server';

/**
 * The engine options of @fcgi/server (limits, timeouts, peer filter, multiplexing).
 *
 * @example
 * ```ts
 * const options: FastCgiServerOptions = { maxRequestsPerConnection: 10, closeTimeout: 5000 };
 * ```
 */
export type FastCgiServerOptions = Omit<ServerOptions, 'fetch' | 'authorizer'>;

/**
 * A `serverFactory` for `Fastify()`: `fastify.server` becomes a FastCGI server, so
 * `fastify.listen({ port, host })`, `{ path }` or `{ fd: 0 }` serves FastCGI and
 * `fastify.close()` shuts it down gracefully (in-flight requests finish, up to
 * `closeTimeout`). Requests carry `request.raw.fastcgi` (and `request.fastcgi` with the
 * {@link fastcgiRequest} plugin).
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { fastcgiServerFactory } from '@fcgi/fastify';
 * const fastify = Fastify({ serverFactory: fastcgiServerFactory({ closeTimeout: 5000 }) });
 * fastify.get('/', async (request) => ({ hello: request.ip }));
 * await fastify.listen({ port: 9000, host: '127.0.0.1' });
 * ```
 */
export function fastcgiServerFactory(options: FastCgiServerOptions = {}): (handler: (req: never, res: never) => void) => Server {
  return (handler) => createServer(options, handler as unknown as RequestListener) as unknown as Server;
}

/**
 * True when `server` is a FastCGI server (as `fastify.server` is with the factory).
 *
 * @example
 * ```ts
 * if (isFastCgiServer(fastify.server)) console.log('serving FastCGI');
 * ```
 */
export function isFastCgiServer(server: unknown): server is FastCgiServer {
  return typeof server === 'object' && server !== null && typeof (server as { closeIdleConnections?: unknown }).closeIdleConnections === 'function' && 'activeRequests' in server;
}
