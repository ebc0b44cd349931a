/**
 * A worker process of `fcgi serve --workers N`: serves like a single process, reports to
 * the primary, and drains when the primary says so (or goes away, or on a stop signal).
 *
 * @module
 */
import { exitCodeForError } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { startSharedAppServer } from './app-server.js';
import type { PrimaryMessage, WorkerMessage } from './messages.js';
import type { ServeConfig } from './serve-config.js';

function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_FCGI_') && !code.startsWith('ERR_FCGI_CLI_') && !message.includes(code) ? `${code}: ${message}` : message;
}

function send(message: WorkerMessage): void {
  if (process.connected) process.send?.(message);
}

function drainRequested(): Promise<void> {
  return new Promise((resolve) => {
    process.on('message', (message: Partial<PrimaryMessage>) => {
      if (message.fcgiServe === 'drain') resolve();
    });
    process.once('disconnect', () => resolve());
    // Ctrl-C and a reload signal sent to the process group reach every worker: the primary
    // coordinates (it drains them on SIGINT and replaces them on SIGHUP).
    process.on('SIGINT', () => {});
    process.on('SIGHUP', () => {});
    process.on('SIGTERM', () => resolve());
  });
}

/**
 * Runs a worker until it is told to drain; resolves to its exit code (0 clean, 1 when
 * requests were aborted after the grace period; the startup error's code when it could
 * not start, after telling the primary).
 *
 * @example
 * ```ts
 * if (cluster.isWorker) process.exitCode = await serveWorker(() => serveConfig(module, values), io);
 * ```
 */
export async function serveWorker(readConfig: () => ServeConfig, io: CliIo): Promise<number> {
  let served = 0;
  let config: ServeConfig | undefined;
  const onRequest = (): void => {
    served += 1;
    if (served === config?.maxRequests) send({ fcgiServe: 'recycle' });
  };
  let running;
  try {
    config = readConfig();
    running = await startSharedAppServer(config, io.cwd, onRequest);
  } catch (error) {
    send({ fcgiServe: 'fatal', message: describeError(error), exitCode: exitCodeForError(error) });
    return exitCodeForError(error);
  }
  send({ fcgiServe: 'listening', address: running.address, kind: running.kind });
  await drainRequested();
  return (await running.stop(config.grace)) ? 0 : 1;
}
