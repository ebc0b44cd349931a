/**
 * @fcgi/express: Express 5 over FastCGI, both ways. `serve(app, { listen })` runs an
 * unmodified Express app behind nginx, Apache, lighttpd or HAProxy; `fastcgi({ upstream })`
 * mounts php-fpm (or any FastCGI app) as Express middleware.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { fastcgi, serve } from '@fcgi/express';
 * await serve(express().get('/', (req, res) => res.send('hi')), { listen: 9000 });
 * express().use(fastcgi({ upstream: '127.0.0.1:9001', documentRoot: '/srv/www' })).listen(8080);
 * ```
 *
 * @module
 */
import type { FastCgiRequestInfo } from '@fcgi/server';

export { type ExpressHandler, type ServeOptions, type ToFastCgiOptions, listenOn, serve, toFastCgi } from './serve.js';
export { type FastCgiMiddleware, type FastCgiMiddlewareOptions, fastcgi } from './middleware.js';
export { type ForwardOptions, type ListenTarget } from '@fcgi/client';
export { ExpressErrorCode, FastCgiExpressError } from './errors.js';
export type { FastCgiRequestInfo } from '@fcgi/server';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The FastCGI facts of a request served over FastCGI: role, request id, raw params, keepConn, signal. */
      fastcgi?: FastCgiRequestInfo;
    }
  }
}
