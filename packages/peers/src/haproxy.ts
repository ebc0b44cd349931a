/**
 * HAProxy 2.6 in the foreground, logging to stderr (kept in `logs()`).
 *
 * @module
 */
import { peerPath } from './binaries.js';
import { type ConfigContext, type ConfigSource, type HttpPeer, type HttpPeerOptions, resolveConfig, startHttpPeer } from './http-peer.js';

/**
 * Options of {@link startHaproxy}.
 *
 * @example
 * ```ts
 * const options: HaproxyOptions = { defaultBackend: 'app', config: 'backend app\n  server app1 127.0.0.1:9000 proto fcgi\n' };
 * ```
 */
export interface HaproxyOptions extends HttpPeerOptions {
  /** Config appended after `global` and `defaults`: `fcgi-app` sections and backends (and frontends, see `defaultBackend`). */
  config?: ConfigSource;
  /** When given, the kit writes `frontend main` bound to the port with this `default_backend`; otherwise write your own frontend on `context.port`. */
  defaultBackend?: string;
}

function frontend(options: HaproxyOptions, context: ConfigContext): string {
  if (options.defaultBackend === undefined) return '';
  return `frontend main
  bind ${context.host}:${context.port}
  default_backend ${options.defaultBackend}
`;
}

/**
 * The haproxy.cfg this kit writes: `global` (log to stderr), `defaults` (mode http,
 * timeouts), the optional frontend, then the caller's config.
 *
 * @example
 * ```ts
 * haproxyConfig({ defaultBackend: 'php', config: 'backend php\n  ...' }, context);
 * ```
 */
export function haproxyConfig(options: HaproxyOptions, context: ConfigContext): string {
  return `global
  log stderr format raw local0 info
  maxconn 256

defaults
  mode http
  log global
  option httplog
  timeout connect 5s
  timeout client 30s
  timeout server 30s

${frontend(options, context)}
${resolveConfig(options.config, context)}
`;
}

/**
 * Starts `haproxy -db -f RUN/haproxy.cfg` and waits until its port accepts connections.
 *
 * @example
 * ```ts
 * const haproxy = await startHaproxy({
 *   defaultBackend: 'php',
 *   config: `fcgi-app php\n  docroot ${php.documentRoot}\n\nbackend php\n  use-fcgi-app php\n  server php1 127.0.0.1:${php.port} proto fcgi\n`,
 * });
 * await haproxy.stop();
 * ```
 */
export async function startHaproxy(options: HaproxyOptions = {}): Promise<HttpPeer> {
  const command = peerPath('haproxy');
  return startHttpPeer(
    {
      name: 'haproxy',
      command,
      configFile: 'haproxy.cfg',
      logFiles: [],
      config: (context) => haproxyConfig(options, context),
      args: (_context, configPath) => ['-db', '-f', configPath],
    },
    options,
  );
}
