/**
 * Interleaved rounds: every contender is loaded once per round, in a rotating order, so that
 * a slow phase of the shared machine hits all of them and per-round ratios hold.
 *
 * @module
 */
import { type LoadOptions, type LoadResult, runWrk } from './wrk.js';
import { type Stats, formatNumber, formatRatio, formatStats, ratio, summarise } from './stats.js';
import { treeCpuSeconds } from './apps/process-cpu.js';

/** A contender: what wrk loads. */
export interface Contender {
  id: string;
  label: string;
  url: string;
}

/** Rounds from BENCH_ROUNDS (default 5). */
export const rounds = positive('BENCH_ROUNDS', 5);
/** Seconds per wrk run from BENCH_SECONDS (default 2). */
export const seconds = positive('BENCH_SECONDS', 2);

function positive(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? '');
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** What {@link measureRounds} gives: each contender's wrk results and CPU costs, per round. */
export interface MeasuredRounds {
  results: Map<string, LoadResult[]>;
  /** Per contender: for each process tree it names, CPU µs per request of each round. */
  cpu: Map<string, number[][]>;
}

const microsPerRequest = (cpuSeconds: number, requests: number): number => (requests > 0 ? (cpuSeconds * 1e6) / requests : Number.NaN);

/**
 * Runs `rounds` interleaved rounds of wrk over the contenders, and reads the CPU time
 * (user + system, from /proc) of the process trees `pidsOf` names for each contender
 * (an app, an nginx master and its worker...) before and after each run.
 *
 * @example
 * ```ts
 * const { results, cpu } = await measureRounds(contenders, { connections: 16 }, (contender) => [appPid, nginx.pid]);
 * ```
 */
export async function measureRounds(contenders: readonly Contender[], options: LoadOptions, pidsOf: (contender: Contender) => readonly number[]): Promise<MeasuredRounds> {
  const results = new Map<string, LoadResult[]>(contenders.map((contender) => [contender.id, []]));
  const cpu = new Map<string, number[][]>(contenders.map((contender) => [contender.id, pidsOf(contender).map(() => [])]));
  // Warm-up (JIT, pools, kept connections), not recorded.
  for (const contender of contenders) await runWrk(contender.url, { ...options, seconds: 1 });
  for (let round = 0; round < rounds; round++) {
    for (let step = 0; step < contenders.length; step++) {
      const contender = contenders[(round + step) % contenders.length];
      if (contender === undefined) continue;
      const pids = pidsOf(contender);
      const before = pids.map(treeCpuSeconds);
      const result = await runWrk(contender.url, { seconds, ...options });
      const requests = result.requestsPerSecond * (options.seconds ?? seconds);
      results.get(contender.id)?.push(result);
      pids.forEach((pid, index) => cpu.get(contender.id)?.[index]?.push(microsPerRequest(treeCpuSeconds(pid) - (before[index] ?? 0), requests)));
      console.log(`  round ${round + 1}/${rounds} ${contender.label}: ${formatNumber(result.requestsPerSecond)} req/s${result.errors > 0 ? ` (${result.errors} errors)` : ''}`);
    }
  }
  return { results, cpu };
}

/**
 * Runs `rounds` interleaved rounds of wrk over the contenders; returns each one's results.
 *
 * @example
 * ```ts
 * const results = await loadRounds([{ id: 'a', label: 'A', url }], { connections: 16 });
 * ```
 */
export async function loadRounds(contenders: readonly Contender[], options: LoadOptions = {}): Promise<Map<string, LoadResult[]>> {
  return (await measureRounds(contenders, options, () => [])).results;
}

/**
 * The median of one measured process tree's CPU µs per request, as table text ('n/a' when
 * the contender has no such tree).
 *
 * @example
 * ```ts
 * cpuCell(cpu, 'ours', 0); // '38.2'
 * ```
 */
export function cpuCell(cpu: Map<string, number[][]>, id: string, index: number): string {
  const values = cpu.get(id)?.[index];
  return values === undefined || values.length === 0 ? 'n/a' : formatNumber(summarise(values).median);
}

/**
 * Requests per second of one contender over the rounds.
 *
 * @example
 * ```ts
 * rates(results, 'ours');
 * ```
 */
export function rates(results: Map<string, LoadResult[]>, id: string): number[] {
  return (results.get(id) ?? []).map((result) => result.requestsPerSecond);
}

/**
 * Table rows: contender, req/s, p50, p99, errors, and the ratio of `reference` to it.
 *
 * @example
 * ```ts
 * loadRows(contenders, results, 'ours');
 * ```
 */
export function loadRows(contenders: readonly Contender[], results: Map<string, LoadResult[]>, reference: string): string[][] {
  return contenders.map((contender) => {
    const list = results.get(contender.id) ?? [];
    const versus: Stats = ratio(rates(results, reference), rates(results, contender.id));
    return [
      contender.label,
      formatStats(summarise(list.map((result) => result.requestsPerSecond))),
      formatNumber(summarise(list.map((result) => result.latencyP50)).median),
      formatNumber(summarise(list.map((result) => result.latencyP99)).median),
      String(list.reduce((sum, result) => sum + result.errors, 0)),
      contender.id === reference ? '1x' : formatRatio(versus),
    ];
  });
}

/** Column headings of {@link loadRows}. */
export const loadColumns = ['contender', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'ours vs it'];
