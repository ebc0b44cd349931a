/**
 * `pnpm fuzz`: the long codec fuzzing run. 1,000,000 cases by default (bounded by a time
 * limit), then a JSON summary: cases, outcomes by error code, the slowest case, peak
 * ArrayBuffer memory, and any anomaly with the seed and case number that replay it.
 * Exits 1 on an anomaly.
 *
 *   node dist/fuzz.js [--cases 1000000] [--seed 1] [--seconds 600]
 *
 * @module
 */
import { runCodecFuzz } from './codec-fuzz.js';

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index === -1 ? undefined : Number(process.argv[index + 1]);
  return value === undefined || !Number.isFinite(value) ? fallback : value;
}

const cases = argument('cases', 1_000_000);
const seed = argument('seed', Date.now() % 0x7fffffff);
const seconds = argument('seconds', 600);
console.log(`codec fuzz: ${cases} cases, seed ${seed}, at most ${seconds} s`);
const summary = runCodecFuzz({ cases, seed, timeLimit: seconds * 1000 });
const rate = Math.round(summary.cases / (summary.milliseconds / 1000));
console.log(JSON.stringify({ ...summary, casesPerSecond: rate, anomalies: summary.anomalies.slice(0, 20), anomalyCount: summary.anomalies.length }, undefined, 2));
process.exitCode = summary.anomalies.length === 0 ? 0 : 1;
