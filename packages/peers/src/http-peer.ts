/**
 * What the web-server launchers (nginx, Apache, lighttpd, HAProxy) share: a run directory,
 * a loopback port, a config text built from the caller's text or builder.
 *
 * @module
 */
import { withFreePort } from './ports.js';
import { type RunningPeer, launchPeer } from './peer-process.js';
import { createRunDirectory, removeRunDirectory, writeRunFile } from './run-dir.js';

/**
 * What a config builder gets to fill in paths and ports.
 *
 * @example
 * ```ts
 * const build = ({ runDirectory, port }: ConfigContext) => `access_log ${runDirectory}/${port}.log;`;
 * ```
 */
export interface ConfigContext {
  /** The peer's run directory (absolute). */
  readonly runDirectory: string;
  /** The loopback host the peer listens on, `127.0.0.1`. */
  readonly host: string;
  /** The port the peer listens on. */
  readonly port: number;
}

/**
 * Config text, or a function of the run directory and port that returns it.
 *
 * @example
 * ```ts
 * const text: ConfigSource = 'location / { return 204; }';
 * const built: ConfigSource = ({ port }) => `location / { return 200 "port ${port}"; }`;
 * ```
 */
export type ConfigSource = string | ((context: ConfigContext) => string);

/**
 * A started web server.
 *
 * @example
 * ```ts
 * const nginx: HttpPeer = await startNginx();
 * await fetch(`${nginx.url}/`);
 * ```
 */
export interface HttpPeer extends RunningPeer {
  /** `127.0.0.1`. */
  readonly host: string;
  /** The port it listens on. */
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
}

/**
 * Options every web-server launcher accepts.
 *
 * @example
 * ```ts
 * const options: HttpPeerOptions = { port: 18080, timeout: 30_000 };
 * ```
 */
export interface HttpPeerOptions {
  /** The port to listen on (default: a free one). */
  port?: number;
  /** Readiness timeout in milliseconds (default 15000). */
  timeout?: number;
}

/**
 * Turns a {@link ConfigSource} into text.
 *
 * @example
 * ```ts
 * resolveConfig(({ port }) => `listen ${port};`, context);
 * ```
 */
export function resolveConfig(source: ConfigSource | undefined, context: ConfigContext): string {
  if (source === undefined) return '';
  return typeof source === 'string' ? source : source(context);
}

/** How one web server is started, given its context. */
export interface HttpPeerRecipe {
  readonly name: string;
  readonly command: string;
  readonly configFile: string;
  readonly logFiles: readonly string[];
  config(context: ConfigContext): string;
  args(context: ConfigContext, configPath: string): string[];
  /** Runs after the config is written, before the start (e.g. create directories). */
  prepare?(context: ConfigContext): Promise<void>;
}

/**
 * Creates the run directory, picks the port, writes the config and starts the server
 * (again on a new port if another process took the free one first).
 *
 * @example
 * ```ts
 * const server = await startHttpPeer(recipe, { port: 8080 });
 * ```
 */
export function startHttpPeer(recipe: HttpPeerRecipe, options: HttpPeerOptions): Promise<HttpPeer> {
  return withFreePort(options.port, (port) => startOnPort(recipe, options, port));
}

async function startOnPort(recipe: HttpPeerRecipe, options: HttpPeerOptions, port: number): Promise<HttpPeer> {
  const host = '127.0.0.1';
  const runDirectory = await createRunDirectory(recipe.name);
  const context: ConfigContext = { runDirectory, host, port };
  let configPath: string;
  try {
    configPath = await writeRunFile(runDirectory, recipe.configFile, recipe.config(context));
    await recipe.prepare?.(context);
  } catch (error) {
    await removeRunDirectory(runDirectory);
    throw error;
  }
  const peer = await launchPeer({
    name: recipe.name,
    command: recipe.command,
    args: recipe.args(context, configPath),
    runDirectory,
    configPath,
    readyAddress: { host, port },
    logFiles: recipe.logFiles.map((file) => `${runDirectory}/${file}`),
    timeout: options.timeout,
  });
  return { ...peer, host, port, url: `http://${host}:${port}` };
}
