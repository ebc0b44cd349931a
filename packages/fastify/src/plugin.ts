/**
 * The `fastcgi` plugin: proxies routes to php-fpm or any FastCGI app, with the gateway's
 * CGI mapping and safety rules, the raw request body streamed as it arrives (no parsing),
 * the response streamed back, and failures through Fastify's error handler.
 *
 * @module
 */
import { type BalancedClient, type Client, type ForwardOptions, Forwarder, responseHeaders } from '@fcgi/client';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { FastCgiFastifyError, FastifyErrorCode } from './errors.js';

/**
 * Options of the {@link fastcgi} plugin.
 *
 * @example
 * ```ts
 * const options: FastCgiPluginOptions = { upstream: '127.0.0.1:9000', documentRoot: '/srv/www', prefix: '/blog', frontController: 'index.php' };
 * ```
 */
export interface FastCgiPluginOptions extends ForwardOptions {
  /** Register catch-all routes (every method) under this prefix that forward to the app; `'/'` for the whole site. */
  prefix?: string;
  /** Hand requests the app answers 404 (or, with a documentRoot, missing scripts) to Fastify's not-found handler (default false). */
  fallthrough?: boolean;
  /** Decorate replies with `reply.fastcgi()` (default true; set false when registering a second backend). */
  decorateReply?: boolean;
}

declare module 'fastify' {
  interface FastifyReply {
    /** Forwards this request to the plugin's FastCGI app and sends its answer (streamed). */
    fastcgi(): Promise<FastifyReply>;
  }
  interface FastifyInstance {
    /** The client of the `fastcgi` plugin registered last in this context. */
    fastcgiClient?: Client | BalancedClient;
  }
}

/**
 * Leaves request bodies unparsed in `instance` (an encapsulated context), so a route can
 * forward `request.raw` as it arrives: every content type gets a parser that reads nothing.
 *
 * @example
 * ```ts
 * fastify.register(async (php) => {
 *   keepRawBody(php);
 *   php.post('/upload.php', (request, reply) => reply.fastcgi());
 * });
 * ```
 */
export function keepRawBody(instance: FastifyInstance): void {
  instance.removeAllContentTypeParsers();
  instance.addContentTypeParser('*', (_request, _payload, done) => {
    done(null, undefined);
  });
}

async function forward(forwarder: Forwarder, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  if (request.body !== undefined) {
    throw new FastCgiFastifyError(FastifyErrorCode.BodyConsumed, 'The request body was parsed by Fastify: forward from a context with keepRawBody() (the plugin prefix does this)', 500);
  }
  const outcome = await forwarder.open(request.raw, { response: reply.raw });
  if (outcome.kind === 'failed') throw new FastCgiFastifyError(outcome.error.code, outcome.error.message, outcome.error.status, outcome.error.cause);
  if (outcome.kind === 'fallthrough') {
    reply.callNotFound();
    return reply;
  }
  reply.code(outcome.response.status);
  for (const [name, value] of responseHeaders(outcome.response)) reply.header(name, value);
  return reply.send(outcome.response.body);
}

/**
 * Proxies to a FastCGI app. With `prefix`, every method under it is forwarded (bodies
 * unparsed); `reply.fastcgi()` forwards from any route of a context with
 * {@link keepRawBody}. With a `documentRoot`, non-script paths go to Fastify's not-found
 * handler unless `frontController` is set (WordPress-style: `/blog/hello` runs
 * `/index.php` with PATH_INFO `/blog/hello`). Failures throw to Fastify's error handler
 * with `statusCode` 502/503/504 (400/404/413 for refused paths and bodies). The client is
 * closed on `fastify.close()` when the plugin created it.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { fastcgi } from '@fcgi/fastify';
 * const fastify = Fastify();
 * await fastify.register(fastcgi, { upstream: '127.0.0.1:9000', documentRoot: '/srv/www', prefix: '/', frontController: 'index.php' });
 * await fastify.listen({ port: 8080 });
 * ```
 */
export const fastcgi = fastifyPlugin(
  async (fastify: FastifyInstance, options: FastCgiPluginOptions) => {
    const forwarder = new Forwarder({ ...options, scriptsOnly: options.scriptsOnly ?? true });
    fastify.addHook('onClose', () => forwarder.close());
    fastify.fastcgiClient = forwarder.client;
    if (options.decorateReply !== false) {
      fastify.decorateReply('fastcgi', function (this: FastifyReply) {
        return forward(forwarder, this.request, this);
      });
    }
    const prefix = options.prefix;
    if (prefix === undefined) return;
    await fastify.register(
      (context: FastifyInstance, _options: Record<never, never>, done: (error?: Error) => void) => {
        keepRawBody(context);
        const handler = (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => forward(forwarder, request, reply);
        context.all('/*', handler);
        context.all('/', handler);
        done();
      },
      { prefix: prefix === '/' ? '' : prefix },
    );
  },
  { fastify: '5.x', name: '@fcgi/fastify' },
);
