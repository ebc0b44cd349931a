/**
 * Server options, their defaults and their validation.
 *
 * @module
 */
import { DEFAULT_LIMITS } from '@fcgi/codec';
import { FastCgiServerError, ServerErrorCode } from './errors.js';

/**
 * Defaults of the numeric options (see {@link EngineOptions}).
 *
 * @example
 * ```ts
 * createServer({ idleTimeout: SERVER_DEFAULTS.idleTimeout * 2 }, listener);
 * ```
 */
export const SERVER_DEFAULTS = {
  /** Requests served at once on one connection. */
  maxRequestsPerConnection: 100,
  /** Requests served at once by the whole server (reported as FCGI_MAX_REQS). */
  maxConcurrentRequests: 1000,
  /** Open connections (reported as FCGI_MAX_CONNS); more are closed at once. */
  maxConnections: 1000,
  /** Bytes of one request's PARAMS stream. */
  maxParamsBytes: DEFAULT_LIMITS.maxParamsBytes,
  /** Name-value pairs in one request's PARAMS stream. */
  maxParamsPairs: DEFAULT_LIMITS.maxParamsPairs,
  /** Body bytes one request may buffer while its handler does not read, before the socket is paused. */
  stdinHighWaterMark: 64 * 1024,
  /** Milliseconds a connection with no active request may stay silent. */
  idleTimeout: 60_000,
  /** Milliseconds from BEGIN_REQUEST to the end of PARAMS (slowloris guard). */
  paramsTimeout: 30_000,
  /** Milliseconds `close()` lets in-flight requests run before aborting them. */
  closeTimeout: 10_000,
} as const;

/** The numeric limits, resolved. */
export interface ServerLimits {
  maxRequestsPerConnection: number;
  maxConcurrentRequests: number;
  maxConnections: number;
  maxParamsBytes: number;
  maxParamsPairs: number;
  stdinHighWaterMark: number;
  /** `Infinity` when unlimited. */
  maxStdinBytes: number;
  idleTimeout: number;
  paramsTimeout: number;
  closeTimeout: number;
}

/**
 * Options of the protocol engine: multiplexing, limits, timeouts and the peer filter.
 *
 * @example
 * ```ts
 * const options: EngineOptions = { maxRequestsPerConnection: 10, webServerAddresses: ['10.0.0.5', '::1'] };
 * ```
 */
export interface EngineOptions {
  /** Accept several requests at once on one connection (default true; FCGI_MPXS_CONNS). */
  multiplex?: boolean;
  /** Requests at once on one connection (default 100); more are answered OVERLOADED. */
  maxRequestsPerConnection?: number;
  /** Requests at once on the whole server (default 1000; FCGI_MAX_REQS); more are answered OVERLOADED. */
  maxConcurrentRequests?: number;
  /** Open connections (default 1000; FCGI_MAX_CONNS); more are closed at once. */
  maxConnections?: number;
  /** Bytes of one PARAMS stream (default 256 KiB); more is answered 431 and reported. */
  maxParamsBytes?: number;
  /** Pairs in one PARAMS stream (default 1000); more is answered 431 and reported. */
  maxParamsPairs?: number;
  /** Buffered body bytes per request before reading from the socket pauses (default 64 KiB). */
  stdinHighWaterMark?: number;
  /** Body bytes per request (default unlimited); more is answered 413 and reported. */
  maxStdinBytes?: number;
  /** Milliseconds a connection without active requests may stay silent (default 60 000; 0 disables). */
  idleTimeout?: number;
  /** Milliseconds from BEGIN_REQUEST to the end of PARAMS (default 30 000; 0 disables). */
  paramsTimeout?: number;
  /** Milliseconds `close()` waits for in-flight requests before aborting them (default 10 000). */
  closeTimeout?: number;
  /**
   * Peer addresses allowed to connect over TCP (IPv4 or IPv6). Default: the comma-separated
   * list in the environment variable FCGI_WEB_SERVER_ADDRS, else everyone.
   */
  webServerAddresses?: readonly string[];
  /** Accept Unix-socket connections while `webServerAddresses` is in force (default false). */
  allowUnixPeers?: boolean;
  /**
   * Read accepted connections straight into one buffer shared by all of them, as node:http
   * does, instead of through each socket's stream (default true): less CPU per request.
   * The sockets then emit no `'data'` events; set false to read them as streams.
   */
  directReads?: boolean;
}

