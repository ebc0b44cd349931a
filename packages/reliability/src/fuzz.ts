/**
 * `pnpm fuzz`: the long fuzzing run.
 * 1. The codec's parsers: 1,000,000 cases by default, bounded by a time limit.
 * 2. A live @fcgi/server on loopback: mutated nginx streams (5,000 by default).
 * 3. @fcgi/client against mutated php-fpm replies (2,000 by default).
 * Prints a JSON summary of each (cases, outcomes by error code, slowest case, anomalies
 * with the seed and case that replay them) and exits 1 on any anomaly.
 *
 *   node dist/fuzz.js [--cases 1000000] [--server-cases 5000] [--client-cases 2000] [--seed N] [--seconds 600]
 *
 * @module
 */
import { runCodecFuzz } from './codec-fuzz.js';
import { fuzzClient, fuzzServerEngine } from './engine-fuzz.js';

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index === -1 ? undefined : Number(process.argv[index + 1]);
  return value === undefined || !Number.isFinite(value) ? fallback : value;
}

const cases = argument('cases', 1_000_000);
const seed = argument('seed', Date.now() % 0x7fffffff);
const seconds = argument('seconds', 600);
console.log(`codec fuzz: ${cases} cases, seed ${seed}, at most ${seconds} s`);
const codec = runCodecFuzz({ cases, seed, timeLimit: seconds * 1000 });
const rate = Math.round(codec.cases / (codec.milliseconds / 1000));
console.log(JSON.stringify({ ...codec, casesPerSecond: rate, anomalies: codec.anomalies.slice(0, 20), anomalyCount: codec.anomalies.length }, undefined, 2));

const serverCases = argument('server-cases', 5000);
console.log(`server engine fuzz: ${serverCases} mutated request streams, seed ${seed}`);
const server = await fuzzServerEngine({ cases: serverCases, seed });
console.log(JSON.stringify({ ...server, anomalies: server.anomalies.slice(0, 20), anomalyCount: server.anomalies.length }, undefined, 2));

const clientCases = argument('client-cases', 2000);
console.log(`client fuzz: ${clientCases} requests against mutated php-fpm replies, seed ${seed}`);
const client = await fuzzClient({ cases: clientCases, seed });
console.log(JSON.stringify({ ...client, anomalies: client.anomalies.slice(0, 20), anomalyCount: client.anomalies.length }, undefined, 2));

const anomalies = codec.anomalies.length + server.anomalies.length + client.anomalies.length;
console.log(anomalies === 0 ? 'fuzz: no anomaly' : `fuzz: ${anomalies} anomalies`);
process.exitCode = anomalies === 0 ? 0 : 1;
