/**
 * `serve(fastify, { listen })`: serves a Fastify instance over FastCGI, whether it was
 * built with {@link fastcgiServerFactory} or not, with `fastify.close()` closing the
 * FastCGI server gracefully.
 *
 * @module
 */
import { once } from 'node:events';
import { type ListenTarget, toListenOptions } from '@fcgi/client';
import { type FastCgiServer, createServer } from '@fcgi/server';
import type { FastifyInstance } from 'fastify';
import { type FastCgiServerOptions, isFastCgiServer, toListener } from './factory.js';
import { fastcgiRequest } from './request.js';

/**
 * Options of {@link serve}: the @fcgi/server options and where to listen.
 *
 * @example
 * ```ts
 * const options: ServeOptions = { listen: 'unix:/run/app/fcgi.sock', closeTimeout: 5000 };
 * ```
 */
export interface ServeOptions extends FastCgiServerOptions {
  /** Where to listen: a port (on 127.0.0.1), `'host:port'`, `'unix:/path'`, `{ path }`...; omitted: the socket on fd 0. */
  listen?: ListenTarget;
}

/**
 * Serves `fastify` over FastCGI and resolves with the FastCGI server once it listens.
 * With an instance built with {@link fastcgiServerFactory} this is `fastify.listen()`;
 * with any other instance (not started yet) the routes are served by a new FastCGI server
 * that `fastify.close()` closes (an `onClose` hook). `request.fastcgi` is decorated.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { serve } from '@fcgi/fastify';
 * const fastify = Fastify({ trustProxy: '10.0.0.0/8' });
 * fastify.get('/users/:id', async (request) => ({ id: (request.params as { id: string }).id, ip: request.ip }));
 * await serve(fastify, { listen: '127.0.0.1:9000' });
 * process.on('SIGTERM', () => fastify.close());
 * ```
 */
export async function serve(fastify: FastifyInstance, options: ServeOptions = {}): Promise<FastCgiServer> {
  const { listen, ...serverOptions } = options;
  await fastify.register(fastcgiRequest);
  if (isFastCgiServer(fastify.server)) {
    await fastify.listen(toListenOptions(listen));
    return fastify.server;
  }
  const server = createServer(serverOptions, toListener((req, res) => fastify.routing(req, res)));
  fastify.addHook('onClose', (_instance, done) => {
    if (!server.listening && server.connectionCount === 0) return done();
    server.close(() => done());
  });
  await fastify.ready();
  const listening = once(server, 'listening');
  server.listen(toListenOptions(listen));
  await listening;
  return server;
}
