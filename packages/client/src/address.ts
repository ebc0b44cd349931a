/**
 * Address strings: `host:port`, `tcp://host:port`, `[::1]:port`, `unix:/path`, or a path
 * containing `/`.
 *
 * @module
 */
import { ClientErrorCode, FastCgiClientError } from './errors.js';

/**
 * Where to connect: a TCP host and port, or a Unix socket path.
 *
 * @example
 * ```ts
 * const endpoint: Endpoint = { kind: 'unix', path: '/run/php/fpm.sock' };
 * ```
 */
export type Endpoint = { readonly kind: 'tcp'; readonly host: string; readonly port: number } | { readonly kind: 'unix'; readonly path: string };

function invalid(address: string, why: string): FastCgiClientError {
  return new FastCgiClientError(ClientErrorCode.InvalidAddress, `Invalid FastCGI address ${JSON.stringify(address)}: ${why}`);
}

function parsePort(address: string, text: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65535)) throw invalid(address, 'the port must be 1-65535');
  return port;
}

/**
 * Parses an address string.
 *
 * @example
 * ```ts
 * import { parseAddress } from '@fcgi/client';
 * parseAddress('127.0.0.1:9000'); // { kind: 'tcp', host: '127.0.0.1', port: 9000 }
 * parseAddress('[::1]:9000'); // { kind: 'tcp', host: '::1', port: 9000 }
 * parseAddress('unix:/run/php/fpm.sock'); // { kind: 'unix', path: '/run/php/fpm.sock' }
 * ```
 */
export function parseAddress(address: string): Endpoint {
  if (typeof address !== 'string' || address === '') throw invalid(String(address), 'expected a non-empty string');
  if (address.startsWith('unix:')) {
    const path = address.slice(5);
    if (path === '') throw invalid(address, 'no socket path');
    return { kind: 'unix', path };
  }
  const rest = address.startsWith('tcp://') ? address.slice(6) : address;
  if (rest === address && address.includes('/')) return { kind: 'unix', path: address };
  const bracketed = /^\[([0-9A-Fa-f:.]+)\]:(\d+)$/.exec(rest);
  if (bracketed !== null) return { kind: 'tcp', host: bracketed[1] as string, port: parsePort(address, bracketed[2] as string) };
  const colon = rest.lastIndexOf(':');
  if (colon <= 0) throw invalid(address, 'expected host:port');
  const host = rest.slice(0, colon);
  if (host.includes(':')) throw invalid(address, 'write IPv6 hosts in brackets, as [::1]:9000');
  return { kind: 'tcp', host, port: parsePort(address, rest.slice(colon + 1)) };
}

/**
 * The address of an endpoint as a string (for messages).
 *
 * @example
 * ```ts
 * formatEndpoint({ kind: 'tcp', host: '::1', port: 9000 }); // '[::1]:9000'
 * ```
 */
export function formatEndpoint(endpoint: Endpoint): string {
  if (endpoint.kind === 'unix') return `unix:${endpoint.path}`;
  return endpoint.host.includes(':') ? `[${endpoint.host}]:${endpoint.port}` : `${endpoint.host}:${endpoint.port}`;
}
