/**
 * The client's typed errors. Every rejection carries a stable `code` starting `ERR_FCGI_`;
 * errors from the codec (a malformed record, a bad CGI head) are passed on unchanged.
 *
 * @module
 */
import { FastCgiError, type FastCgiErrorDetails } from '@fcgi/codec';

/**
 * Every error code the client raises, as constants.
 *
 * @example
 * ```ts
 * import { ClientErrorCode } from '@fcgi/client';
 * try { await client.request({ params }); } catch (error) {
 *   if ((error as { code?: string }).code === ClientErrorCode.QueueFull) console.log('busy');
 * }
 * ```
 */
export const ClientErrorCode = {
  /** An address string the client cannot parse. */
  InvalidAddress: 'ERR_FCGI_INVALID_ADDRESS',
  /** An option or request argument with an invalid value. */
  InvalidOption: 'ERR_FCGI_INVALID_OPTION',
  /** The connection could not be opened (refused, no such socket file, ...). */
  ConnectFailed: 'ERR_FCGI_CONNECT_FAILED',
  /** The connection was not open within `connectTimeout`. */
  ConnectTimeout: 'ERR_FCGI_CONNECT_TIMEOUT',
  /** The CGI head did not arrive within `timeout` / `headersTimeout`. */
  HeadersTimeout: 'ERR_FCGI_HEADERS_TIMEOUT',
  /** The response body made no progress (no data from the app, no read by the consumer) for `bodyTimeout`. */
  BodyTimeout: 'ERR_FCGI_BODY_TIMEOUT',
  /** The whole request took longer than `requestTimeout`. */
  RequestTimeout: 'ERR_FCGI_REQUEST_TIMEOUT',
  /** The queue already held `maxQueue` requests. */
  QueueFull: 'ERR_FCGI_QUEUE_FULL',
  /** The request waited in the queue longer than `queueTimeout`. */
  QueueTimeout: 'ERR_FCGI_QUEUE_TIMEOUT',
  /** The request's AbortSignal fired, or its response body was destroyed early. */
  Aborted: 'ERR_FCGI_ABORTED',
  /** The app closed the connection before the request's END_REQUEST. */
  UpstreamClosed: 'ERR_FCGI_UPSTREAM_CLOSED',
  /** The upstream sent bytes that are not FastCGI records (an HTTP server, say). */
  NotFastCgi: 'ERR_FCGI_NOT_FASTCGI',
  /** END_REQUEST with protocolStatus OVERLOADED. */
  Overloaded: 'ERR_FCGI_OVERLOADED',
  /** END_REQUEST with protocolStatus CANT_MPX_CONN. */
  CantMpxConn: 'ERR_FCGI_CANT_MPX_CONN',
  /** END_REQUEST with protocolStatus UNKNOWN_ROLE. */
  UnknownRole: 'ERR_FCGI_UNKNOWN_ROLE',
  /** END_REQUEST with a protocolStatus FastCGI 1.0 does not define. */
  UnknownProtocolStatus: 'ERR_FCGI_UNKNOWN_PROTOCOL_STATUS',
  /** A response body read twice: `response.body` after `bytes()`/`text()`/`json()`, or one of those after the other or after `body`. */
  BodyUsed: 'ERR_FCGI_BODY_USED',
  /** `bytes()`/`text()`/`json()` met a response body longer than `maxBytes` (default: the client's `maxBodyBytes`); the request is aborted. */
  ResponseTooLarge: 'ERR_FCGI_RESPONSE_TOO_LARGE',
  /** The request body (or filter data) stream failed while it was being sent. */
  RequestBodyFailed: 'ERR_FCGI_REQUEST_BODY_FAILED',
  /** GET_VALUES got no GET_VALUES_RESULT within `valuesTimeout`. */
  ValuesTimeout: 'ERR_FCGI_VALUES_TIMEOUT',
  /** The client was closed: no new requests are accepted. */
  ClientClosed: 'ERR_FCGI_CLIENT_CLOSED',
  /** The client was destroyed while the request was pending. */
  ClientDestroyed: 'ERR_FCGI_CLIENT_DESTROYED',
} as const;

/**
 * One of the client's error codes.
 *
 * @example
 * ```ts
 * const code: ClientErrorCodeValue = 'ERR_FCGI_QUEUE_FULL';
 * ```
 */
export type ClientErrorCodeValue = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

/**
 * An error raised by the client (a subclass of the codec's `FastCgiError`, so
 * `FastCgiError.is(error)` holds and `error.code` starts `ERR_FCGI_`).
 *
 * @example
 * ```ts
 * import { FastCgiClientError } from '@fcgi/client';
 * const error = new FastCgiClientError('ERR_FCGI_QUEUE_FULL', 'The request queue is full');
 * error.code; // 'ERR_FCGI_QUEUE_FULL'
 * ```
 */
export class FastCgiClientError extends FastCgiError {
  /** True when the request never reached the app (safe to send again). */
  readonly unsent: boolean;

  constructor(code: ClientErrorCodeValue, message: string, details: FastCgiErrorDetails & { unsent?: boolean } = {}) {
    super(code, message, details);
    this.name = 'FastCgiClientError';
    this.unsent = details.unsent === true;
  }
}

/**
 * A timeout (connect, headers, body, request, queue or GET_VALUES).
 *
 * @example
 * ```ts
 * import { FastCgiTimeoutError } from '@fcgi/client';
 * new FastCgiTimeoutError('ERR_FCGI_HEADERS_TIMEOUT', 'No CGI head within 100 ms', { limit: 100 }).limit; // 100
 * ```
 */
export class FastCgiTimeoutError extends FastCgiClientError {
  constructor(code: ClientErrorCodeValue, message: string, details: FastCgiErrorDetails & { unsent?: boolean } = {}) {
    super(code, message, details);
    this.name = 'FastCgiTimeoutError';
  }
}

/**
 * The upstream misbehaved: it closed the connection early, refused the request
 * (OVERLOADED, CANT_MPX_CONN, UNKNOWN_ROLE) or does not speak FastCGI.
 *
 * @example
 * ```ts
 * import { FastCgiUpstreamError } from '@fcgi/client';
 * new FastCgiUpstreamError('ERR_FCGI_OVERLOADED', 'The app is overloaded').code; // 'ERR_FCGI_OVERLOADED'
 * ```
 */
export class FastCgiUpstreamError extends FastCgiClientError {
  constructor(code: ClientErrorCodeValue, message: string, details: FastCgiErrorDetails & { unsent?: boolean } = {}) {
    super(code, message, details);
    this.name = 'FastCgiUpstreamError';
  }
}

/**
 * An error that is not a `FastCgiError` wrapped with `code` (e.g. a socket error); other
 * errors are returned as they are.
 *
 * @example
 * ```ts
 * toFastCgiError(new Error('boom'), 'ERR_FCGI_REQUEST_BODY_FAILED', 'Request body failed').code; // 'ERR_FCGI_REQUEST_BODY_FAILED'
 * ```
 */
export function toFastCgiError(error: unknown, code: ClientErrorCodeValue, message: string): FastCgiError {
  if (FastCgiError.is(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new FastCgiClientError(code, `${message}: ${reason}`, { cause: error });
}
