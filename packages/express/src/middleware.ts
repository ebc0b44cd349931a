/**
 * `fastcgi()`: Express middleware that forwards requests to php-fpm or any FastCGI app,
 * streaming both ways, with `next(err)` on failure and optional fall-through on 404: the
 * Express glue over @fcgi/client's {@link Forwarder}.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type BalancedClient, type Client, type ForwardOptions, Forwarder } from '@fcgi/client';
import { ExpressErrorCode, FastCgiExpressError } from './errors.js';

/**
 * Options of {@link fastcgi}: those of @fcgi/client's `Forwarder`, `scriptsOnly`
 * defaulting to true.
 *
 * @example
 * ```ts
 * const options: FastCgiMiddlewareOptions = { upstream: 'unix:/run/php/php8.2-fpm.sock', documentRoot: '/srv/www', fallthrough: true };
 * ```
 */
export interface FastCgiMiddlewareOptions extends ForwardOptions {
  /**
   * Call `next()` instead of answering when the app answers 404 or, with a `documentRoot`,
   * when the script does not exist on disk (default false: the app's 404 is sent).
   */
  fallthrough?: boolean;
}

/**
 * The middleware returned by {@link fastcgi}, with its client and `close()`.
 *
 * @example
 * ```ts
 * const php: FastCgiMiddleware = fastcgi({ upstream: '127.0.0.1:9000' });
 * await php.close();
 * ```
 */
export interface FastCgiMiddleware {
  (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void;
  /** The client requests go through. */
  readonly client: Client | BalancedClient;
  /** Closes the client when the middleware created it. */
  close(): Promise<void>;
}

type Next = (error?: unknown) => void;

function bodyAlreadyRead(req: IncomingMessage): boolean {
  return (req as { _body?: unknown })._body === true || (req.readableEnded && req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
}

async function handle(forwarder: Forwarder, req: IncomingMessage, res: ServerResponse, next: Next): Promise<void> {
  if (bodyAlreadyRead(req)) {
    next(new FastCgiExpressError(ExpressErrorCode.BodyConsumed, 'The request body was already read (a body parser ran first): mount fastcgi() before express.json() and friends', 500));
    return;
  }
  const outcome = await forwarder.forward(req, res, { url: (req as { originalUrl?: string }).originalUrl });
  if (outcome.kind === 'fallthrough') next();
  else if (outcome.kind === 'failed') next(FastCgiExpressError.from(outcome.error));
}

/**
 * Express middleware that forwards requests to a FastCGI app (php-fpm first of all) with
 * the gateway's CGI mapping and safety rules: `SCRIPT_FILENAME` confined to
 * `documentRoot`, no httpoxy, no request-controlled PHP_VALUE. Bodies and responses are
 * streamed. With a `documentRoot`, only script paths (`*.php`, PATH_INFO allowed) are
 * forwarded and other paths call `next()`, so `express.static` mounted after it serves
 * the rest (mounted before, it would send PHP source as text); with `frontController`,
 * paths that are neither a script nor an existing file run that script (WordPress
 * pretty URLs, nginx's `try_files $uri /index.php$uri`).
 * Failures go to `next(err)` with `err.status` 502/503/504 (400/404/413 for refused paths
 * and bodies). Mount it before body parsers.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { fastcgi } from '@fcgi/express';
 * const app = express();
 * app.use(fastcgi({ upstream: '127.0.0.1:9000', documentRoot: '/srv/www', frontController: 'index.php' }));
 * app.use(express.static('/srv/www', { index: false }));
 * app.listen(8080);
 * ```
 */
export function fastcgi(options: FastCgiMiddlewareOptions): FastCgiMiddleware {
  const forwarder = new Forwarder({ ...options, scriptsOnly: options?.scriptsOnly ?? true });
  const middleware = ((req: IncomingMessage, res: ServerResponse, next: Next): void => {
    handle(forwarder, req, res, next).catch(next);
  }) as FastCgiMiddleware;
  Object.defineProperty(middleware, 'client', { value: forwarder.client });
  Object.defineProperty(middleware, 'close', { value: () => forwarder.close() });
  return middleware;
}
