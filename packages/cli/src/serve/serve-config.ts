/**
 * The settings of `fcgi serve`, parsed from its command line, with their defaults.
 *
 * @module
 */
import { SERVER_DEFAULTS } from '@fcgi/server';
import { parseAddress } from '../address.js';
import { usageError } from '../errors.js';

/**
 * The documented defaults of `fcgi serve`.
 *
 * @example
 * ```ts
 * SERVE_DEFAULTS.grace; // 10000
 * ```
 */
export const SERVE_DEFAULTS = {
  /** Ms that in-flight requests get to finish after SIGTERM, SIGINT or a reload. */
  grace: 10_000,
  /** Ms a kept connection with no request in flight stays open (the server's default). */
  idleTimeout: SERVER_DEFAULTS.idleTimeout,
  /** Worker processes (0: serve in this process, no cluster). */
  workers: 0,
  /** Requests a worker serves before it is replaced (0: never). */
  maxRequests: 0,
} as const;

/**
 * Where to listen: TCP, a Unix socket, or the listening socket on fd 0 (`spawned`:
 * `--fd 0`, or no `--listen` at all, which needs fd 0 to be a listening socket).
 *
 * @example
 * ```ts
 * const target: ListenTarget = { kind: 'tcp', host: '127.0.0.1', port: 9000 };
 * ```
 */
export type ListenTarget =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'unix'; readonly path: string }
  | { readonly kind: 'spawned'; readonly explicit: boolean };

/**
 * Everything `fcgi serve` was asked to do.
 *
 * @example
 * ```ts
 * const config: ServeConfig = { module: './app.js', listen: { kind: 'spawned', explicit: false }, workers: 0, maxRequests: 0, grace: 10000, idleTimeout: 60000 };
 * ```
 */
export interface ServeConfig {
  readonly module: string;
  readonly listen: ListenTarget;
  readonly workers: number;
  readonly maxRequests: number;
  readonly grace: number;
  readonly idleTimeout: number;
}

function wholeNumber(text: string | undefined, flag: string, fallback: number, minimum: number): number {
  if (text === undefined) return fallback;
  const value = /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= minimum)) throw usageError(`${flag} must be a whole number of at least ${minimum}, got '${text}'`);
  return value;
}

function listenTarget(listen: string | undefined, fd: string | undefined): ListenTarget {
  if (listen !== undefined && fd !== undefined) throw usageError('give either --listen or --fd, not both');
  if (fd !== undefined) {
    if (fd !== '0') throw usageError(`--fd must be 0 (the listening socket a web server passes, FCGI_LISTENSOCK_FILENO), got '${fd}'`);
    return { kind: 'spawned', explicit: true };
  }
  if (listen === undefined) return { kind: 'spawned', explicit: false };
  return parseAddress(listen);
}

/**
 * Reads the serve options from parsed arguments; a bad value is a usage error (exit 2).
 *
 * @example
 * ```ts
 * serveConfig('./app.js', { listen: '127.0.0.1:9000', workers: '4' }).workers; // 4
 * ```
 */
export function serveConfig(module: string, values: Readonly<Record<string, unknown>>): ServeConfig {
  const text = (name: string): string | undefined => (typeof values[name] === 'string' ? (values[name]) : undefined);
  const workers = wholeNumber(text('workers'), '--workers', SERVE_DEFAULTS.workers, 1);
  const maxRequests = wholeNumber(text('max-requests'), '--max-requests', SERVE_DEFAULTS.maxRequests, 1);
  if (maxRequests > 0 && workers === 0) throw usageError('--max-requests needs --workers (a worker is replaced after N requests)');
  return {
    module,
    listen: listenTarget(text('listen'), text('fd')),
    workers,
    maxRequests,
    grace: wholeNumber(text('grace'), '--grace', SERVE_DEFAULTS.grace, 0),
    idleTimeout: wholeNumber(text('idle-timeout'), '--idle-timeout', SERVE_DEFAULTS.idleTimeout, 0),
  };
}

/**
 * The listen target as the one-line startup message names it.
 *
 * @example
 * ```ts
 * describeTarget({ kind: 'unix', path: '/run/app.sock' }); // 'unix:/run/app.sock'
 * ```
 */
export function describeTarget(target: ListenTarget): string {
  if (target.kind === 'spawned') return 'the listening socket on fd 0';
  if (target.kind === 'unix') return `unix:${target.path}`;
  return target.host.includes(':') ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
}
