/**
 * Errors raised by @fcgi/fastify. Each is a {@link FastCgiError} with a stable `ERR_FCGI_*`
 * code and the HTTP `statusCode` Fastify's error handler answers with.
 *
 * @module
 */
import { FastCgiError } from '@fcgi/codec';

/**
 * Codes of the errors @fcgi/fastify raises itself (errors of @fcgi/client pass through
 * with their own code).
 *
 * @example
 * ```ts
 * fastify.setErrorHandler((error, request, reply) => {
 *   if (error.code === FastifyErrorCode.UpstreamFailed) return reply.code(503).send('php is down');
 *   return reply.send(error);
 * });
 * ```
 */
export const FastifyErrorCode = {
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
 * An error of @fcgi/fastify; `statusCode` is the HTTP status Fastify's default error
 * handler answers with.
 *
 * @example
 * ```ts
 * throw new FastCgiFastifyError(FastifyErrorCode.InvalidOption, 'upstream is required');
 * ```
 */
export class FastCgiFastifyError extends FastCgiError {
  /** The HTTP status for Fastify's error handler. */
  readonly statusCode: number;

  constructor(code: string, message: string, status = 500, cause?: unknown) {
    super(code, message, cause === undefined ? {} : { cause });
    this.name = 'FastCgiFastifyError';
    this.statusCode = status;
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
export function invalidOption(message: string): FastCgiFastifyError {
  return new FastCgiFastifyError(FastifyErrorCode.InvalidOption, message);
}
