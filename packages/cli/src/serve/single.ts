/**
 * `fcgi serve` without `--workers`: one process serves, and drains on SIGTERM or SIGINT.
 *
 * @module
 */
import { ExitCode } from '../exit-codes.js';
import { type CliIo, writeOutput } from '../io.js';
import { startAppServer } from './app-server.js';
import type { ServeConfig } from './serve-config.js';

/**
 * Resolves once SIGTERM or SIGINT arrives (the listeners are removed then).
 *
 * @example
 * ```ts
 * const signal = await nextStopSignal(); // 'SIGTERM'
 * ```
 */
export function nextStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      resolve(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

/**
 * Serves in this process until SIGTERM/SIGINT, then drains within the grace period.
 * Resolves to 0 when every in-flight request finished in time, 1 otherwise.
 *
 * @example
 * ```ts
 * process.exitCode = await serveSingle(config, io);
 * ```
 */
export async function serveSingle(config: ServeConfig, io: CliIo): Promise<number> {
  const running = await startAppServer(config, io.cwd, () => {});
  const stopped = nextStopSignal();
  await writeOutput(io.stdout, `fcgi serve: ${running.kind} listening on ${running.address} (pid ${process.pid})\n`);
  const signal = await stopped;
  await writeOutput(io.stdout, `fcgi serve: ${signal}: draining (grace ${config.grace} ms)\n`);
  const clean = await running.stop(config.grace);
  if (!clean) await writeOutput(io.stderr, `fcgi serve: requests still running after ${config.grace} ms were aborted\n`);
  return clean ? ExitCode.Ok : ExitCode.Failure;
}
