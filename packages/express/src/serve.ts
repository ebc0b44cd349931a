/**
 * Serving an Express app over FastCGI: the app is a node:http listener, so it runs on
 * @fcgi/server unchanged; authorizer-role requests can go to a second app or router.
 *
 * @module
 */
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Express, type RequestHandler, type Router } from 'express';
import { type ListenTarget, toListenOptions } from '@fcgi/client';
import { type FastCgiServer, type RequestListener, type ServerOptions, createServer } from '@fcgi/server';

/**
 * An Express app, router or middleware.
 *
 * @example
 * ```ts
 * const handler: ExpressHandler = express.Router().get('/', (req, res) => res.send('hi'));
 * ```
 */
export type ExpressHandler = Express | Router | RequestHandler;

type NodeHandler = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => unknown;

/**
 * Options of {@link toFastCgi}: every @fcgi/server option, plus an Express authorizer.
 *
 * @example
 * ```ts
 * const options: ToFastCgiOptions = { maxRequestsPerConnection: 10, authorizer: authApp };
 * ```
 */
export interface ToFastCgiOptions extends Omit<ServerOptions, 'fetch' | 'authorizer'> {
  /**
   * An Express app (or router) that answers Authorizer-role requests (Apache
   * mod_authnz_fcgi, lighttpd): 200 allows, with `Variable-NAME` headers passed on; any
   * other status denies. A request it does not answer is denied with 403. Without it,
   * authorizer requests reach the app itself (`req.fastcgi.role === 'authorizer'`).
   */
  authorizer?: ExpressHandler;
}

/**
 * Options of {@link serve}: those of {@link toFastCgi} and where to listen.
 *
 * @example
 * ```ts
 * const options: ServeOptions = { listen: '127.0.0.1:9000', closeTimeout: 5000 };
 * ```
 */
export interface ServeOptions extends ToFastCgiOptions {
  /** Where to listen (see {@link ListenTarget}); omitted: the socket inherited on fd 0. */
  listen?: ListenTarget;
}

/** The final answer of the authorizer: 403 when nothing answered (deny), 500 on an error. */
function finalAnswer(res: ServerResponse): (error?: unknown) => void {
  return (error) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const [status, text] = error === undefined ? [403, 'Forbidden'] : [500, 'Internal Server Error'];
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${text}\n`);
  };
}

/** True for an Express application, which has its own final handler (404 page, error page). */
function isExpressApp(handler: NodeHandler): boolean {
  return typeof (handler as { handle?: unknown }).handle === 'function' && typeof (handler as { set?: unknown }).set === 'function';
}

/** A router or middleware needs an app around it: Express's req/res methods come from the app. */
function asApp(handler: ExpressHandler): NodeHandler {
  const node = handler as unknown as NodeHandler;
  return isExpressApp(node) ? node : (express().use(handler as RequestHandler));
}

function toListener(app: ExpressHandler, authorizer: ExpressHandler | undefined): RequestListener {
  const main = asApp(app);
  const authorize = authorizer === undefined ? undefined : asApp(authorizer);
  return (req, res) => {
    if (authorize !== undefined && req.fastcgi.role === 'authorizer') return authorize(req, res, finalAnswer(res));
    return main(req, res);
  };
}

/**
 * Wraps an Express app in a FastCGI server (not listening yet): `req` is a real
 * `http.IncomingMessage` whose address, scheme and headers come from the FastCGI params,
 * with `req.fastcgi` holding the role and raw params.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { toFastCgi } from '@fcgi/express';
 * const app = express().get('/', (req, res) => res.send(`hi ${req.ip}`));
 * toFastCgi(app).listen(9000, '127.0.0.1');
 * ```
 */
export function toFastCgi(app: ExpressHandler, options: ToFastCgiOptions = {}): FastCgiServer {
  const { authorizer, ...serverOptions } = options;
  return createServer(serverOptions, toListener(app, authorizer));
}

/**
 * Starts `server` on `target` (see @fcgi/client's `toListenOptions`); resolves once it
 * listens, rejects with the server's `'error'` (ERR_FCGI_ADDRESS_IN_USE,
 * ERR_FCGI_NOT_SPAWNED, ERR_FCGI_LISTEN_FAILED).
 *
 * @example
 * ```ts
 * await listenOn(toFastCgi(app), '127.0.0.1:9000');
 * ```
 */
export async function listenOn(server: FastCgiServer, target: ListenTarget): Promise<void> {
  const listening = once(server, 'listening');
  server.listen(toListenOptions(target));
  await listening;
}

/**
 * Serves an Express app over FastCGI and resolves once it listens. `server.close()` shuts
 * down gracefully (in-flight requests finish, up to `closeTimeout`).
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { serve } from '@fcgi/express';
 * const app = express().get('/users/:id', (req, res) => res.json({ id: req.params.id }));
 * const server = await serve(app, { listen: '127.0.0.1:9000' });
 * process.on('SIGTERM', () => server.close());
 * ```
 */
export async function serve(app: ExpressHandler, options: ServeOptions = {}): Promise<FastCgiServer> {
  const { listen, ...rest } = options;
  const server = toFastCgi(app, rest);
  await listenOn(server, listen);
  return server;
}
