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
  return (handler) => createServer(options, toListener(handler as unknown as RequestListener)) as unknown as Server;
}

const variablePrefix = /^variable-/i;

/** `variable-user` (Fastify lower-cases header names) as `Variable-USER`, the form Apache and lighttpd read. */
function variableName(name: string): string {
  return variablePrefix.test(name) ? `Variable-${name.slice(9).toUpperCase()}` : name;
}

function recaseHeaders(headers: unknown): unknown {
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) return headers;
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [variableName(name), value]));
}

/**
 * Wraps Fastify's handler: for Authorizer requests, the `Variable-NAME` headers of the
 * answer keep the case web servers look for, although Fastify lower-cases header names.
 *
 * @example
 * ```ts
 * createServer(options, toListener(fastifyHandler));
 * ```
 */
export function toListener(handler: RequestListener): RequestListener {
  return (req, res) => {
    if (req.fastcgi.role === 'authorizer') {
      const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => typeof res;
      Object.defineProperty(res, 'writeHead', {
        configurable: true,
        value: (...args: unknown[]) => {
          for (const name of res.getHeaderNames()) {
            if (!variablePrefix.test(name)) continue;
            const value = res.getHeader(name);
            res.removeHeader(name);
            if (value !== undefined) res.setHeader(variableName(name), value);
          }
          return writeHead(...args.map(recaseHeaders));
        },
      });
    }
    return handler(req, res);
  };
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
