/**
 * `pnpm soak`: the long soak run, bounded in time and requests, on loopback. Mixed traffic
 * through the gateway and the client to @fcgi/server with idle connections held open, aborts,
 * and a graceful server restart halfway; prints requests, outcomes by code, RSS and heap
 * before/after with slopes, file descriptors, and exits 1 on any error outside the restart.
 *
 * Then a 1 GiB upload and a 1 GiB download through gateway -> server with the defaults,
 * with the peak RSS growth (bounded by backpressure, not by the size).
 *
 *   node dist/soak.js [--seconds 60] [--requests 1000000] [--concurrency 16] [--idle 2000] [--stream-mib 1024] [--php-fpm 1]
 *
 * The long run is 30 minutes: `pnpm soak -- --seconds 1800`.
 *
 * @module
 */
import { loadavg } from 'node:os';
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
const phpFpm = argument('php-fpm', 1) !== 0;
console.log(`soak: ${seconds} s or ${maxRequests} requests, ${concurrency} at once, ${idleConnections} idle connections held, php-fpm ${phpFpm ? 'when installed' : 'left out'}; load average ${loadavg().map((value) => value.toFixed(2)).join(' ')}`);
const summary = await runSoak({ seconds, maxRequests, concurrency, idleConnections, phpFpm });
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
console.log(JSON.stringify(summary, undefined, 2));
if (!summary.phpFpm.included) console.log(`php-fpm not in the soak: ${summary.phpFpm.reason}`);
for (const [name, target] of Object.entries(summary.targets)) console.log(`${name}: requests ${target.requests}, ok ${target.outcomes['ok'] ?? 0}, errors ${target.errors}, during restart ${target.restartErrors}`);
if (summary.phpFpm.included) console.log(`php-fpm (${summary.phpFpm.children} workers): RSS ${mib(summary.phpFpm.rss.before)} -> ${mib(summary.phpFpm.rss.after)} (slope ${mib(summary.phpFpm.rss.slopeBytesPerMinute)}/min); fds ${summary.phpFpm.fileDescriptors.before} -> ${summary.phpFpm.fileDescriptors.after}; processes ${summary.phpFpm.processes.before} -> ${summary.phpFpm.processes.after}`);
console.log(`requests ${summary.requests} (${Math.round(summary.requests / summary.seconds)}/s), errors ${summary.errors}, during restart ${summary.restartErrors}; RSS ${mib(summary.rss.before)} -> ${mib(summary.rss.after)} (slope ${mib(summary.rss.slopeBytesPerMinute)}/min); heap ${mib(summary.heap.before)} -> ${mib(summary.heap.after)} (slope ${mib(summary.heap.slopeBytesPerMinute)}/min); fds ${summary.fileDescriptors.before} -> ${summary.fileDescriptors.after}; server connections left ${summary.serverConnectionsLeft}; handler runs ${summary.handled.started}: finished ${summary.handled.finished}, aborted ${summary.handled.aborted}, cut ${summary.handled.cut}`);
console.log(`idle sockets open at the restart ${summary.idleHeld} (never sent a byte: ${summary.idleSilentHeld}); our server's connections then ${summary.serverConnectionsAtCheck}`);
const streamBytes = argument('stream-mib', 1024) * 1024 * 1024;
let streamsIntact = true;
for (const direction of ['upload', 'download'] as const) {
  if (streamBytes === 0) break;
  const result = await streamThrough(direction, streamBytes);
  streamsIntact &&= result.received === result.bytes;
  console.log(`${direction} of ${mib(result.bytes)}: received ${mib(result.received)} in ${result.seconds} s, peak RSS growth ${mib(result.peakRssGrowth)}`);
}
console.log(`load average at the end ${loadavg().map((value) => value.toFixed(2)).join(' ')}`);
const phpHeld = !summary.phpFpm.included || (summary.phpFpm.fileDescriptors.after <= summary.phpFpm.fileDescriptors.before && summary.phpFpm.processes.after === summary.phpFpm.processes.before);
const held = summary.errors === 0 && summary.serverConnectionsLeft === 0 && summary.handled.cut === 0 && summary.fileDescriptors.after <= summary.fileDescriptors.before + 2 && phpHeld;
process.exitCode = held && streamsIntact ? 0 : 1;
