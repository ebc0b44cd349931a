/**
 * The client's options, their defaults and their validation (eager, in the constructor).
 *
 * @module
 */
import type { Duplex } from 'node:stream';
import type { Endpoint } from './address.js';
import { ClientErrorCode, FastCgiClientError } from './errors.js';

/**
 * Opens a transport to the app. Return (or resolve to) any Duplex: a `net.Socket`, or an
 * in-memory stream in tests.
 *
 * @example
 * ```ts
 * const connect: ConnectFunction = () => net.connect({ host: '127.0.0.1', port: 9000 });
 * new Client({ connect });
 * ```
 */
export type ConnectFunction = (endpoint: Endpoint | undefined, signal: AbortSignal) => Duplex | Promise<Duplex>;

/**
 * Options of `new Client(options)`. Every limit and timeout has a safe default.
 *
 * @example
 * ```ts
 * const options: ClientOptions = { address: 'unix:/run/php/php8.2-fpm.sock', connections: 4, queueTimeout: 5000 };
 * ```
 */
export interface ClientOptions {
  /** Where the app listens: `host:port`, `tcp://host:port`, `[::1]:port`, `unix:/path` or a path with `/`. */
  address?: string;
  /** Replaces the TCP/Unix connect (e.g. an in-memory duplex). `address` is then optional. */
  connect?: ConnectFunction;
  /** Most connections open at once (default 8; lowered to the app's FCGI_MAX_CONNS when GET_VALUES reports it). */
  connections?: number;
  /** Keep connections open between requests with FCGI_KEEP_CONN (default true). */
  keepAlive?: boolean;
  /** Close a kept-alive connection idle this long, in ms (default 4000). */
  keepAliveTimeout?: number;
  /** Close a connection after this many requests; 0 means no limit (default 1000). */
  maxRequestsPerConnection?: number;
  /** Most requests waiting for a connection; more reject with ERR_FCGI_QUEUE_FULL (default 1024). */
  maxQueue?: number;
  /** Most ms a request waits for a connection before ERR_FCGI_QUEUE_TIMEOUT (default 30000). */
  queueTimeout?: number;
  /** Most ms to open a connection before ERR_FCGI_CONNECT_TIMEOUT (default 10000). */
  connectTimeout?: number;
  /** Most ms from `request()` to the CGI head before ERR_FCGI_HEADERS_TIMEOUT (default 60000); a request's `timeout` overrides it. */
  headersTimeout?: number;
  /** Most ms without progress on a response body (no record from the app and no read by the consumer) before ERR_FCGI_BODY_TIMEOUT (default 60000; 0 disables). */
  bodyTimeout?: number;
  /** Most ms for a whole request, to END_REQUEST (default 0: no limit; headers and body timeouts still apply). */
  requestTimeout?: number;
  /** After ABORT_REQUEST, ms to wait for the app's END_REQUEST before closing the connection (default 2000). */
  abortTimeout?: number;
  /** Ask the app for FCGI_MAX_CONNS / FCGI_MAX_REQS / FCGI_MPXS_CONNS on first connect (default true). */
  getValues?: boolean;
  /** Most ms to wait for a GET_VALUES_RESULT (default 1000; an app that ignores GET_VALUES delays only the first requests by this much). */
  valuesTimeout?: number;
  /** Most requests on one connection when the app multiplexes (default 16; also capped by FCGI_MAX_REQS). */
  maxConcurrentPerConnection?: number;
  /** Bytes of CGI response head accepted (default 64 KiB). */
  maxHeadBytes?: number;
  /** Header lines in a CGI response head (default 200). */
  maxHeaders?: number;
  /** STDERR bytes buffered for a consumer that does not read them; the rest is dropped (default 1 MiB). */
  maxStderrBuffer?: number;
  /** highWaterMark of each response body stream, in bytes (default 64 KiB); also how many unread body bytes are kept before the connection pauses. */
  bodyHighWaterMark?: number;
  /** Most response body bytes `bytes()`, `text()` and `json()` gather before ERR_FCGI_RESPONSE_TOO_LARGE (default 16 MiB; a call's `maxBytes` overrides it). */
  maxBodyBytes?: number;
  /** Largest STDIN/DATA record content sent, 1-65535 (default 65535; php-fpm takes any). */
  maxRecordLength?: number;
}

/**
 * Options after validation, with defaults applied.
 *
 * @example
 * ```ts
 * const resolved: ResolvedOptions = resolveOptions({ connections: 2 });
 * ```
 */
export interface ResolvedOptions {
  readonly connections: number;
  readonly keepAlive: boolean;
  readonly keepAliveTimeout: number;
  readonly maxRequestsPerConnection: number;
  readonly maxQueue: number;
  readonly queueTimeout: number;
  readonly connectTimeout: number;
  readonly headersTimeout: number;
  readonly bodyTimeout: number;
  readonly requestTimeout: number;
  readonly abortTimeout: number;
  readonly getValues: boolean;
  readonly valuesTimeout: number;
  readonly maxConcurrentPerConnection: number;
  readonly maxHeadBytes: number;
  readonly maxHeaders: number;
  readonly maxStderrBuffer: number;
  readonly bodyHighWaterMark: number;
  readonly maxBodyBytes: number;
  readonly maxRecordLength: number;
}

