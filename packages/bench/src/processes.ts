/**
 * Forks the benchmark apps and tracks every child process so that all of them are stopped,
 * also when a scenario fails or the run is interrupted.
 *
 * @module
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { AppSpec } from './apps/spec.js';

const appPath = new URL('./apps/app.js', import.meta.url);
const running = new Set<ChildProcess>();

/** A running app: its address (`127.0.0.1:PORT` or a socket path), pid, and controls. */
export interface App {
  address: string;
  pid: number;
  /** Sends `message` and resolves with the first reply carrying `key`. */
  ask<T>(message: string, key: string): Promise<T>;
  /** Peak resident set size (VmHWM) from /proc, in bytes. */
  peakRss(): number;
  stop(): Promise<void>;
}

function stopChild(child: ChildProcess): Promise<void> {
  running.delete(child);
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = once(child, 'exit').then(() => undefined);
  // Disconnecting lets the app exit by itself (writing a --cpu-prof profile); a kill follows if it does not.
  if (child.connected) child.disconnect();
  const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
  return exited.finally(() => clearTimeout(timer));
}

/**
 * Reads VmHWM of a process, in bytes (0 when gone).
 *
 * @example
 * ```ts
 * processPeakRss(process.pid);
 * ```
 */
export function processPeakRss(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? 0 : Number(match[1]) * 1024;
  } catch {
    return 0;
  }
}

/**
 * Forks `apps/app.js` (or another build of it, `script`) with `spec` and waits until it listens.
 *
 * @example
 * ```ts
 * const app = await startApp({ kind: 'http' });
 * await app.stop();
 * ```
 */
export async function startApp(spec: AppSpec, execArgv: string[] = [], script: URL | string = appPath): Promise<App> {
  const child = fork(script, [JSON.stringify(spec)], { execArgv: ['--expose-gc', ...execArgv], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  running.add(child);
  const ready = new Promise<string>((resolve, reject) => {
    child.on('message', (message: { ready?: string }) => {
      if (message.ready !== undefined) resolve(message.ready);
    });
    child.once('exit', (code) => reject(new Error(`app ${spec.kind} exited with ${String(code)} before listening`)));
  });
  const address = await ready.catch(async (error: unknown) => {
    await stopChild(child);
    throw error;
  });
  return {
    address,
    pid: child.pid ?? 0,
    ask<T>(message: string, key: string): Promise<T> {
      return new Promise<T>((resolve) => {
        const listener = (reply: Record<string, T>): void => {
          if (!(key in reply)) return;
          child.off('message', listener);
          resolve(reply[key] as T);
        };
        child.on('message', listener);
        child.send(message);
      });
    },
    peakRss: () => processPeakRss(child.pid ?? 0),
    stop: () => stopChild(child),
  };
}

/**
 * Stops every app still running (for `finally` blocks and signal handlers).
 *
 * @example
 * ```ts
 * await stopAllApps();
 * ```
 */
export async function stopAllApps(): Promise<void> {
  await Promise.all([...running].map(stopChild));
}
