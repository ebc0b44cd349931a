/** Spawning the built `fcgi` bin as a long-running process (serve, gateway), and asking it for pages. */
import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Client } from '@fcgi/client';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { bin: { fcgi: string } };
export const bin = fileURLToPath(new URL(`../../${packageJson.bin.fcgi}`, import.meta.url));
export const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/serve/${name}`, import.meta.url));

export interface FcgiProcess {
  readonly child: ChildProcess;
  /** Everything printed so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout matches (rejects after `timeout` ms, or when the process exits first). */
  waitForOutput(pattern: RegExp, timeout?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (or the signal's name) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** Sends SIGKILL if still running and waits for the exit. */
  kill(): Promise<void>;
}

export function spawnFcgi(args: readonly string[], options: { stdio0?: number | 'pipe' | 'ignore'; cwd?: string } = {}): FcgiProcess {
  const stdio: StdioOptions = [options.stdio0 ?? 'ignore', 'pipe', 'pipe'];
  const child = spawn(process.execPath, [bin, ...args], { stdio, cwd: options.cwd ?? process.cwd() });
  let out = '';
  let err = '';
  const watchers = new Set<() => void>();
  child.stdout?.on('data', (chunk: Buffer) => ((out += chunk.toString('utf8')), watchers.forEach((watch) => watch())));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => (watchers.forEach((watch) => watch()), resolve(code ?? signal ?? -1))));
  let done = false;
  void exited.then(() => (done = true));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForOutput: (pattern, timeout = 10_000) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => (watchers.delete(check), reject(new Error(`no ${pattern} within ${timeout} ms; stdout: ${out}; stderr: ${err}`))), timeout);
      const check = (): void => {
        const match = pattern.exec(out);
        if (match !== null || done || child.exitCode !== null) {
          clearTimeout(timer);
          watchers.delete(check);
          if (match !== null) resolve(match);
          else reject(new Error(`exited before ${pattern}; stdout: ${out}; stderr: ${err}`));
        }
      };
      watchers.add(check);
      check();
    }),
    kill: async () => {
      if (!done) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** One request on a fresh connection (so that a cluster may hand it to any worker); resolves to the status and body. */
export async function ask(address: string, path = '/', timeout = 5000): Promise<{ status: number; body: string }> {
  const client = new Client({ address, connections: 1, connectTimeout: timeout, requestTimeout: timeout, getValues: false });
  try {
    const response = await client.request({ params: { REQUEST_METHOD: 'GET', REQUEST_URI: path, SCRIPT_NAME: path, QUERY_STRING: '' } });
    const chunks: Buffer[] = [];
    for await (const chunk of response.body) chunks.push(Buffer.from(chunk as Uint8Array));
    await response.done;
    return { status: response.status, body: Buffer.concat(chunks).toString('utf8') };
  } finally {
    await client.destroy();
  }
}

/** The pid an app fixture reports in its body. */
export const pidOf = (body: string): number => Number(/pid=(\d+)/.exec(body)?.[1]);

/** A loopback TCP port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
