/**
 * php-fpm 8.2 with its own pool config and php.ini, never reading /etc/php.
 *
 * @module
 */
import { mkdir } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { peerPath } from './binaries.js';
import { PeerOptionError } from './errors.js';
import { type RunningPeer, launchPeer } from './peer-process.js';
import { withFreePort } from './ports.js';
import { createRunDirectory, removeRunDirectory, writeRunFile } from './run-dir.js';
import type { ListenAddress } from './wait.js';

/**
 * Options of {@link startPhpFpm}.
 *
 * @example
 * ```ts
 * const options: PhpFpmOptions = { listen: 'unix', children: 4, files: { 'index.php': '<?php echo "hi";' }, ini: 'memory_limit = 64M' };
 * ```
 */
export interface PhpFpmOptions {
  /** Where the scripts live (default: `htdocs` in the run directory, created empty). Must be absolute. */
  documentRoot?: string;
  /** Files to write into the document root before starting, by path relative to it: `{ 'index.php': '<?php echo "hi";' }`. */
  files?: Readonly<Record<string, string | Uint8Array>>;
  /** Worker processes: `pm.max_children` of the static pool (default 2). Each request in progress, and each connection a web server keeps open, holds one. */
  children?: number;
  /** Another name for `children`, as php-fpm calls it. */
  maxChildren?: number;
  /** A TCP port on 127.0.0.1, an absolute Unix socket path, or `'unix'` for `php-fpm.sock` in the run directory (default: a free TCP port). */
  listen?: number | string;
  /** The pool's user when running as root (default: none, started with `-R`, workers run as root). */
  user?: string;
  /** Extra lines for the `[www]` pool section, e.g. `request_terminate_timeout = 5`. */
  pool?: string;
  /** Extra php.ini lines. `error_log` is left unset so `error_log()` output travels as STDERR records. */
  ini?: string;
  /** Readiness timeout in milliseconds (default 15000). */
  timeout?: number;
}

/**
 * A started php-fpm.
 *
 * @example
 * ```ts
 * const php: PhpFpmPeer = await startPhpFpm({ listen: 'unix' });
 * php.address; // 'unix:/tmp/fcgi-php-fpm-XXXXXX/php-fpm.sock'
 * ```
 */
export interface PhpFpmPeer extends RunningPeer {
  /** `127.0.0.1:<port>` or `unix:<path>`: the form nginx's `fastcgi_pass` and the @fcgi CLI take. */
  readonly address: string;
  /** The TCP port, when listening on TCP. */
  readonly port: number | undefined;
  /** The socket path, when listening on a Unix socket. */
  readonly socketPath: string | undefined;
  /** The directory the scripts are in. */
  readonly documentRoot: string;
}

function resolveListen(listen: number | string, runDirectory: string): ListenAddress {
  if (typeof listen === 'number') return { host: '127.0.0.1', port: listen };
  if (listen === 'unix') return { path: join(runDirectory, 'php-fpm.sock') };
  if (!isAbsolute(listen)) throw new PeerOptionError('listen', `php-fpm's socket path must be absolute: ${listen}`);
  return { path: listen };
}

function listenDirective(address: ListenAddress): string {
  return 'path' in address ? `${address.path}\nlisten.mode = 0666` : `${address.host}:${address.port}`;
}

/** `children` or `maxChildren` (default 2); throws {@link PeerOptionError} unless a positive integer. */
function poolSize(options: PhpFpmOptions): number {
  const children = options.children ?? options.maxChildren ?? 2;
  if (!Number.isInteger(children) || children < 1) throw new PeerOptionError('children', `${children} is not a positive number of workers`);
  return children;
}

/**
 * The pool config this kit writes (a `[global]` section with the pid file and the master's
 * log in the run directory, then a static `[www]` pool with `/status` and `/ping`).
 *
 * @example
 * ```ts
 * phpFpmPoolConfig({ children: 4 }, '/tmp/run', { host: '127.0.0.1', port: 9000 });
 * ```
 */
