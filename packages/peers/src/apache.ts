/**
 * Apache httpd 2.4 in the foreground with modules loaded by absolute path (no apache2ctl,
 * no /etc/apache2).
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { peerPath } from './binaries.js';
import { type ConfigContext, type ConfigSource, type HttpPeer, type HttpPeerOptions, resolveConfig, startHttpPeer } from './http-peer.js';

/**
 * Where Debian keeps Apache's modules.
 *
 * @example
 * ```ts
 * `${apacheModuleDirectory}/mod_proxy_fcgi.so`
 * ```
 */
export const apacheModuleDirectory = '/usr/lib/apache2/modules';

/**
 * Modules always loaded: the event MPM, access control, the FastCGI proxy and authorizer, and a few everyday ones.
 *
 * @example
 * ```ts
 * defaultApacheModules.includes('authnz_fcgi'); // true
 * ```
 */
export const defaultApacheModules = [
  'mpm_event', 'authz_core', 'authn_core', 'authz_host', 'authz_user', 'auth_basic',
  'proxy', 'proxy_fcgi', 'authnz_fcgi', 'alias', 'rewrite', 'headers', 'setenvif', 'env', 'mime', 'dir',
] as const;

/**
 * Options of {@link startApache}.
 *
 * @example
 * ```ts
 * const options: ApacheOptions = { modules: ['proxy_http'], config: 'ProxyPass "/api/" "http://127.0.0.1:3000/"' };
 * ```
 */
export interface ApacheOptions extends HttpPeerOptions {
  /** Config appended after the kit's base (`ProxyPass`, `<Location>`, `AuthnzFcgiDefineProvider`...). */
  config?: ConfigSource;
  /** The document root (default: `htdocs` in the run directory, created empty). */
  documentRoot?: string;
  /** More module names to load, e.g. `['proxy_http']` for `mod_proxy_http.so`. */
  modules?: readonly string[];
}

function loadModuleLines(names: readonly string[]): string {
  return names.map((name) => `LoadModule ${name}_module ${apacheModuleDirectory}/mod_${name}.so`).join('\n');
}

/** `User`/`Group` lines for when Apache starts as root (it refuses to run workers as root). */
function userLines(): string {
  if (process.getuid?.() !== 0) return '';
  const hasWwwData = readFileSync('/etc/passwd', 'latin1').split('\n').some((line) => line.startsWith('www-data:'));
  return hasWwwData ? 'User www-data\nGroup www-data' : 'User nobody\nGroup nogroup';
}

function missingModules(names: readonly string[]): string[] {
  return names.filter((name) => !existsSync(`${apacheModuleDirectory}/mod_${name}.so`));
}

/**
 * The httpd.conf this kit writes: server root, pid file and error log in the run
 * directory, `DocumentRoot` (default RUN/htdocs) open to all, then the caller's config.
 *
 * @example
 * ```ts
 * apacheConfig({ config: 'ProxyPass "/app/" "fcgi://127.0.0.1:9000/"' }, context);
 * ```
 */
export function apacheConfig(options: ApacheOptions, context: ConfigContext): string {
  const run = context.runDirectory;
  const documentRoot = options.documentRoot ?? `${run}/htdocs`;
  return `ServerRoot "${run}"
ServerName ${context.host}
Listen ${context.host}:${context.port}
PidFile "${run}/httpd.pid"
DefaultRuntimeDir "${run}"
ErrorLog "${run}/error.log"
LogLevel warn
${loadModuleLines([...defaultApacheModules, ...(options.modules ?? [])])}
${userLines()}
TypesConfig /etc/mime.types
DocumentRoot "${documentRoot}"
<Directory "${documentRoot}">
  Require all granted
</Directory>
${resolveConfig(options.config, context)}
`;
}

/**
 * Starts `apache2 -d RUN -f RUN/httpd.conf -D FOREGROUND` and waits until its port accepts
 * connections.
 *
 * @example
 * ```ts
 * const apache = await startApache({ config: `ProxyPass "/" "fcgi://127.0.0.1:${php.port}/"` });
 * await fetch(`${apache.url}/index.php`);
 * await apache.stop();
 * ```
 */
export async function startApache(options: ApacheOptions = {}): Promise<HttpPeer> {
  const command = peerPath('apache');
  const missing = missingModules([...defaultApacheModules, ...(options.modules ?? [])]);
  if (missing.length > 0) throw new Error(`Apache modules missing in ${apacheModuleDirectory}: ${missing.join(', ')}`);
  return startHttpPeer(
    {
      name: 'apache',
      command,
      configFile: 'httpd.conf',
      logFiles: ['error.log'],
      config: (context) => apacheConfig(options, context),
      args: (context, configPath) => ['-d', context.runDirectory, '-f', configPath, '-D', 'FOREGROUND'],
      prepare: async (context) => {
        await mkdir(`${context.runDirectory}/htdocs`, { mode: 0o755 });
      },
    },
    options,
  );
}
