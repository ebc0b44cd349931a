/**
 * lighttpd 1.4 in the foreground with its own config.
 *
 * @module
 */
import { mkdir } from 'node:fs/promises';
import { peerPath } from './binaries.js';
import { type ConfigContext, type ConfigSource, type HttpPeer, type HttpPeerOptions, resolveConfig, startHttpPeer } from './http-peer.js';

/**
 * Options of {@link startLighttpd}.
 *
 * @example
 * ```ts
 * const options: LighttpdOptions = { documentRoot: php.documentRoot, config: 'fastcgi.debug = 1' };
 * ```
 */
export interface LighttpdOptions extends HttpPeerOptions {
  /** Config appended after the kit's base, e.g. `fastcgi.server = ( ".php" => ((...)) )`. */
  config?: ConfigSource;
  /** The document root (default: `htdocs` in the run directory, created empty). */
  documentRoot?: string;
  /** Modules to load (default `['mod_access', 'mod_fastcgi']`). */
  modules?: readonly string[];
}

/**
 * The lighttpd.conf this kit writes: bind, port, `server.document-root = RUN/htdocs`,
 * error log in the run directory, the modules, then the caller's config.
 *
 * @example
 * ```ts
 * lighttpdConfig({ config: 'fastcgi.debug = 1' }, context);
 * ```
 */
export function lighttpdConfig(options: LighttpdOptions, context: ConfigContext): string {
  const run = context.runDirectory;
  const modules = (options.modules ?? ['mod_access', 'mod_fastcgi']).map((name) => `"${name}"`).join(', ');
  return `server.bind = "${context.host}"
server.port = ${context.port}
server.document-root = "${options.documentRoot ?? `${run}/htdocs`}"
server.errorlog = "${run}/error.log"
server.pid-file = "${run}/lighttpd.pid"
server.upload-dirs = ( "${run}/uploads" )
server.modules = ( ${modules} )
${resolveConfig(options.config, context)}
`;
}

/**
 * Starts `lighttpd -D -f RUN/lighttpd.conf` (as the invoking user, no privilege drop) and
 * waits until its port accepts connections.
 *
 * @example
 * ```ts
 * const lighttpd = await startLighttpd({ config: `fastcgi.server = ( ".php" => (( "host" => "127.0.0.1", "port" => ${php.port}, "check-local" => "disable" )) )` });
 * await lighttpd.stop();
 * ```
 */
export async function startLighttpd(options: LighttpdOptions = {}): Promise<HttpPeer> {
  const command = peerPath('lighttpd');
  return startHttpPeer(
    {
      name: 'lighttpd',
      command,
      configFile: 'lighttpd.conf',
      logFiles: ['error.log'],
      config: (context) => lighttpdConfig(options, context),
      args: (_context, configPath) => ['-D', '-f', configPath],
      prepare: async (context) => {
        await mkdir(`${context.runDirectory}/htdocs`, { mode: 0o755 });
        await mkdir(`${context.runDirectory}/uploads`, { mode: 0o755 });
      },
    },
    options,
  );
}