export function phpFpmPoolConfig(options: PhpFpmOptions, runDirectory: string, address: ListenAddress): string {
  const user = options.user === undefined ? '' : `user = ${options.user}\ngroup = ${options.user}\n`;
  return `[global]
pid = ${runDirectory}/php-fpm.pid
error_log = ${runDirectory}/php-fpm.log
log_level = notice
daemonize = no

[www]
${user}listen = ${listenDirective(address)}
pm = static
pm.max_children = ${poolSize(options)}
pm.status_path = /status
ping.path = /ping
${options.pool ?? ''}
`;
}

function commandArguments(options: PhpFpmOptions, runDirectory: string): string[] {
  const asRoot = process.getuid?.() === 0 && options.user === undefined;
  return ['-F', ...(asRoot ? ['-R'] : []), '-p', runDirectory, '-y', join(runDirectory, 'php-fpm.conf'), '-c', join(runDirectory, 'php.ini')];
}

async function prepareFiles(options: PhpFpmOptions, runDirectory: string, address: ListenAddress): Promise<string> {
  const documentRoot = options.documentRoot ?? join(runDirectory, 'htdocs');
  await mkdir(documentRoot, { recursive: true, mode: 0o755 });
  for (const [path, content] of Object.entries(options.files ?? {})) await writeRunFile(documentRoot, path, content);
  await writeRunFile(runDirectory, 'php.ini', `${options.ini ?? ''}\n`);
  await writeRunFile(runDirectory, 'php-fpm.conf', phpFpmPoolConfig(options, runDirectory, address));
  return documentRoot;
}

function checkOptions(options: PhpFpmOptions): void {
  poolSize(options);
  if (options.documentRoot !== undefined && !isAbsolute(options.documentRoot)) {
    throw new PeerOptionError('documentRoot', `'${options.documentRoot}' is not an absolute path`);
  }
}

/**
 * Starts `php-fpm8.2 -F -p RUN -y RUN/php-fpm.conf -c RUN/php.ini` with `PHP_INI_SCAN_DIR`
 * empty (so /etc/php is not read), as root with `-R` unless `user` is given, and waits
 * until its socket accepts connections. Rejects with `PeerMissingError` when php-fpm is not
 * installed, with `PeerOptionError` for a bad option, and with php-fpm's own output when it
 * fails to start. `stop()` kills it, waits for it to exit and removes its run directory (a
 * `documentRoot` you gave is left alone); calling it again does nothing.
 *
 * @example
 * ```ts
 * const php = await startPhpFpm({ listen: 'unix', children: 2, files: { 'index.php': '<?php echo "hi";' } });
 * // nginx: fastcgi_pass ${php.address}; root ${php.documentRoot};
 * await php.stop();
 * ```
 */
export async function startPhpFpm(options: PhpFpmOptions = {}): Promise<PhpFpmPeer> {
  checkOptions(options);
  const command = peerPath('php-fpm');
  if (typeof options.listen === 'string') return startListening(options, command, options.listen);
  return withFreePort(options.listen, (port) => startListening(options, command, port));
}

async function startListening(options: PhpFpmOptions, command: string, listen: number | string): Promise<PhpFpmPeer> {
  const runDirectory = await createRunDirectory('php-fpm');
  let address: ListenAddress;
  let documentRoot: string;
  try {
    address = resolveListen(listen, runDirectory);
    documentRoot = await prepareFiles(options, runDirectory, address);
  } catch (error) {
    await removeRunDirectory(runDirectory);
    throw error;
  }
  const peer = await launchPeer({
    name: 'php-fpm',
    command,
    args: commandArguments(options, runDirectory),
    runDirectory,
    configPath: join(runDirectory, 'php-fpm.conf'),
    readyAddress: address,
    logFiles: [join(runDirectory, 'php-fpm.log')],
    environment: { PHP_INI_SCAN_DIR: '' },
    timeout: options.timeout,
  });
  const where = 'path' in address
    ? { address: `unix:${address.path}`, port: undefined, socketPath: address.path }
    : { address: `${address.host}:${address.port}`, port: address.port, socketPath: undefined };
  return { ...peer, ...where, documentRoot };
}
