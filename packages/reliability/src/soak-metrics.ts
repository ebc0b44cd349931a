/**
 * What the soak measures about processes: open file descriptors, RSS of a process and its
 * children (php-fpm's master and workers), and least-squares slopes of sampled values.
 *
 * @module
 */
import { readFileSync, readdirSync } from 'node:fs';

/**
 * Open file descriptors of a process (default: this one), counted in `/proc/PID/fd`; -1
 * where `/proc` cannot be read.
 *
 * @example
 * ```ts
 * openDescriptors(); // 23
 * ```
 */
export function openDescriptors(pid: number | 'self' = 'self'): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return -1;
  }
}

/**
 * Least-squares slope of (time in ms, value) samples, in units per minute (0 with fewer
 * than two samples).
 *
 * @example
 * ```ts
 * slopePerMinute([[0, 100], [60_000, 160]]); // 60
 * ```
 */
export function slopePerMinute(samples: readonly (readonly [number, number])[]): number {
  if (samples.length < 2) return 0;
  const meanTime = samples.reduce((total, [time]) => total + time, 0) / samples.length;
  const meanValue = samples.reduce((total, [, value]) => total + value, 0) / samples.length;
  let numerator = 0;
  let denominator = 0;
  for (const [time, value] of samples) {
    numerator += (time - meanTime) * (value - meanValue);
    denominator += (time - meanTime) ** 2;
  }
  return denominator === 0 ? 0 : Math.round((numerator / denominator) * 60_000);
}

/**
 * The slope over the last three quarters of the samples (the first quarter is warm-up:
 * JIT, first big buffers, pools filling).
 *
 * @example
 * ```ts
 * steadySlope(rssSamples); // bytes per minute
 * ```
 */
export function steadySlope(samples: readonly (readonly [number, number])[]): number {
  return slopePerMinute(samples.slice(Math.floor(samples.length / 4)));
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function residentBytes(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? 0 : Number(match[1]) * 1024;
  } catch {
    return 0;
  }
}

/** A process tree's RSS, open descriptors and process count. */
export interface TreeUsage {
  /** Sum of VmRSS over the processes, in bytes (shared pages counted in each). */
  rss: number;
  /** Sum of open file descriptors over the processes. */
  fileDescriptors: number;
  /** The process and its direct children. */
  processes: number;
}

/**
 * RSS, descriptors and count of a process and its direct children (php-fpm: the master
 * and its workers), read from `/proc`.
 *
 * @example
 * ```ts
 * treeUsage(phpFpm.pid); // { rss: 41_000_000, fileDescriptors: 40, processes: 5 }
 * ```
 */
export function treeUsage(pid: number): TreeUsage {
  const pids = [pid, ...childrenOf(pid)];
  return {
    rss: pids.reduce((total, each) => total + residentBytes(each), 0),
    fileDescriptors: pids.reduce((total, each) => total + Math.max(0, openDescriptors(each)), 0),
    processes: pids.length,
  };
}
