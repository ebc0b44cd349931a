/**
 * Runs wrk (the load generator, a separate process like the peers) and parses its report.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

/** One wrk run's result. */
export interface LoadResult {
  /** Successful (2xx/3xx) responses per second. */
  requestsPerSecond: number;
  /** Milliseconds. */
  latencyP50: number;
  /** Milliseconds. */
  latencyP99: number;
  /** Bytes per second read by wrk. */
  bytesPerSecond: number;
  /** Non-2xx responses plus socket errors. */
  errors: number;
}

/** How to load a URL. */
export interface LoadOptions {
  connections?: number;
  threads?: number;
  seconds?: number;
}

/**
 * Whether wrk is installed.
 *
 * @example
 * ```ts
 * if (!hasWrk()) console.log('wrk missing');
 * ```
 */
export function hasWrk(): boolean {
  return ['/usr/bin/wrk', '/usr/local/bin/wrk'].some((path) => existsSync(path));
}

const unitFactors: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };
const sizeFactors: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };

function milliseconds(text: string | undefined): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text ?? '');
  return match === null ? Number.NaN : Number(match[1]) * (unitFactors[match[2] ?? 'ms'] ?? 1);
}

/**
 * Parses wrk's `--latency` report.
 *
 * @example
 * ```ts
 * parseWrk('Requests/sec:  1000.00\n...').requestsPerSecond; // 1000
 * ```
 */
export function parseWrk(output: string): LoadResult {
  const requests = /Requests\/sec:\s+([\d.]+)/.exec(output);
  const transfer = /Transfer\/sec:\s+([\d.]+)(B|KB|MB|GB)/.exec(output);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(output);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const socketErrors = socket === null ? 0 : socket.slice(1).reduce((sum, value) => sum + Number(value), 0);
  const total = /(\d+) requests in ([\d.]+)(us|ms|s|m),/.exec(output);
  const failed = non2xx === null ? 0 : Number(non2xx[1]);
  // Only successful responses count: a front end answering 502 fast must not look fast.
  const rate = total === null
    ? (requests === null ? 0 : Number(requests[1]))
    : (Number(total[1]) - failed) / (milliseconds(`${total[2]}${total[3]}`) / 1000);
  return {
    requestsPerSecond: rate,
    latencyP50: milliseconds(/\s50%\s+(\S+)/.exec(output)?.[1]),
    latencyP99: milliseconds(/\s99%\s+(\S+)/.exec(output)?.[1]),
    bytesPerSecond: transfer === null ? 0 : Number(transfer[1]) * (sizeFactors[transfer[2] ?? 'B'] ?? 1),
    errors: (non2xx === null ? 0 : Number(non2xx[1])) + socketErrors,
  };
}

/**
 * Loads `url` with wrk for a few seconds.
 *
 * @example
 * ```ts
 * const result = await runWrk('http://127.0.0.1:8080/', { connections: 16, seconds: 2 });
 * ```
 */
export function runWrk(url: string, options: LoadOptions = {}): Promise<LoadResult> {
  const seconds = options.seconds ?? 2;
  const args = [`-t${options.threads ?? 1}`, `-c${options.connections ?? 16}`, `-d${seconds}s`, '--latency', url];
  return new Promise((resolve, reject) => {
    execFile('wrk', args, { timeout: (seconds + 30) * 1000 }, (error, stdout) => {
      if (error !== null) reject(new Error(`wrk ${args.join(' ')} failed: ${error.message}`));
      else resolve(parseWrk(stdout));
    });
  });
}
