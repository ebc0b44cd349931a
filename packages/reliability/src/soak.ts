/**
 * `pnpm soak`: the long soak run, bounded in time and requests, on loopback. Mixed traffic
 * through the gateway and the client to @fcgi/server with idle connections held open, aborts,
 * and a graceful server restart halfway; prints requests, outcomes by code, RSS and heap
 * before/after with slopes, file descriptors, and exits 1 on any error outside the restart.
 *
 * Then a 1 GiB upload and a 1 GiB download through gateway -> server with the defaults,
 * with the peak RSS growth (bounded by backpressure, not by the size).
 *
 *   node dist/soak.js [--seconds 60] [--requests 1000000] [--concurrency 16] [--idle 2000] [--stream-mib 1024]
 *
 * The long run is 30 minutes: `pnpm soak -- --seconds 1800`.
 *
 * @module
 */
import { runSoak } from './soak-run.js';
import { streamThrough } from './stream-check.js';

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index === -1 ? undefined : Number(process.argv[index + 1]);
  return value === undefined || !Number.isFinite(value) ? fallback : value;
}

const seconds = argument('seconds', 60);
const maxRequests = argument('requests', 1_000_000);
const concurrency = argument('concurrency', 16);
const idleConnections = argument('idle', 2000);
console.log(`soak: ${seconds} s or ${maxRequests} requests, ${concurrency} at once, ${idleConnections} idle connections held`);
const summary = await runSoak({ seconds, maxRequests, concurrency, idleConnections });
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
console.log(JSON.stringify(summary, undefined, 2));
console.log(`requests ${summary.requests} (${Math.round(summary.requests / summary.seconds)}/s), errors ${summary.errors}, during restart ${summary.restartErrors}; RSS ${mib(summary.rss.before)} -> ${mib(summary.rss.after)} (slope ${mib(summary.rss.slopeBytesPerMinute)}/min); heap ${mib(summary.heap.before)} -> ${mib(summary.heap.after)} (slope ${mib(summary.heap.slopeBytesPerMinute)}/min); fds ${summary.fileDescriptors.before} -> ${summary.fileDescriptors.after}; server connections left ${summary.serverConnectionsLeft}; handler runs ${summary.handled.started}: finished ${summary.handled.finished}, aborted ${summary.handled.aborted}, cut ${summary.handled.cut}`);
const streamBytes = argument('stream-mib', 1024) * 1024 * 1024;
let streamsIntact = true;
for (const direction of ['upload', 'download'] as const) {
  if (streamBytes === 0) break;
  const result = await streamThrough(direction, streamBytes);
  streamsIntact &&= result.received === result.bytes;
  console.log(`${direction} of ${mib(result.bytes)}: received ${mib(result.received)} in ${result.seconds} s, peak RSS growth ${mib(result.peakRssGrowth)}`);
}
process.exitCode = summary.errors === 0 && summary.serverConnectionsLeft === 0 && summary.handled.cut === 0 && streamsIntact ? 0 : 1;
