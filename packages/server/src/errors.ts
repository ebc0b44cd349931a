/**
 * Errors raised by @fcgi/server. Every one is a {@link FastCgiError} with a stable
 * `ERR_FCGI_*` code; the codec's own errors (protocol violations, limits) pass through
 * with theirs.
 *
 * @module
 */
import { FastCgiError, type FastCgiErrorDetails } from '@fcgi/codec';

/**
 * Every error code the server raises, as constants.
 *
 * @example
 * ```ts
 * server.on('connectionError', (error) => {
 *   if (error.code === ServerErrorCode.ForbiddenPeer) console.warn('unexpected peer');
 * });
 * ```
 */
export const ServerErrorCode = {
  /** BEGIN_REQUEST for a request id that is already active on the connection. */
  DuplicateRequest: 'ERR_FCGI_DUPLICATE_REQUEST',
  /** An application record (BEGIN_REQUEST, ABORT_REQUEST, PARAMS, STDIN, DATA...) on request id 0. */
  NullRequestId: 'ERR_FCGI_NULL_REQUEST_ID',
  /** A record that may not come at this point of a request (STDIN before the end of PARAMS). */
  UnexpectedRecord: 'ERR_FCGI_UNEXPECTED_RECORD',
  /** PARAMS did not end within `paramsTimeout` of BEGIN_REQUEST. */
  ParamsTimeout: 'ERR_FCGI_PARAMS_TIMEOUT',
  /** The request body exceeded `maxStdinBytes`. */
  StdinTooLarge: 'ERR_FCGI_STDIN_TOO_LARGE',
  /** A TCP peer not listed in FCGI_WEB_SERVER_ADDRS, or a Unix-socket peer while they are not allowed. */
  ForbiddenPeer: 'ERR_FCGI_FORBIDDEN_PEER',
  /** The web server aborted the request (ABORT_REQUEST or a closed connection). */
  RequestAborted: 'ERR_FCGI_REQUEST_ABORTED',
  /** A request handler threw or rejected; the original error is the `cause`. */
  HandlerError: 'ERR_FCGI_HANDLER_ERROR',
  /** The Unix socket path is in use by a live listener. */
  AddressInUse: 'ERR_FCGI_ADDRESS_IN_USE',
  /** `listen()` without an address, but file descriptor 0 is not a listening socket. */
  NotSpawned: 'ERR_FCGI_NOT_SPAWNED',
  /** Listening failed for another reason; the system error is the `cause`. */
  ListenFailed: 'ERR_FCGI_LISTEN_FAILED',
  /** `close()` on a server that is not listening. */
  NotRunning: 'ERR_FCGI_SERVER_NOT_RUNNING',
  /** An option with an invalid value. */
  InvalidOption: 'ERR_FCGI_INVALID_OPTION',
  /** The connection failed at the socket level (reset, broken pipe); the system error is the `cause`. */
  SocketError: 'ERR_FCGI_SOCKET_ERROR',
} as const;

/**
 * One of the server's error codes.
 *
 * @example
 * ```ts
 * const code: ServerErrorCodeValue = 'ERR_FCGI_PARAMS_TIMEOUT';
 * ```
 */
export type ServerErrorCodeValue = (typeof ServerErrorCode)[keyof typeof ServerErrorCode];

/**
 * An error raised by the server (not by the codec). Carries `code`, and `requestId` when
 * one request is concerned.
 *
 * @example
 * ```ts
 * import { FastCgiServerError, ServerErrorCode } from '@fcgi/server';
 * const error = new FastCgiServerError(ServerErrorCode.ParamsTimeout, 'PARAMS too slow', { requestId: 1 });
 * error.code; // 'ERR_FCGI_PARAMS_TIMEOUT'
 * ```
 */
export class FastCgiServerError extends FastCgiError {
  constructor(code: ServerErrorCodeValue, message: string, details: FastCgiErrorDetails = {}) {
    super(code, message, details);
    this.name = 'FastCgiServerError';
  }
}

/**
 * Wraps anything thrown by user code so it always carries an ERR_FCGI_ code.
 *
 * @example
 * ```ts
 * handlerError(new Error('boom'), 1).code; // 'ERR_FCGI_HANDLER_ERROR'
 * ```
 */
export function handlerError(cause: unknown, requestId: number): FastCgiServerError {
  const message = cause instanceof Error ? cause.message : String(cause);
  return new FastCgiServerError(ServerErrorCode.HandlerError, `Request handler failed: ${message}`, { requestId, cause });
}
