/**
 * Running docs/examples files for docs-samples.test.ts: the sandbox they run in, a small
 * concurrency limit, run-to-exit examples, and served examples probed then stopped.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The workspace packages an example may import, by name. */
export const FCGI_PACKAGES = ['codec', 'server', 'client', 'express', 'fastify', 'harness', 'cli', 'peers'];
/** The npm packages an example may import: the copy a workspace package uses (linked when installed). */
const NPM_PACKAGES: Record<string, string> = {
  express: 'packages/express/node_modules/express',
  fastify: 'packages/fastify/node_modules/fastify',
  vitest: 'packages/harness/node_modules/vitest',
  koa: 'packages/server/node_modules/koa',
};

/** How an example ended: its exit code (or the signal that ended it) and its output. */
export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * A folder holding a copy of every example, a node_modules of symlinks to the workspace
 * packages (their built dist) and npm packages, an empty vitest config, and `www/`, a
 * document root with index.php and style.css for the php-fpm examples.
 */
export function createSandbox(root: string, examples: string, files: string[]): string {
  const sandbox = mkdtempSync(join(tmpdir(), 'fcgi-docs-samples-'));
  const modules = join(sandbox, 'node_modules');
  mkdirSync(join(modules, '@fcgi'), { recursive: true });
  for (const name of FCGI_PACKAGES) symlinkSync(join(root, 'packages', name), join(modules, '@fcgi', name), 'dir');
  for (const [name, path] of Object.entries(NPM_PACKAGES)) {
    if (existsSync(join(root, path))) symlinkSync(realpathSync(join(root, path)), join(modules, name), 'dir');
  }
  writeFileSync(join(sandbox, 'vitest.config.mjs'), 'export default {};\n');
  for (const name of files) cpSync(join(examples, name), join(sandbox, name));
  mkdirSync(join(sandbox, 'www'));
  writeFileSync(join(sandbox, 'www/index.php'), '<?php echo "front controller";\n');
  writeFileSync(join(sandbox, 'www/style.css'), 'body { color: teal; }\n');
  mkdirSync(join(sandbox, 'www/legacy'));
  writeFileSync(join(sandbox, 'www/legacy/upload.php'), '<?php echo file_get_contents("php://input");\n');
  return sandbox;
}

/** Runs at most `limit` tasks at once, in the order they were asked for. */
export function createLimiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    // A finished task hands its slot straight to the oldest waiting one (running stays the same).
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else running += 1;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next === undefined) running -= 1;
      else next();
    }
  };
}

/** This process runs under vitest: keep its variables (VITEST, VITEST_POOL_ID...) from the child. */
export function childEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST') && key !== 'NODE_OPTIONS'));
  return { ...inherited, NO_COLOR: '1', ...extra };
}

/** Starts `node args` in `cwd` and collects its output. */
function start(args: string[], cwd: string, env: NodeJS.ProcessEnv): { child: ChildProcess; output: { stdout: string; stderr: string } } {
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output.stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output.stderr += chunk));
  return { child, output };
}

/** Resolves when the child has exited, killing it with SIGKILL after `timeout` ms. */
function exited(child: ChildProcess, timeout: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; timedOut: boolean }> {
  return new Promise((resolve) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeout);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, timedOut });
    });
  });
}

/** Runs `node args` until it exits (at most `timeout` ms). */
export async function runToExit(args: string[], cwd: string, env: NodeJS.ProcessEnv, timeout: number): Promise<RunResult> {
  const { child, output } = start(args, cwd, env);
  const end = await exited(child, timeout);
  return { ...end, ...output };
}

/** A free loopback TCP port (the kernel's pick, released for the child to take). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Resolves once 127.0.0.1:port accepts a connection; rejects when `stopped()` turns true or after `timeout` ms. */
async function listening(port: number, stopped: () => boolean, timeout: number): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (accepted) return;
    if (stopped()) throw new Error('the example exited before it listened');
    if (Date.now() > deadline) throw new Error(`nothing listened on port ${port} within ${timeout} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Starts a serving example with PORT set to a free port (and FCGI_LISTEN to
 * 127.0.0.1:PORT), waits until it listens, runs `probe(port)`, then sends SIGTERM and
 * waits for the exit. Resolves with the probe's answer (or the error that stopped it) and
 * how the example ended.
 */
export async function runServed(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  probe: (port: number) => Promise<string>,
  timeout: number,
): Promise<RunResult & { answer: string }> {
  const port = await freePort();
  const { child, output } = start(args, cwd, { ...env, PORT: String(port), FCGI_LISTEN: `127.0.0.1:${port}` });
  const ending = exited(child, timeout);
  let stopped = false;
  void ending.then(() => (stopped = true));
  let answer: string;
  try {
    await listening(port, () => stopped, timeout);
    answer = await probe(port);
  } catch (error) {
    answer = `probe failed: ${error instanceof Error ? error.message : String(error)}`;
  }
  child.kill('SIGTERM');
  const end = await ending;
  return { ...end, ...output, answer };
}
