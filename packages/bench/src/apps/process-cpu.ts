/**
 * CPU time of other processes (a front end, a php-fpm pool) from /proc, for per-request CPU
 * costs: on a 2-core machine shared by the load generator, the front end and php-fpm, the
 * CPU each one spends per request tells what bounds the throughput.
 *
 * @module
 */
import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const ticksPerSecond = 100;

function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** User + system CPU seconds of one process (0 when it is gone). */
function processCpuSeconds(pid: number): number {
  const fields = statFields(pid);
  return fields === undefined ? 0 : (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    if (Number(statFields(Number(name))?.[1]) === pid) children.push(Number(name));
  }
  return children;
}

/**
 * User + system CPU seconds of a process and its live descendants (a php-fpm master and
 * its workers, an nginx master and its worker). Read before and after a run: the
 * difference is what the tree spent in between.
 *
 * @example
 * ```ts
 * const before = treeCpuSeconds(php.pid);
 * await runWrk(url);
 * const spent = treeCpuSeconds(php.pid) - before;
 * ```
 */
export function treeCpuSeconds(pid: number): number {
  let total = processCpuSeconds(pid);
  for (const child of childrenOf(pid)) total += treeCpuSeconds(child);
  return total;
}
