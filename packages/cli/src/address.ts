/**
 * FastCGI addresses on the command line: `host:port`, `tcp://host:port`, `[ipv6]:port`,
 * `unix:/path`, or a path that contains `/`.
 *
 * @module
 */
import { CliErrorCode, FastCgiCliError } from './errors.js';

/**
 * A parsed address: a TCP host and port, or a Unix socket path.
 *
 * @example
 * ```ts
 * const address: CliAddress = { kind: 'unix', path: '/run/php/php-fpm.sock' };
 * ```
 */
export type CliAddress =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'unix'; readonly path: string };

const accepted = 'use host:port, tcp://host:port, [::1]:port, unix:/path or a path containing /';

function invalid(text: string, why: string): FastCgiCliError {
  return new FastCgiCliError(CliErrorCode.InvalidAddress, `invalid address '${text}': ${why} (${accepted})`);
}

function parsePort(text: string, port: string): number {
  const value = /^\d{1,5}$/.test(port) ? Number(port) : Number.NaN;
  if (!(value >= 1 && value <= 65535)) throw invalid(text, `the port must be a number from 1 to 65535, got '${port}'`);
  return value;
}

function parseTcp(text: string, rest: string): CliAddress {
  const bracketed = /^\[([0-9A-Fa-f:.]+)\]:([^:]*)$/.exec(rest);
  if (bracketed !== null) return { kind: 'tcp', host: bracketed[1] as string, port: parsePort(text, bracketed[2] as string) };
  if (rest.startsWith('[')) throw invalid(text, /^\[[^\]]*\]$/.test(rest) ? 'no port' : 'expected [ipv6]:port');
  const colon = rest.lastIndexOf(':');
  if (colon < 0) throw invalid(text, 'no port');
  const host = rest.slice(0, colon);
  if (host === '') throw invalid(text, 'no host');
  if (host.includes(':')) throw invalid(text, 'write an IPv6 host in brackets, as [::1]:9000');
  if (/[\s/@[\]]/.test(host)) throw invalid(text, `'${host}' is not a host name`);
  return { kind: 'tcp', host, port: parsePort(text, rest.slice(colon + 1)) };
}

/**
 * Parses an address given on the command line; throws ERR_FCGI_INVALID_ADDRESS (exit code
 * 2) with a one-line reason otherwise.
 *
 * @example
 * ```ts
 * import { parseAddress } from '@fcgi/cli';
 * parseAddress('127.0.0.1:9000'); // { kind: 'tcp', host: '127.0.0.1', port: 9000 }
 * parseAddress('[::1]:9000'); // { kind: 'tcp', host: '::1', port: 9000 }
 * parseAddress('/run/php/php-fpm.sock'); // { kind: 'unix', path: '/run/php/php-fpm.sock' }
 * ```
 */
export function parseAddress(text: string): CliAddress {
  if (text === '') throw invalid(text, 'it is empty');
  if (text.startsWith('unix:')) {
    const path = text.slice('unix:'.length);
    if (path === '') throw invalid(text, 'no socket path');
    return { kind: 'unix', path };
  }
  if (text.startsWith('tcp://')) return parseTcp(text, text.slice('tcp://'.length));
  if (text.includes('/')) return { kind: 'unix', path: text };
  return parseTcp(text, text);
}

/**
 * An address in the canonical form the `@fcgi/client` accepts.
 *
 * @example
 * ```ts
 * formatAddress({ kind: 'tcp', host: '::1', port: 9000 }); // '[::1]:9000'
 * formatAddress({ kind: 'unix', path: 'run/fpm.sock' }); // 'unix:run/fpm.sock'
 * ```
 */
export function formatAddress(address: CliAddress): string {
  if (address.kind === 'unix') return `unix:${address.path}`;
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