/**
 * The defaults of every numeric and boolean client option.
 *
 * @example
 * ```ts
 * import { CLIENT_DEFAULTS } from '@fcgi/client';
 * new Client({ address: '127.0.0.1:9000', queueTimeout: CLIENT_DEFAULTS.queueTimeout * 2 });
 * ```
 */
export const CLIENT_DEFAULTS: ResolvedOptions = {
  connections: 8,
  keepAlive: true,
  keepAliveTimeout: 4000,
  maxRequestsPerConnection: 1000,
  maxQueue: 1024,
  queueTimeout: 30_000,
  connectTimeout: 10_000,
  headersTimeout: 60_000,
  bodyTimeout: 60_000,
  requestTimeout: 0,
  abortTimeout: 2000,
  getValues: true,
  valuesTimeout: 1000,
  maxConcurrentPerConnection: 16,
  maxHeadBytes: 64 * 1024,
  maxHeaders: 200,
  maxStderrBuffer: 1024 * 1024,
  bodyHighWaterMark: 64 * 1024,
  maxBodyBytes: 16 * 1024 * 1024,
  maxRecordLength: 65535,
};

/**
 * An ERR_FCGI_INVALID_OPTION error to throw.
 *
 * @example
 * ```ts
 * throw invalidOption('Option connections must be positive');
 * ```
 */
export function invalidOption(message: string): FastCgiClientError {
  return new FastCgiClientError(ClientErrorCode.InvalidOption, message);
}

/**
 * Reads an integer option in `minimum..maximum`, or its default.
 *
 * @example
 * ```ts
 * readInteger('connections', 4, 8, 1); // 4
 * ```
 */
export function readInteger(name: string, value: unknown, fallback: number, minimum: number, maximum = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < minimum || value > maximum) {
    throw invalidOption(`Option ${name} must be an integer in ${minimum}..${maximum}, got ${JSON.stringify(value) ?? typeof value}`);
  }
  return value;
}

function readBoolean(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalidOption(`Option ${name} must be a boolean, got ${typeof value}`);
  return value;
}

const timeoutMaximum = 2_147_483_647;

/**
 * Validates client options and applies the defaults; throws ERR_FCGI_INVALID_OPTION.
 *
 * @example
 * ```ts
 * resolveOptions({ connections: 4 }).keepAliveTimeout; // 4000
 * ```
 */
export function resolveOptions(options: ClientOptions): ResolvedOptions {
  const defaults = CLIENT_DEFAULTS;
  return {
    connections: readInteger('connections', options.connections, defaults.connections, 1, 65535),
    keepAlive: readBoolean('keepAlive', options.keepAlive, defaults.keepAlive),
    keepAliveTimeout: readInteger('keepAliveTimeout', options.keepAliveTimeout, defaults.keepAliveTimeout, 1, timeoutMaximum),
    maxRequestsPerConnection: readInteger('maxRequestsPerConnection', options.maxRequestsPerConnection, defaults.maxRequestsPerConnection, 0),
    maxQueue: readInteger('maxQueue', options.maxQueue, defaults.maxQueue, 0),
    queueTimeout: readInteger('queueTimeout', options.queueTimeout, defaults.queueTimeout, 1, timeoutMaximum),
    connectTimeout: readInteger('connectTimeout', options.connectTimeout, defaults.connectTimeout, 1, timeoutMaximum),
    headersTimeout: readInteger('headersTimeout', options.headersTimeout, defaults.headersTimeout, 1, timeoutMaximum),
    bodyTimeout: readInteger('bodyTimeout', options.bodyTimeout, defaults.bodyTimeout, 0, timeoutMaximum),
    requestTimeout: readInteger('requestTimeout', options.requestTimeout, defaults.requestTimeout, 0, timeoutMaximum),
    abortTimeout: readInteger('abortTimeout', options.abortTimeout, defaults.abortTimeout, 1, timeoutMaximum),
    getValues: readBoolean('getValues', options.getValues, defaults.getValues),
    valuesTimeout: readInteger('valuesTimeout', options.valuesTimeout, defaults.valuesTimeout, 1, timeoutMaximum),
    maxConcurrentPerConnection: readInteger('maxConcurrentPerConnection', options.maxConcurrentPerConnection, defaults.maxConcurrentPerConnection, 1, 65535),
    maxHeadBytes: readInteger('maxHeadBytes', options.maxHeadBytes, defaults.maxHeadBytes, 1),
    maxHeaders: readInteger('maxHeaders', options.maxHeaders, defaults.maxHeaders, 0),
    maxStderrBuffer: readInteger('maxStderrBuffer', options.maxStderrBuffer, defaults.maxStderrBuffer, 0),
    bodyHighWaterMark: readInteger('bodyHighWaterMark', options.bodyHighWaterMark, defaults.bodyHighWaterMark, 1),
    maxBodyBytes: readInteger('maxBodyBytes', options.maxBodyBytes, defaults.maxBodyBytes, 0),
    maxRecordLength: readInteger('maxRecordLength', options.maxRecordLength, defaults.maxRecordLength, 1, 65535),
  };
}
