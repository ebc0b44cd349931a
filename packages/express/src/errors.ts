/**
 * Errors raised by @fcgi/express. Each is a {@link FastCgiError} with a stable `ERR_FCGI_*`
 * code and, for the middleware, the HTTP `status` Express's error handler answers with.
 *
 * @module
 */
import { FastCgiForwardError, ForwardErrorCode } from '@fcgi/client';

/**
 * Codes of the errors @fcgi/express raises itself: the forwarding codes of @fcgi/client
 * and ERR_FCGI_INVALID_OPTION (errors of @fcgi/client pass through with their own code).
 *
 * @example
 * ```ts
 * app.use((error, req, res, next) => {
 *   if (error.code === ExpressErrorCode.ScriptRefused) res.status(404).send('no such page');
 *   else next(error);
 * });
 * ```
 */
export const ExpressErrorCode = {
  /** An option with an invalid value. */
  InvalidOption: 'ERR_FCGI_INVALID_OPTION',
  ...ForwardErrorCode,
} as const;

/**
 * An error of @fcgi/express; `status` (and `statusCode`) is the HTTP status Express
 * answers with when no error middleware handles it.
 *
 * @example
 * ```ts
 * throw new FastCgiExpressError(ExpressErrorCode.BodyConsumed, 'mount fastcgi() before body parsers');
 * ```
 */
export class FastCgiExpressError extends FastCgiForwardError {
  constructor(code: string, message: string, status = 500, cause?: unknown) {
    super(code, message, status, cause);
    this.name = 'FastCgiExpressError';
  }

  /** The same error as a FastCgiExpressError (`instanceof` holds for every error the middleware passes on). */
  static from(error: FastCgiForwardError): FastCgiExpressError {
    return new FastCgiExpressError(error.code, error.message, error.status, error.cause);
  }
}
