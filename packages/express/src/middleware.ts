/**
 * `fastcgi()`: Express middleware that forwards requests to php-fpm or any FastCGI app,
 * streaming both ways, with `next(err)` on failure and optional fall-through on 404.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { BalancedClient, Client } from '@fcgi/client';
import { ExpressErrorCode, FastCgiExpressError } from './errors.js';
import { type ForwardDecision, type ForwardOptions, Forwarder, responseHeaders, upstreamStatus } from './forward.js';

/**
 * Options of {@link fastcgi}.
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

function refusal(decision: Extract<ForwardDecision, { kind: 'refuse' }>): FastCgiExpressError {
  const code = decision.status === 413 ? ExpressErrorCode.BodyTooLarge : ExpressErrorCode.ScriptRefused;
  return new FastCgiExpressError(code, `Request not forwarded: ${decision.reason}`, decision.status);
}

function upstreamError(error: unknown): FastCgiExpressError {
  const message = error instanceof Error ? error.message : String(error);
  return new FastCgiExpressError(ExpressErrorCode.UpstreamFailed, `The FastCGI app failed: ${message}`, upstreamStatus(error), error);
}

function bodyAlreadyRead(req: IncomingMessage): boolean {
  return (req as { _body?: unknown })._body === true || (req.readableEnded && req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
}

async function handle(forwarder: Forwarder, options: FastCgiMiddlewareOptions, req: IncomingMessage, res: ServerResponse, next: Next): Promise<void> {
  if (bodyAlreadyRead(req)) {
    next(new FastCgiExpressError(ExpressErrorCode.BodyConsumed, 'The request body was already read (a body parser ran first): mount fastcgi() before express.json() and friends', 500));
    return;
  }
  const url = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/';
  const decision = await forwarder.prepare(req, url, options.fallthrough === true);
  if (decision.kind === 'skip') return next();
  if (decision.kind === 'refuse') return next(refusal(decision));
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  const upstream = await forwarder.send(req, decision, controller.signal).catch((error: unknown) => {
    next(upstreamError(error));
    return undefined;
  });
  if (upstream === undefined) return;
  if (options.fallthrough === true && upstream.status === 404) {
    upstream.body.resume();
    return next();
  }
  for (const [name, value] of responseHeaders(upstream)) res.setHeader(name, value);
  res.writeHead(upstream.status, upstream.statusText);
  await pipeline(upstream.body, res).catch(() => res.destroy());
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
  const forwarder = new Forwarder(options);
  const middleware = ((req: IncomingMessage, res: ServerResponse, next: Next): void => {
    handle(forwarder, options, req, res, next).catch(next);
  }) as FastCgiMiddleware;
  Object.defineProperty(middleware, 'client', { value: forwarder.client });
  Object.defineProperty(middleware, 'close', { value: () => forwarder.close() });
  return middleware;
}
