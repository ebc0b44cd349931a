/**
 * Why a request could not be forwarded: the shared error codes of the gateway and the
 * framework adapters, each error carrying the HTTP status to answer with.
 *
 * @module
 */
import { CodecErrorCode, FastCgiError } from '@fcgi/codec';
import { ClientErrorCode } from '../errors.js';

/**
 * Codes of the errors a {@link Forwarder} reports (the client's own errors are the `cause`).
 *
 * @example
 * ```ts
 * if (outcome.kind === 'failed' && outcome.error.code === ForwardErrorCode.UpstreamFailed) console.warn('php is down');
 * ```
 */
export const ForwardErrorCode = {
  /** The path cannot be mapped to a script safely (bad escape, `..` above the root, NUL/CR/LF). */
  ScriptRefused: 'ERR_FCGI_SCRIPT_REFUSED',
  /** A body without Content-Length was larger than `maxBufferedBody`. */
  BodyTooLarge: 'ERR_FCGI_BODY_TOO_LARGE',
  /** The request body was already read (parsed) before it could be forwarded. */
  BodyConsumed: 'ERR_FCGI_BODY_CONSUMED',
  /** The FastCGI app failed before its response head, or while its body was sent (the client error is the `cause`). */
  UpstreamFailed: 'ERR_FCGI_UPSTREAM_FAILED',
} as const;

/**
 * A request that could not be forwarded, with the HTTP status to answer with as both
 * `status` and `statusCode` (the http-errors convention Express and Fastify read).
 *
 * @example
 * ```ts
 * const error = new FastCgiForwardError(ForwardErrorCode.BodyTooLarge, 'Request not forwarded: too large', 413);
 * error.statusCode; // 413
 * ```
 */
export class FastCgiForwardError extends FastCgiError {
  /** The HTTP status to answer with. */
  readonly status: number;
  /** The same HTTP status, under the name Fastify reads. */
  readonly statusCode: number;

  constructor(code: string, message: string, status = 500, cause?: unknown) {
    super(code, message, cause === undefined ? {} : { cause });
    this.name = 'FastCgiForwardError';
    this.status = status;
    this.statusCode = status;
  }
}

/**
 * The HTTP status for an error of the app: 503 when the client's queue is full, 504 on a
 * timeout, 431 for a header too large for one PARAMS record (the HTTP client's fault),
 * 502 otherwise.
 *
 * @example
 * ```ts
 * upstreamStatus(new Error('socket hang up')); // 502
 * ```
 */
export function upstreamStatus(error: unknown): number {
  if (!FastCgiError.is(error)) return 502;
  if (error.code === ClientErrorCode.QueueFull) return 503;
  if (error.code === CodecErrorCode.ParamTooLarge) return 431;
  return error.name === 'FastCgiTimeoutError' ? 504 : 502;
}

/**
 * The ERR_FCGI_UPSTREAM_FAILED error for a failure of the app, the client error as `cause`.
 *
 * @example
 * ```ts
 * upstreamFailure(error).status; // 502, 503 or 504
 * ```
 */
export function upstreamFailure(error: unknown): FastCgiForwardError {
  const message = error instanceof Error ? error.message : String(error);
  return new FastCgiForwardError(ForwardErrorCode.UpstreamFailed, `The FastCGI app failed: ${message}`, upstreamStatus(error), error);
}

/**
 * The error for a request the mapping refused (400/404) or a body too large (413).
 *
 * @example
 * ```ts
 * refusal(413, 'the body is larger than maxBufferedBody').code; // 'ERR_FCGI_BODY_TOO_LARGE'
 * ```
 */
export function refusal(status: 400 | 404 | 413, reason: string): FastCgiForwardError {
  const code = status === 413 ? ForwardErrorCode.BodyTooLarge : ForwardErrorCode.ScriptRefused;
  return new FastCgiForwardError(code, `Request not forwarded: ${reason}`, status);
}
