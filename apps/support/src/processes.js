// Running a server program (php-fpm, nginx, Apache) from Node: find its binary, write its
// config from a template, start it in the foreground, wait until it accepts connections,
// and stop it by pid. Shared by the apps that start real servers; copy this file along
// with an app to use that app on its own.
import { spawn } from 'node:child_process';
import { accessSync, constants, rmSync } from 'node:fs';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { connect, createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

const searchDirectories = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/**
 * The absolute path of the first of `names` found in PATH or the sbin directories.
 *
 * @example
 * findBinary(['php-fpm8.2', 'php-fpm']); // '/usr/sbin/php-fpm8.2'
 * @param {string[]} names
 * @returns {string | undefined}
 */
export function findBinary(names) {
  const directories = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...searchDirectories];
  for (const name of names) {
    for (const directory of directories) {
      try {
        accessSync(join(directory, name), constants.X_OK);
        return join(directory, name);
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/**
 * Reads a config template and replaces each `{{NAME}}` with `values.NAME`; a placeholder
 * without a value is an error, so a typo never reaches the server program.
 *
 * @example
 * await renderTemplate(new URL('../config/php-fpm.conf', import.meta.url), { RUN_DIRECTORY: '/tmp/x' });
 * @param {URL | string} templatePath
 * @param {Record<string, string | number>} values
 */
export async function renderTemplate(templatePath, values) {
  const template = await readFile(templatePath, 'utf8');
  return template.replace(/\{\{([A-Z_]+)\}\}/g, (_, name) => {
    if (!(name in values)) throw new Error(`${templatePath}: no value for {{${name}}}`);
    return String(values[name]);
  });
}

/**
 * Tries one connection to a TCP port or Unix socket; true when it was accepted.
 *
 * @example
 * await canConnect({ path: '/tmp/php-fpm.sock' });
 * @param {{ host: string, port: number } | { path: string }} address
 * @returns {Promise<boolean>}
 */
export function canConnect(address) {
  return new Promise((resolve) => {
    const socket = connect(address);
    const finish = (accepted) => {
      socket.destroy();
      resolve(accepted);
    };
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
    socket.setTimeout(1000, () => finish(false));
  });
}

const started = new Set();
const runDirectories = new Set();
process.once('exit', () => {
  // Last resort, when the process ends without stop() (a crash): never leave a server or its files behind.
  for (const child of started) killGroup(child, 'SIGKILL');
  for (const directory of runDirectories) rmSync(directory, { recursive: true, force: true });
});

/**
 * Creates a temporary run directory for a server program; `remove()` deletes it. It is also
 * deleted when the process exits without calling `remove()`.
 *
 * @example
 * const run = await createRunDirectory('fcgi-tour-nginx-'); // run.path: '/tmp/fcgi-tour-nginx-XXXX'
 * await run.remove();
 * @param {string} prefix
 */
export async function createRunDirectory(prefix) {
  const path = await mkdtemp(join(tmpdir(), prefix));
  runDirectories.add(path);
  const remove = async () => {
    await rm(path, { recursive: true, force: true });
    runDirectories.delete(path);
  };
  return { path, remove };
}

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

async function waitUntilReady(child, address, output, name) {
  const deadline = Date.now() + 15_000;
  while (!(await canConnect(address))) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}):\n${output()}`);
    if (Date.now() > deadline) throw new Error(`${name} did not accept connections within 15 s:\n${output()}`);
    await delay(25);
  }
}

/**
 * Starts `command` in the foreground in its own process group and resolves once `address`
 * accepts a connection. `stop()` sends `stopSignal` (default SIGTERM), then SIGKILL to the
 * whole process group after 5 s or once the main process is gone.
 *
 * @example
 * const php = await startProcess({ name: 'php-fpm', command: '/usr/sbin/php-fpm8.2', args: ['-F', ...], address: { path: socket } });
 * await php.stop();
 * @param {{ name: string, command: string, args: string[], address: { host: string, port: number } | { path: string }, environment?: Record<string, string>, stopSignal?: NodeJS.Signals }} options
 */
export async function startProcess(options) {
  const child = spawn(options.command, options.args, { env: { ...process.env, ...options.environment }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let text = '';
  const append = (chunk) => (text = (text + chunk.toString('utf8')).slice(-16_384));
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  await once(child, 'spawn'); // rejects when the binary cannot be run
  child.on('error', (error) => append(Buffer.from(`${error.message}\n`))); // e.g. a failed kill: never an uncaught error
  started.add(child);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill(options.stopSignal ?? 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    killGroup(child, 'SIGKILL'); // workers left behind, if any
    started.delete(child);
  };
  try {
    await waitUntilReady(child, options.address, () => text, options.name);
  } catch (error) {
    await stop();
    throw error;
  }
  return { pid: child.pid, output: () => text, stop };
}

/** The peers named in FCGI_HIDE_PEERS (comma-separated, as @fcgi/test-peers reads it). */
function hiddenPeers() {
  return new Set((process.env.FCGI_HIDE_PEERS ?? '').split(',').map((name) => name.trim()).filter(Boolean));
}

/**
 * Looks a peer program up as {@link findBinary} does, except that a peer listed in
 * `FCGI_HIDE_PEERS` (e.g. `php-fpm,nginx`) counts as missing, so an app's fallback path can
 * be tried on a machine that has everything.
 *
 * @example
 * findPeer('php-fpm', ['php-fpm8.2', 'php-fpm']); // { path: '/usr/sbin/php-fpm8.2' } or { reason: 'php-fpm is hidden by FCGI_HIDE_PEERS' }
 * @param {string} name the peer's name, as FCGI_HIDE_PEERS spells it
 * @param {string[]} commands executable names to try, in order
 * @returns {{ path: string, reason?: undefined } | { path?: undefined, reason: string }}
 */
export function findPeer(name, commands) {
  if (hiddenPeers().has(name)) return { reason: `${name} is hidden by FCGI_HIDE_PEERS` };
  const path = findBinary(commands);
  if (path !== undefined) return { path };
  return { reason: `${name} is not installed (${commands.join(' or ')} not found in PATH or sbin)` };
}

/**
 * A free TCP port on 127.0.0.1, for programs that need a number in their config (nginx,
 * HAProxy, php-fpm) rather than port 0.
 *
 * @example
 * const port = await freePort(); // e.g. 43121
 * @returns {Promise<number>}
 */
export async function freePort() {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * Renders `template` (with `{{RUN_DIRECTORY}}` and `values(runDirectory)`) into a new run
 * directory as `configName`, starts the program with `args(runDirectory, configPath)` as
 * {@link startProcess} does, and waits for `address`. `stop()` stops it and removes the run
 * directory; so does a failed start.
 *
 * @example
 * const lighttpd = await startFromTemplate({
 *   name: 'lighttpd', command: '/usr/sbin/lighttpd', prefix: 'my-app-lighttpd-',
 *   template: new URL('../config/lighttpd.conf', import.meta.url), configName: 'lighttpd.conf',
 *   values: () => ({ PORT: 8083 }), args: (run, config) => ['-D', '-f', config], address: { host: '127.0.0.1', port: 8083 },
 * });
 * await lighttpd.stop();
 * @param {{ name: string, command: string, prefix: string, template: URL, configName: string, values: (runDirectory: string) => Record<string, string | number>, args: (runDirectory: string, configPath: string) => string[], address: { host: string, port: number } | { path: string } | ((runDirectory: string) => { host: string, port: number } | { path: string }), environment?: Record<string, string>, stopSignal?: NodeJS.Signals, prepare?: (runDirectory: string) => Promise<unknown> }} options
 * @returns {Promise<{ runDirectory: string, configPath: string, pid: number | undefined, output: () => string, stop: () => Promise<void> }>}
 */
export async function startFromTemplate(options) {
  const run = await createRunDirectory(options.prefix);
  const configPath = join(run.path, options.configName);
  let running;
  try {
    await options.prepare?.(run.path);
    await writeFile(configPath, await renderTemplate(options.template, { RUN_DIRECTORY: run.path, ...options.values(run.path) }));
    const address = typeof options.address === 'function' ? options.address(run.path) : options.address;
    running = await startProcess({ name: options.name, command: options.command, args: options.args(run.path, configPath), address, environment: options.environment, stopSignal: options.stopSignal });
  } catch (error) {
    await run.remove();
    throw error;
  }
  return {
    runDirectory: run.path,
    configPath,
    pid: running.pid,
    output: running.output,
    stop: async () => {
      await running.stop();
      await run.remove();
    },
  };
}

