/**
 * The primary of `fcgi serve --workers N`: forks N workers (node:cluster) that share the
 * listening socket, restarts crashed ones with a crash-loop backoff, replaces a worker
 * that reached `--max-requests` (the replacement first), reloads on SIGHUP, and drains
 * everything on SIGTERM or SIGINT.
 *
 * @module
 */
import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { ExitCode } from '../exit-codes.js';
import { type CliIo, writeOutput } from '../io.js';
import { type WorkerMessage, isWorkerMessage } from './messages.js';
import { RestartBackoff } from './restart-policy.js';
import { removeStaleSocket } from './stale-socket.js';
import type { ServeConfig } from './serve-config.js';

/** How long after the grace period a worker that has not exited is killed. */
const killMargin = 5000;

interface WorkerState {
  readonly worker: Worker;
  listening: boolean;
  draining: boolean;
  /** The worker this one replaces: drained once this one listens. */
  replaces: WorkerState | undefined;
}

function workerArguments(config: ServeConfig): string[] {
  const args = ['serve', config.module, '--workers', String(config.workers), '--grace', String(config.grace), '--idle-timeout', String(config.idleTimeout)];
  const { listen } = config;
  if (listen.kind === 'tcp') args.push('--listen', listen.host.includes(':') ? `[${listen.host}]:${listen.port}` : `${listen.host}:${listen.port}`);
  else if (listen.kind === 'unix') args.push('--listen', `unix:${listen.path}`);
  else if (listen.explicit) args.push('--fd', '0');
  if (config.maxRequests > 0) args.push('--max-requests', String(config.maxRequests));
  return args;
}

class Primary {
  readonly #config: ServeConfig;
  readonly #io: CliIo;
  readonly #workers = new Map<number, WorkerState>();
  readonly #backoff = new RestartBackoff();
  readonly #restartTimers = new Set<NodeJS.Timeout>();
  #started = false;
  #stopping = false;
  #exitCode: number = ExitCode.Ok;
  #finish: (code: number) => void = () => {};
  readonly finished: Promise<number>;

  constructor(config: ServeConfig, io: CliIo) {
    this.#config = config;
    this.#io = io;
    this.finished = new Promise((resolve) => (this.#finish = resolve));
  }

  log(line: string, stream: 'stdout' | 'stderr' = 'stdout'): void {
    void writeOutput(this.#io[stream], `fcgi serve: ${line}\n`);
  }

  start(): void {
    cluster.setupPrimary({ exec: fileURLToPath(new URL('../bin.js', import.meta.url)), args: workerArguments(this.#config), cwd: this.#io.cwd });
    for (let index = 0; index < this.#config.workers; index += 1) this.fork(undefined);
  }

  fork(replaces: WorkerState | undefined): void {
    const state: WorkerState = { worker: cluster.fork(), listening: false, draining: false, replaces };
    this.#workers.set(state.worker.id, state);
    state.worker.on('message', (message: unknown) => {
      if (isWorkerMessage(message)) this.onMessage(state, message);
    });
    state.worker.on('exit', (code, signal) => this.onExit(state, code, signal));
    // A message to a worker that is exiting fails (EPIPE, ERR_IPC_CHANNEL_CLOSED): its 'exit' handles it.
    state.worker.on('error', () => {});
  }

  onMessage(state: WorkerState, message: WorkerMessage): void {
    if (message.fcgiServe === 'listening') this.onListening(state, message);
    else if (message.fcgiServe === 'fatal') this.onFatal(state, message);
    else if (!this.#stopping && !state.draining) {
      this.log(`worker ${state.worker.process.pid} served ${this.#config.maxRequests} requests: replacing it`);
      state.draining = true;
      this.fork(state);
    }
  }

  onListening(state: WorkerState, message: { address: string; kind: string }): void {
    state.listening = true;
    if (state.replaces !== undefined) this.drainWorker(state.replaces);
    state.replaces = undefined;
    if (this.#started || [...this.#workers.values()].filter((known) => known.listening).length < this.#config.workers) return;
    this.#started = true;
    this.log(`${message.kind} listening on ${message.address} with ${this.#config.workers} workers (primary pid ${process.pid})`);
  }

  onFatal(state: WorkerState, message: { message: string; exitCode: number }): void {
    this.log(`worker ${state.worker.process.pid} could not start: ${message.message}`, 'stderr');
    if (this.#started) return;
    this.stop(message.exitCode);
  }

  /** Keeps the first failure's exit code. */
  fail(exitCode: number): void {
    if (this.#exitCode === ExitCode.Ok) this.#exitCode = exitCode;
  }

  drainWorker(state: WorkerState): void {
    state.draining = true;
    if (state.worker.isConnected()) state.worker.send({ fcgiServe: 'drain' }, () => {});
  }

  onExit(state: WorkerState, code: number | null, signal: string | null): void {
    this.#workers.delete(state.worker.id);
    if (this.#stopping) {
      if (code !== 0) this.fail(ExitCode.Failure);
      if (this.#workers.size === 0) this.#finish(this.#exitCode);
      return;
    }
    if (state.draining && state.listening) return;
    if (!this.#started) {
      this.log(`worker ${state.worker.process.pid} exited (${signal ?? `code ${code}`}) before listening`, 'stderr');
      return this.stop(code !== null && code !== 0 ? code : ExitCode.Failure);
    }
    const delay = this.#backoff.nextDelay(Date.now());
    this.log(`worker ${state.worker.process.pid} exited (${signal ?? `code ${code}`}); restarting it${delay > 0 ? ` in ${delay} ms` : ''}`, 'stderr');
    const timer = setTimeout(() => (this.#restartTimers.delete(timer), this.fork(state.replaces)), delay);
    this.#restartTimers.add(timer);
  }

  reload(): void {
    if (this.#stopping) return;
    const current = [...this.#workers.values()].filter((state) => !state.draining);
    this.log(`SIGHUP: reloading ${current.length} workers`);
    for (const state of current) {
      state.draining = true;
      this.fork(state);
    }
  }

  stop(exitCode: number = ExitCode.Ok): void {
    if (this.#stopping) return;
    this.#stopping = true;
    this.fail(exitCode);
    for (const timer of this.#restartTimers) clearTimeout(timer);
    if (this.#workers.size === 0) return this.#finish(this.#exitCode);
    for (const state of this.#workers.values()) this.drainWorker(state);
    setTimeout(() => {
      for (const state of this.#workers.values()) state.worker.process.kill('SIGKILL');
    }, this.#config.grace + killMargin).unref();
  }
}

/**
 * Runs the primary until SIGTERM or SIGINT has drained every worker. Resolves to 0 when
 * every worker exited cleanly, 1 otherwise (or a worker's startup error's exit code).
 *
 * @example
 * ```ts
 * process.exitCode = await servePrimary({ ...config, workers: 4 }, io);
 * ```
 */
export async function servePrimary(config: ServeConfig, io: CliIo): Promise<number> {
  const primary = new Primary(config, io);
  const onStop = (signal: NodeJS.Signals): void => {
    primary.log(`${signal}: draining ${config.workers} workers (grace ${config.grace} ms)`);
    primary.stop();
  };
  const onReload = (): void => primary.reload();
  process.on('SIGTERM', onStop);
  process.on('SIGINT', onStop);
  process.on('SIGHUP', onReload);
  try {
    if (config.listen.kind === 'unix') await removeStaleSocket(config.listen.path);
    primary.start();
    return await primary.finished;
  } finally {
    process.off('SIGTERM', onStop);
    process.off('SIGINT', onStop);
    process.off('SIGHUP', onReload);
  }
}
