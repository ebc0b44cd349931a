/**
 * FastCGI facts on Fastify requests: the `request.fastcgi` decorator and a route
 * constraint that sends Authorizer-role requests to the routes meant for them.
 *
 * @module
 */
import type { FastCgiRequestInfo } from '@fcgi/server';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyRequest {
    /** The FastCGI facts (role, request id, raw params, keepConn, signal); undefined over plain HTTP. */
    readonly fastcgi: FastCgiRequestInfo | undefined;
  }
}

interface RawWithFastCgi {
  fastcgi?: FastCgiRequestInfo;
}

/**
 * Decorates every request with `request.fastcgi` (`request.raw.fastcgi`).
 *
 * @example
 * ```ts
 * await fastify.register(fastcgiRequest);
 * fastify.get('/', async (request) => request.fastcgi?.params.SERVER_SOFTWARE);
 * ```
 */
export const fastcgiRequest = fastifyPlugin(
  (fastify: FastifyInstance, _options: Record<never, never>, done: (error?: Error) => void) => {
    if (fastify.hasRequestDecorator('fastcgi')) return done();
    fastify.decorateRequest('fastcgi', {
      getter(this: FastifyRequest) {
        return (this.raw as RawWithFastCgi).fastcgi;
      },
    });
    done();
  },
  { fastify: '5.x', name: '@fcgi/fastify/request' },
);

/**
 * A route constraint on the FastCGI role. Pass it as `Fastify({ constraints: {
 * fastcgiRole: fastcgiRoleConstraint } })`; a route with `constraints: { fastcgiRole:
 * 'authorizer' }` answers Authorizer requests (Apache mod_authnz_fcgi, lighttpd), and an
 * Authorizer request matches only such routes (anything else is a 404, which denies).
 *
 * @example
 * ```ts
 * const fastify = Fastify({ serverFactory: fastcgiServerFactory(), constraints: { fastcgiRole: fastcgiRoleConstraint } });
 * fastify.all('/*', { constraints: { fastcgiRole: 'authorizer' } }, async (request, reply) =>
 *   request.headers.authorization === 'Bearer s3cret' ? reply.header('Variable-USER', 'alice').code(200).send() : reply.code(401).send());
 * ```
 */
export const fastcgiRoleConstraint = {
  name: 'fastcgiRole',
  mustMatchWhenDerived: true,
  storage<Store>() {
    const stores = new Map<string, Store>();
    return {
      get: (role: string): Store | null => stores.get(role) ?? null,
      set: (role: string, store: Store): void => {
        stores.set(role, store);
      },
    };
  },
  deriveConstraint(req: unknown): string | undefined {
    const role = (req as RawWithFastCgi).fastcgi?.role;
    return role === 'responder' ? undefined : role;
  },
  validate(value: unknown): void {
    if (value !== 'authorizer' && value !== 'filter') throw new TypeError("fastcgiRole must be 'authorizer' or 'filter'");
  },
};
