#!/usr/bin/env node
// `node src/measure.js [--front nginx|haproxy|gateway] [--backends N] [--seconds S]
// [--connections C] [--max-requests M]`: requests per second through the front with 1
// backend, then with N, on loopback. Each request asks the app for ~1 ms of CPU (`/work`,
// or `/?work=1` on php-fpm), so the backends' own work is what limits throughput.
// A few seconds in all; every run is bounded by --seconds and --max-requests.
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { runLoad } from './load.js';
import { startSetup } from './setups.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((argument) => argument !== '--'),
  options: {
    front: { type: 'string', default: 'nginx' },
    backends: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '2' },
    connections: { type: 'string', default: '16' },
    'max-requests': { type: 'string', default: '100000' },
  },
});
const options = { seconds: Math.min(Number(values.seconds), 30), connections: Math.min(Number(values.connections), 256), maxRequests: Number(values['max-requests']) };
const counts = [...new Set([1, Number(values.backends)])];
const cores = availableParallelism();

/** One measured setup: a short warm-up, then the timed run. */
async function measure(backends) {
  const setup = await startSetup({ front: values.front, backends, port: 0 });
  try {
    const url = `${setup.url}${setup.workPath}`;
    await runLoad(url, { ...options, seconds: Math.min(0.5, options.seconds) });
    return { setup, result: await runLoad(url, options) };
  } finally {
    await setup.stop();
  }
}

console.log(`${counts.length > 1 ? '1 backend vs ' + counts[1] : '1 backend'}: ${values.front}, ${options.connections} connections, ${options.seconds} s each, on ${cores} cores`);
const rates = [];
for (const backends of counts) {
  const { setup, result } = await measure(backends);
  rates.push(result.perSecond);
  const spread = [...result.backends.values()].join('/');
  console.log(`  ${String(backends).padStart(2)} backend${backends === 1 ? ' ' : 's'}  ${result.perSecond.toFixed(0).padStart(7)} req/s  (${result.answered} answered in ${result.seconds.toFixed(1)} s, ${result.failed} failed, per backend ${spread})`);
  if (backends === counts.at(-1)) console.log(`  (${setup.title})`);
}
if (rates.length > 1) console.log(`  ratio ${counts[1]} vs 1: ${(rates[1] / rates[0]).toFixed(2)}x`);
console.log(`This machine has ${cores} core${cores === 1 ? '' : 's'}, shared by the load generator, the front and every backend.
More backends on the same cores add no CPU: beyond ~${cores} busy processes they only share it.
With more cores (or more hosts, one backend per core or per host) each backend gets its own
CPU, and throughput grows with the backends until the front or the network is the limit.`);
