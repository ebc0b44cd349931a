/**
 * What `inject()` can talk to, recognised by shape (never `instanceof`, so any copy of
 * Express, Fastify or @fcgi/server works).
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type FastCgiServer, type FetchHandler, type RequestListener, type ServerOptions, createServer } from '@fcgi/server';
import { FastCgiHarnessError, HarnessErrorCode } from './errors.js';
import type { ConnectionTarget } from './transport.js';

/**
 * The parts of a Fastify instance `inject()` uses.
 *
 * @example
 * ```ts
 * const app: FastifyLike = Fastify();
 * ```
 */
export interface FastifyLike {
  ready(): PromiseLike<unknown>;
  routing(req: IncomingMessage, res: ServerResponse): void;
}

/**
 * Anything `inject()` accepts: a node:http listener (`(req, res)`, Express), a fetch
 * handler (a function of one parameter, or `{ fetch }` as Hono and Bun-style apps
 * export), a Fastify instance, a `FastCgiServer`, or the address of a running FastCGI app.
 *
 * @example
 * ```ts
 * const targets: InjectTarget[] = [expressApp, fastifyApp, (request: Request) => new Response('hi'), '127.0.0.1:9000'];
 * ```
 */
export type InjectTarget = string | RequestListener | FetchHandler | { fetch: FetchHandler } | FastifyLike | FastCgiServer;

/**
 * A target made ready: where to connect, once `ready` has resolved.
 *
 * @example
 * ```ts
 * const resolved: ResolvedTarget = resolveTarget(app);
 * await resolved.ready;
 * ```
 */
export interface ResolvedTarget {
  readonly connection: ConnectionTarget;
  readonly ready: Promise<void>;
}

function isFastify(target: unknown): target is FastifyLike {
  const candidate = target as Partial<FastifyLike> | null;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.routing === 'function' && typeof candidate.ready === 'function';
}

function isFastCgiServer(target: unknown): target is FastCgiServer {
  const candidate = target as { serveConnection?: unknown; listen?: unknown } | null;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.serveConnection === 'function' && typeof candidate.listen === 'function';
}

function isExpressApp(target: unknown): boolean {
  const candidate = target as { handle?: unknown; set?: unknown };
  return typeof target === 'function' && typeof candidate.handle === 'function' && typeof candidate.set === 'function';
}

/**
 * Copies the methods a FastCGI request/response class defines onto the object itself, so
 * they survive Express's `Object.setPrototypeOf(req/res, app.request/app.response)`; the
 * same as `@fcgi/express` does when it serves an Express app.
 *
 * @example
 * ```ts
 * pinOwnMethods(res); // res._send, res._storeHeader, res.end stay FastCGI's
 * ```
 */
export function pinOwnMethods(target: object): void {
  const prototype = Object.getPrototypeOf(target) as object | null;
  if (prototype === null) return;
  for (const [name, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(prototype))) {
    if (name === 'constructor' || Object.prototype.hasOwnProperty.call(target, name)) continue;
    Object.defineProperty(target, name, { ...descriptor, enumerable: false });
  }
}

function expressListener(app: RequestListener): RequestListener {
  return (req, res) => {
    pinOwnMethods(req);
    pinOwnMethods(res);
    return app(req, res);
  };
}

function hasFetch(target: unknown): target is { fetch: FetchHandler } {
  return typeof target === 'object' && target !== null && typeof (target as { fetch?: unknown }).fetch === 'function';
}

/**
 * Resolves a target. Functions with fewer than two parameters are fetch handlers;
 * Express apps and `(req, res)` listeners have two or more. An Express app (a function
 * with `handle` and `set`) runs as `@fcgi/express` runs it: with the FastCGI request and
 * response methods pinned on each instance, since Express swaps their prototypes.
 *
 * @example
 * ```ts
 * resolveTarget('unix:/run/php/php8.2-fpm.sock').connection; // { address: 'unix:/run/php/php8.2-fpm.sock' }
 * ```
 */
export function resolveTarget(target: InjectTarget, serverOptions: ServerOptions = {}): ResolvedTarget {
  const done = Promise.resolve();
  if (typeof target === 'string') return { connection: { address: target }, ready: done };
  if (isFastCgiServer(target)) return { connection: { server: target }, ready: done };
  if (isFastify(target)) {
    const server = createServer(serverOptions, (req, res) => target.routing(req, res));
    return { connection: { server }, ready: Promise.resolve(target.ready()).then(() => undefined) };
  }
  if (hasFetch(target)) return { connection: { server: createServer({ ...serverOptions, fetch: (request, context) => target.fetch(request, context) }) }, ready: done };
  if (isExpressApp(target)) return { connection: { server: createServer(serverOptions, expressListener(target as RequestListener)) }, ready: done };
  if (typeof target === 'function') {
    if (target.length >= 2) return { connection: { server: createServer(serverOptions, target as RequestListener) }, ready: done };
    return { connection: { server: createServer({ ...serverOptions, fetch: target as FetchHandler }) }, ready: done };
  }
  throw new FastCgiHarnessError(HarnessErrorCode.InvalidTarget, 'inject() needs a (req, res) listener, an Express app, a Fastify instance, a fetch handler, a FastCgiServer or a FastCGI address string');
}
