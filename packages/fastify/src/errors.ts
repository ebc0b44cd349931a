/**
 * Errors raised by @fcgi/fastify. Each is a {@link FastCgiError} with a stable `ERR_FCGI_*`
 * code and the HTTP `statusCode` Fastify's error handler answers with.
 *
 * @module
 */
import { FastCgiForwardError, ForwardErrorCode } from '@fcgi/client';

/**
 * Codes of the errors @fcgi/fastify raises itself: the forwarding codes of @fcgi/client
 * (errors of @fcgi/client pass through with their own code).
 *
 * @example
 * ```ts
 * fastify.setErrorHandler((error, request, reply) => {
 *   if (error.code === FastifyErrorCode.UpstreamFailed) return reply.code(503).send('php is down');
 *   return reply.send(error);
 * });
 * ```
 */
export const FastifyErrorCode = { InvalidOption: 'ERR_FCGI_INVALID_OPTION', ...ForwardErrorCode } as const;

/**
 * An error of @fcgi/fastify; `statusCode` is the HTTP status Fastify's default error
 * handler answers with.
 *
 * @example
 * ```ts
 * throw new FastCgiFastifyError(FastifyErrorCode.BodyConsumed, 'forward from a context with keepRawBody()');
 * ```
 */
export class FastCgiFastifyError extends FastCgiForwardError {
  constructor(code: string, message: string, statusCode = 500, cause?: unknown) {
    super(code, message, statusCode, cause);
    this.name = 'FastCgiFastifyError';
  }
}
