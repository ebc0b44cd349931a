/**
 * Starts a throwaway php-fpm pool for the interop tests: its own run dir, config, docroot
 * and a free loopback port (or a Unix socket); stopped by pid.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const phpFpmBinary = 'php-fpm8.2';

/** True when php-fpm can be run here. */
export function phpFpmAvailable(): boolean {
  return spawnSync(phpFpmBinary, ['-v'], { stdio: 'ignore' }).status === 0;
}

/** Under FCGI_REQUIRE_PEERS=1 a missing php-fpm fails the test file instead of skipping it. */
export function requirePhpFpm(): boolean {
  const available = phpFpmAvailable();
  if (!available && process.env.FCGI_REQUIRE_PEERS === '1') throw new Error(`${phpFpmBinary} is required (FCGI_REQUIRE_PEERS=1) but cannot be run`);
  return available;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface PhpFpmOptions {
  maxChildren?: number;
  maxRequests?: number;
  unixSocket?: boolean;
  /** Reuse this TCP address (e.g. to restart php-fpm where it was). */
  address?: string;
  scripts: Record<string, string>;
}

export interface PhpFpm {
  readonly address: string;
  readonly documentRoot: string;
  readonly runDirectory: string;
  stop(): Promise<void>;
  log(): string;
}

function canConnect(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = address.startsWith('unix:') ? createConnection({ path: address.slice(5) }) : createConnection({ host: '127.0.0.1', port: Number(address.split(':')[1]) });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => { socket.destroy(); resolve(false); });
  });
}

export async function startPhpFpm(options: PhpFpmOptions): Promise<PhpFpm> {
  const runDirectory = mkdtempSync(join(tmpdir(), 'fcgi-client-php-'));
  chmodSync(runDirectory, 0o755);
  const documentRoot = join(runDirectory, 'www');
  mkdirSync(documentRoot);
  for (const [name, source] of Object.entries(options.scripts)) writeFileSync(join(documentRoot, name), source, { mode: 0o644 });
  const address = options.address ?? (options.unixSocket === true ? `unix:${join(runDirectory, 'php.sock')}` : `127.0.0.1:${await freePort()}`);
  const listen = address.startsWith('unix:') ? address.slice(5) : address;
  const running = process.getuid?.() === 0;
  writeFileSync(join(runDirectory, 'pool.conf'), [
    '[global]',
    `pid = ${join(runDirectory, 'php-fpm.pid')}`,
    `error_log = ${join(runDirectory, 'php-fpm.log')}`,
    'daemonize = no',
    '[test]',
    ...(running ? ['user = www-data', 'group = www-data'] : []),
    `listen = ${listen}`,
    'listen.mode = 0666',
    'pm = static',
    `pm.max_children = ${options.maxChildren ?? 4}`,
    `pm.max_requests = ${options.maxRequests ?? 0}`,
    'ping.path = /ping',
    'pm.status_path = /status',
    'clear_env = yes',
    '',
  ].join('\n'));
  writeFileSync(join(runDirectory, 'php.ini'), 'output_buffering = 0\nlog_errors = On\ndisplay_errors = Off\nmemory_limit = 64M\npost_max_size = 64M\n');
  const child: ChildProcess = spawn(phpFpmBinary, ['-F', '-p', runDirectory, '-y', join(runDirectory, 'pool.conf'), '-c', join(runDirectory, 'php.ini')], {
    env: { ...process.env, PHP_INI_SCAN_DIR: '' },
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const log = (): string => { try { return readFileSync(join(runDirectory, 'php-fpm.log'), 'utf8'); } catch { return ''; } };
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.pid !== undefined) {
      process.kill(child.pid, 'SIGTERM');
      const killer = setTimeout(() => child.pid !== undefined && child.exitCode === null && process.kill(child.pid, 'SIGKILL'), 3000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(runDirectory, { recursive: true, force: true });
  };
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await canConnect(address)) return { address, documentRoot, runDirectory, stop, log };
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const message = log();
  await stop();
  throw new Error(`php-fpm did not start: ${message}`);
}
