/**
 * The config nginx gets from `startNginx({ upstream, keepConn, documentRoot })`: an
 * `upstream` block and one location that passes every request to it.
 *
 * @module
 */
import { isAbsolute } from 'node:path';
import { PeerOptionError } from './errors.js';

/**
 * A FastCGI app for nginx to pass requests to: `'127.0.0.1:9000'`, `'[::1]:9000'`,
 * `'unix:/run/app.sock'` or an absolute socket path, a port on 127.0.0.1, or anything with
 * an `address` in one of those forms (a started php-fpm, whose `documentRoot` then becomes
 * nginx's `root`; a mock backend; your own server's address).
 *
 * @example
 * ```ts
 * const tcp: NginxUpstream = '127.0.0.1:9000';
 * const unix: NginxUpstream = '/tmp/app.sock';
 * const php: NginxUpstream = await startPhpFpm(); // { address, documentRoot }
 * ```
 */
export type NginxUpstream = string | number | { readonly address: string; readonly documentRoot?: string };

/**
 * The options that generate the FastCGI part of nginx's config (a subset of `NginxOptions`).
 *
 * @example
 * ```ts
 * const options: NginxUpstreamOptions = { upstream: '127.0.0.1:9000', keepConn: true, documentRoot: '/srv/www' };
 * ```
 */
export interface NginxUpstreamOptions {
  /** The FastCGI app every request goes to (through `upstream fcgi_upstream { server ...; }`). */
  upstream?: NginxUpstream;
  /**
   * Keep FastCGI connections open between requests: `fastcgi_keep_conn on` and
   * `keepalive N` in the upstream block, N being the number given or 2 for `true` (idle
   * connections kept per nginx worker). php-fpm pins a worker to each kept connection: give
   * it at least as many `children` as requests you send at once. Default false: one
   * connection per request, nginx's own default.
   */
  keepConn?: boolean | number;
  /** nginx's `root`, so `SCRIPT_FILENAME` is `<documentRoot><path>` (default: the upstream's `documentRoot`, if it has one). */
  documentRoot?: string;
  /** Another name for `documentRoot`, as nginx calls it. */
  root?: string;
  /** The location that goes to the upstream (default `/`: every request). */
  location?: string;
  /** Extra directives inside that location, e.g. `fastcgi_read_timeout 5s;`. */
  fastcgi?: string;
}

/** The name of the generated `upstream` block. */
const upstreamName = 'fcgi_upstream';
/** `keepalive` for `keepConn: true`: php-fpm's default pool size in this kit. */
const defaultKeepalive = 2;
const hostPortPattern = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

function checkPort(port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new PeerOptionError('upstream', `${port} is not a TCP port (1-65535)`);
  return port;
}

/**
 * The upstream as nginx's `server` directive takes it: `127.0.0.1:9000` or `unix:/path`.
 * Throws {@link PeerOptionError} for anything else (a relative socket path, no port).
 *
 * @example
 * ```ts
 * nginxUpstreamAddress('/tmp/app.sock'); // 'unix:/tmp/app.sock'
 * nginxUpstreamAddress(9000); // '127.0.0.1:9000'
 * ```
 */
export function nginxUpstreamAddress(upstream: NginxUpstream): string {
  if (typeof upstream === 'number') return `127.0.0.1:${checkPort(upstream)}`;
  const address = typeof upstream === 'string' ? upstream : upstream.address;
  const path = address.startsWith('unix:') ? address.slice('unix:'.length) : address;
  if (isAbsolute(path)) return `unix:${path}`;
  const match = hostPortPattern.exec(address);
  if (match === null) throw new PeerOptionError('upstream', `'${address}' is neither host:port, unix:/absolute/path nor an absolute socket path`);
  checkPort(Number(match[2]));
  return address;
}

function keepalive(keepConn: boolean | number | undefined): number | undefined {
  if (keepConn === undefined || keepConn === false) return undefined;
  if (keepConn === true) return defaultKeepalive;
  if (!Number.isInteger(keepConn) || keepConn < 1) throw new PeerOptionError('keepConn', `${keepConn} is not a positive number of connections`);
  return keepConn;
}

function documentRoot(options: NginxUpstreamOptions): string | undefined {
  const fromUpstream = typeof options.upstream === 'object' ? options.upstream.documentRoot : undefined;
  const root = options.documentRoot ?? options.root ?? fromUpstream;
  if (root !== undefined && !isAbsolute(root)) throw new PeerOptionError('documentRoot', `'${root}' is not an absolute path`);
  return root;
}

/**
 * The `http`-level text for `options.upstream`: an `upstream fcgi_upstream { }` block, with
 * `keepalive N` under `keepConn`; empty without an upstream.
 *
 * @example
 * ```ts
 * nginxUpstreamBlock({ upstream: '127.0.0.1:9000', keepConn: true });
 * // 'upstream fcgi_upstream {\n    server 127.0.0.1:9000;\n    keepalive 2;\n  }'
 * ```
 */
export function nginxUpstreamBlock(options: NginxUpstreamOptions): string {
  if (options.upstream === undefined) return '';
  const connections = keepalive(options.keepConn);
  const keep = connections === undefined ? '' : `\n    keepalive ${connections};`;
  return `  upstream ${upstreamName} {\n    server ${nginxUpstreamAddress(options.upstream)};${keep}\n  }`;
}

/**
 * The `server`-level text for `options.upstream`: `root` and one location with nginx's
 * `fastcgi_params`, `SCRIPT_FILENAME` and `fastcgi_pass fcgi_upstream` (plus
 * `fastcgi_keep_conn on` under `keepConn`); empty without an upstream.
 *
 * @example
 * ```ts
 * nginxUpstreamServer({ upstream: php, keepConn: true }); // 'root /tmp/...; location / { ... }'
 * ```
 */
export function nginxUpstreamServer(options: NginxUpstreamOptions): string {
  if (options.upstream === undefined) return '';
  const root = documentRoot(options);
  const keepConn = keepalive(options.keepConn) === undefined ? '' : '      fastcgi_keep_conn on;\n';
  return `${root === undefined ? '' : `    root ${root};\n`}    location ${options.location ?? '/'} {
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
      fastcgi_pass ${upstreamName};
${keepConn}${options.fastcgi === undefined ? '' : `      ${options.fastcgi}\n`}    }`;
}
