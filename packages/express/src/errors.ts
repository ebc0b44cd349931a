/**
 * Errors raised by @fcgi/express. Each is a {@link FastCgiError} with a stable `ERR_FCGI_*`
 * code and, for the middleware, the HTTP `status` Express's error handler answers with.
 *
 * @module
 */
import { FastCgiError } from '@fcgi/codec';

/**
 * Codes of the errors @fcgi/express raises itself (errors of @fcgi/client pass through
 * with their own code).
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
  /** The path cannot be mapped to a script safely (bad escape, `..` above the root, NUL/CR/LF). */
  ScriptRefused: 'ERR_FCGI_SCRIPT_REFUSED',
  /** A body without Content-Length was larger than `maxBufferedBody`. */
  BodyTooLarge: 'ERR_FCGI_BODY_TOO_LARGE',
  /** The request body was already read (parsed) before it could be forwarded. */
  BodyConsumed: 'ERR_FCGI_BODY_CONSUMED',
  /** The FastCGI app failed before its response head (the client error is the `cause`). */
  UpstreamFailed: 'ERR_FCGI_UPSTREAM_FAILED',
} as const;

/**
 * An error of @fcgi/express; `status` is the HTTP status Express answers with when no
 * error middleware handles it.
 *
 * @example
 * ```ts
 * throw new FastCgiExpressError(ExpressErrorCode.InvalidOption, 'upstream is required');
 * ```
 */
export class FastCgiExpressError extends FastCgiError {
  /** The HTTP status for Express's final handler (`err.status`). */
  readonly status: number;

  constructor(code: string, message: string, status = 500, cause?: unknown) {
    super(code, message, cause === undefined ? {} : { cause });
    this.name = 'FastCgiExpressError';
    this.status = status;
  }
}

/**
 * The error for an invalid option (ERR_FCGI_INVALID_OPTION).
 *
 * @example
 * ```ts
 * throw invalidOption('documentRoot must be an absolute path');
 * ```
 */
export function invalidOption(message: string): FastCgiExpressError {
  return new FastCgiExpressError(ExpressErrorCode.InvalidOption, message);
}
