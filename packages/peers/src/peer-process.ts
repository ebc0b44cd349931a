/**
 * Starting a peer process in the foreground, waiting until it accepts connections, keeping
 * its output and logs for failure messages, and stopping it by pid.
 *
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { once } from 'node:events';
import { removeRunDirectory } from './run-dir.js';
import { type ListenAddress, waitForConnection } from './wait.js';

/**
 * A started peer.
 *
 * @example
 * ```ts
 * const peer: RunningPeer = await startPhpFpm();
 * expect(status, peer.logs()).toBe(200);
 * await peer.stop();
 * ```
 */
export interface RunningPeer {
  /** Which peer this is (`nginx`, `php-fpm`, ...). */
  readonly name: string;
  /** The process id of the peer's main process. */
  readonly pid: number;
  /** The peer's own directory: config, logs, pid file, sockets, temp files. */
  readonly runDirectory: string;
  /** The config file the peer was started with. */
  readonly configPath: string;
  /** The peer's captured stdout/stderr and the tails of its log files, for failure messages. */
  logs(): string;
  /** Stops the peer by pid (SIGTERM, then SIGKILL to its process group after 5 s) and removes its run directory. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * What {@link launchPeer} needs.
 *
 * @example
 * ```ts
 * const options: LaunchOptions = { name: 'my-app', command: '/usr/bin/my-app', args: ['--port', String(port)],
 *   runDirectory, configPath, readyAddress: { host: '127.0.0.1', port } };
 * ```
 */
export interface LaunchOptions {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly runDirectory: string;
  readonly configPath: string;
  /** The address that accepts connections once the peer is ready. */
  readonly readyAddress: ListenAddress;
  /** Log files to show in `logs()` and failure messages. */
  readonly logFiles?: readonly string[];
  /** Extra environment variables. */
  readonly environment?: Readonly<Record<string, string>>;
  /** Readiness timeout in milliseconds (default 15000). */
  readonly timeout?: number;
}

const outputLimit = 64 * 1024;
const logTailLimit = 8 * 1024;
const stopTimeout = 5_000;
const running = new Set<ChildProcess>();

/** Last resort when a test process exits without stopping its peers: kill their process groups. */
process.once('exit', () => {
  for (const child of running) killGroup(child, 'SIGKILL');
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

function tail(text: string, limit: number): string {
  return text.length <= limit ? text : `...${text.slice(-limit)}`;
}

function readLogTail(path: string): string {
  try {
    return tail(readFileSync(path, 'latin1'), logTailLimit);
  } catch {
    return '(not written)';
  }
}

/** Collects a child's stdout and stderr, keeping the last 64 KiB. */
function captureOutput(child: ChildProcess): () => string {
  let output = '';
  const append = (chunk: Buffer): void => {
    output = tail(output + chunk.toString('latin1'), outputLimit);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  return () => output;
}

/** SIGTERM to the main process, SIGKILL to its group after 5 s; then SIGKILL to any worker left in the group. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), stopTimeout);
    await exited;
    clearTimeout(timer);
  }
  killGroup(child, 'SIGKILL');
}

function exitDescription(child: ChildProcess): string | undefined {
  if (child.exitCode !== null) return `exited with code ${child.exitCode}`;
  if (child.signalCode !== null) return `was killed by ${child.signalCode}`;
  return undefined;
}

/**
 * Spawns a peer in the foreground (in its own process group), waits until `readyAddress`
 * accepts a connection, and returns a handle. If the peer exits or never becomes ready,
 * it is stopped, its run directory removed, and the error carries its output and logs.
 *
 * @example
 * ```ts
 * const peer = await launchPeer({ name: 'nginx', command: '/usr/sbin/nginx', args: ['-p', dir, '-c', conf],
 *   runDirectory: dir, configPath: conf, readyAddress: { host: '127.0.0.1', port } });
 * await peer.stop();
 * ```
 */
export async function launchPeer(options: LaunchOptions): Promise<RunningPeer> {
  const child = spawn(options.command, options.args, {
    cwd: options.runDirectory,
    env: { ...process.env, ...options.environment },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const spawnError = once(child, 'spawn').then(() => undefined, (error: Error) => error.message);
  const output = captureOutput(child);
  const logs = (): string => describeLogs(options, output());
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= stopChild(child).then(() => removeRunDirectory(options.runDirectory));
    return stopped;
  };
  const failure = await spawnError;
  if (failure !== undefined || child.pid === undefined) {
    await stop();
    throw new Error(`${options.name} could not be started: ${failure ?? 'no pid'}`);
  }
  await waitUntilReady(options, child, logs, stop);
  return { name: options.name, pid: child.pid, runDirectory: options.runDirectory, configPath: options.configPath, logs, stop };
}

async function waitUntilReady(options: LaunchOptions, child: ChildProcess, logs: () => string, stop: () => Promise<void>): Promise<void> {
  try {
    await waitForConnection(options.readyAddress, { timeout: options.timeout, failure: () => exitDescription(child) });
  } catch (error) {
    const message = `${options.name} did not start: ${(error as Error).message}\n${logs()}\n--- ${basename(options.configPath)} ---\n${readLogTail(options.configPath)}`;
    await stop();
    throw new Error(message, { cause: error });
  }
}

function describeLogs(options: LaunchOptions, output: string): string {
  const sections = [`--- ${options.name} stdout/stderr ---\n${output || '(empty)'}`];
  for (const path of options.logFiles ?? []) sections.push(`--- ${basename(path)} ---\n${readLogTail(path)}`);
  return sections.join('\n');
}