/**
 * Engine options with every default applied (`server.options`).
 *
 * @example
 * ```ts
 * createServer(listener).options.maxParamsBytes; // 262144
 * ```
 */
export interface ResolvedEngineOptions extends ServerLimits {
  multiplex: boolean;
  /** Normalized addresses, or undefined when every peer is allowed. */
  webServerAddresses: ReadonlySet<string> | undefined;
  allowUnixPeers: boolean;
  directReads: boolean;
}

function readInteger(name: string, value: number | undefined, fallback: number, minimum: number): number {
  if (value === undefined) return fallback;
  if (value === Infinity && name === 'maxStdinBytes') return value;
  if (!Number.isSafeInteger(value) || value < minimum) {
    throw new FastCgiServerError(ServerErrorCode.InvalidOption, `Option ${name} must be an integer >= ${minimum}, got ${String(value)}`);
  }
  return value;
}

/**
 * Normalizes an IP address for comparison: lower case, IPv4-mapped IPv6 as plain IPv4.
 *
 * @example
 * ```ts
 * normalizeAddress('::FFFF:127.0.0.1'); // '127.0.0.1'
 * ```
 */
export function normalizeAddress(address: string): string {
  const lower = address.trim().toLowerCase();
  return lower.startsWith('::ffff:') && lower.includes('.') ? lower.slice(7) : lower;
}

function readAddresses(list: readonly string[] | undefined): ReadonlySet<string> | undefined {
  const source = list ?? process.env.FCGI_WEB_SERVER_ADDRS?.split(',');
  if (source === undefined) return undefined;
  const addresses = source.map(normalizeAddress).filter((address) => address !== '');
  return addresses.length === 0 ? undefined : new Set(addresses);
}

/**
 * Applies defaults and validates; throws ERR_FCGI_INVALID_OPTION.
 *
 * @example
 * ```ts
 * resolveEngineOptions({ multiplex: false }).maxConcurrentRequests; // 1000
 * ```
 */
export function resolveEngineOptions(options: EngineOptions): ResolvedEngineOptions {
  const defaults = SERVER_DEFAULTS;
  return {
    multiplex: options.multiplex ?? true,
    maxRequestsPerConnection: readInteger('maxRequestsPerConnection', options.maxRequestsPerConnection, defaults.maxRequestsPerConnection, 1),
    maxConcurrentRequests: readInteger('maxConcurrentRequests', options.maxConcurrentRequests, defaults.maxConcurrentRequests, 1),
    maxConnections: readInteger('maxConnections', options.maxConnections, defaults.maxConnections, 1),
    maxParamsBytes: readInteger('maxParamsBytes', options.maxParamsBytes, defaults.maxParamsBytes, 0),
    maxParamsPairs: readInteger('maxParamsPairs', options.maxParamsPairs, defaults.maxParamsPairs, 0),
    stdinHighWaterMark: readInteger('stdinHighWaterMark', options.stdinHighWaterMark, defaults.stdinHighWaterMark, 1),
    maxStdinBytes: readInteger('maxStdinBytes', options.maxStdinBytes, Infinity, 0),
    idleTimeout: readInteger('idleTimeout', options.idleTimeout, defaults.idleTimeout, 0),
    paramsTimeout: readInteger('paramsTimeout', options.paramsTimeout, defaults.paramsTimeout, 0),
    closeTimeout: readInteger('closeTimeout', options.closeTimeout, defaults.closeTimeout, 0),
    webServerAddresses: readAddresses(options.webServerAddresses),
    allowUnixPeers: options.allowUnixPeers ?? false,
    directReads: options.directReads ?? true,
  };
}
