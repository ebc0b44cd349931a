/**
 * @fcgi/fastify: Fastify 5 over FastCGI, both ways. `fastcgiServerFactory()` (or
 * `serve(fastify, { listen })`) runs a Fastify instance behind nginx, Apache, lighttpd or
 * HAProxy with Fastify's own lifecycle; the `fastcgi` plugin proxies routes to php-fpm or
 * any FastCGI app.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { fastcgi, fastcgiServerFactory } from '@fcgi/fastify';
 * const app = Fastify({ serverFactory: fastcgiServerFactory() });
 * app.get('/', async () => 'hi');
 * await app.listen({ port: 9000, host: '127.0.0.1' });
 * ```
 *
 * @module
 */
export { type FastCgiServerOptions, fastcgiServerFactory, isFastCgiServer } from './factory.js';
export { fastcgiRequest, fastcgiRoleConstraint } from './request.js';
export { type ServeOptions, serve } from './serve.js';
export { type FastCgiPluginOptions, fastcgi, keepRawBody } from './plugin.js';
export { type ForwardOptions, type ListenTarget } from '@fcgi/client';
export { FastCgiFastifyError, FastifyErrorCode } from './errors.js';
export type { FastCgiRequestInfo } from '@fcgi/server';
