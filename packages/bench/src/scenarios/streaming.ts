/**
 * Scenario 6: large response bodies streamed through the gateway, from @fcgi/server and from
 * php-fpm: throughput and the gateway's peak RSS, at 100 MB and 1 GiB (RSS must not grow
 * with the body size).
 *
 * @module
 */
import { get } from 'node:http';
import { performance } from 'node:perf_hooks';
import { type PhpFpmPeer, locatePeer, startPhpFpm, writeRunFile } from '@fcgi/test-peers';
import { type App, startApp } from '../processes.js';
import type { ScenarioResult, SuiteBody, Target } from '../report.js';
import { rounds } from '../rounds.js';
import { type Stats, formatNumber, formatStats, ratio, summarise } from '../stats.js';

const sizes = [100_000_000, 1024 ** 3];
const streamPhp = `<?php
header('Content-Type: application/octet-stream');
$left = (int) $_GET['bytes'];
$chunk = str_repeat('x', 65536);
while ($left > 0) { $piece = $left >= 65536 ? $chunk : substr($chunk, 0, $left); echo $piece; $left -= strlen($piece); }
`;

/** One download's measurements. */
interface Download {
  bytesPerSecond: number;
  gatewayPeakRss: number;
  upstreamPeakRss: number;
}

function download(url: string): Promise<{ bytes: number; seconds: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    get(url, (response) => {
      let bytes = 0;
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      response.on('end', () => resolve({ bytes, seconds: (performance.now() - started) / 1000 }));
      response.on('error', reject);
    }).on('error', reject);
  });
}

async function once(upstream: { address: string; documentRoot: string; app?: App }, size: number): Promise<Download> {
  const gateway = await startApp({ kind: 'gateway', upstream: upstream.address, documentRoot: upstream.documentRoot, connections: 2 });
  try {
    const path = upstream.app === undefined ? '/stream.php' : '/stream';
    const result = await download(`http://${gateway.address}${path}?bytes=${size}`);
    if (result.bytes !== size) throw new Error(`streamed ${result.bytes} bytes, expected ${size}`);
    return { bytesPerSecond: result.bytes / result.seconds, gatewayPeakRss: gateway.peakRss(), upstreamPeakRss: upstream.app?.peakRss() ?? 0 };
  } finally {
    await gateway.stop();
  }
}

function label(size: number): string {
  return size >= 1024 ** 3 ? `${size / 1024 ** 3} GiB` : `${size / 1e6} MB`;
}

const mib = (bytes: number): number => bytes / 1024 / 1024;

/**
 * Runs scenario 6 (php-fpm half skipped when php-fpm is missing).
 *
 * @example
 * ```ts
 * const body = await streamingScenario();
 * ```
 */
export async function streamingScenario(): Promise<SuiteBody> {
  const upstreams: Array<{ id: string; label: string; address: string; documentRoot: string; app?: App }> = [];
  let php: PhpFpmPeer | undefined;
  const runs = Math.min(rounds, 5);
  const results = new Map<string, Download[]>();
  try {
    const ours = await startApp({ kind: 'fcgi' });
    upstreams.push({ id: 'ours', label: 'gateway -> @fcgi/server', address: ours.address, documentRoot: '/srv', app: ours });
    if (locatePeer('php-fpm').available) {
      php = await startPhpFpm({ listen: 'unix', maxChildren: 2 });
      await writeRunFile(php.documentRoot, 'stream.php', streamPhp);
      upstreams.push({ id: 'php', label: 'gateway -> php-fpm', address: php.address, documentRoot: php.documentRoot });
    } else console.log('streaming: php-fpm missing, its half skipped');
    for (let round = 0; round < runs; round++) {
      for (const upstream of upstreams) {
        for (const size of sizes) {
          const result = await once(upstream, size);
          const key = `${upstream.id}:${size}`;
          results.set(key, [...(results.get(key) ?? []), result]);
          console.log(`  round ${round + 1}/${runs} ${upstream.label} ${label(size)}: ${formatNumber(result.bytesPerSecond / 1e6)} MB/s, gateway peak RSS ${formatNumber(mib(result.gatewayPeakRss))} MiB`);
        }
      }
    }
  } finally {
    for (const upstream of upstreams) await upstream.app?.stop();
    await php?.stop();
  }
  const rows: string[][] = [];
  const bars: Array<{ label: string; value: number }> = [];
  for (const upstream of upstreams) {
    for (const size of sizes) {
      const list = results.get(`${upstream.id}:${size}`) ?? [];
      const throughput = summarise(list.map((entry) => entry.bytesPerSecond / 1e6));
      rows.push([upstream.label, label(size), formatStats(throughput), formatStats(summarise(list.map((entry) => mib(entry.gatewayPeakRss)))), upstream.app === undefined ? 'n/a' : formatNumber(summarise(list.map((entry) => mib(entry.upstreamPeakRss))).median)]);
      bars.push({ label: `${upstream.label}, ${label(size)}`, value: throughput.median });
    }
  }
  const big = (id: string): Download[] => results.get(`${id}:${1024 ** 3}`) ?? [];
  const small = (id: string): Download[] => results.get(`${id}:${100_000_000}`) ?? [];
  const throughputGb: Stats = summarise(big('ours').map((entry) => entry.bytesPerSecond / 1e9));
  const rssBig: Stats = summarise(big('ours').map((entry) => mib(entry.gatewayPeakRss)));
  const growth = ratio(big('ours').map((entry) => entry.gatewayPeakRss), small('ours').map((entry) => entry.gatewayPeakRss));
  const targets: Target[] = [
    { description: '1 GiB gateway -> @fcgi/server throughput, >= 1 GB/s', measured: throughputGb, met: throughputGb.median >= 1, unit: 'GB/s' },
    { description: 'gateway peak RSS at 1 GiB, < 100 MiB', measured: rssBig, met: rssBig.median < 100, unit: 'MiB' },
    { description: 'gateway peak RSS, 1 GiB / 100 MB (does not grow with size: ~1x)', measured: growth, met: growth.median < 1.2 },
  ];
  const scenario: ScenarioResult = {
    id: 'streaming',
    title: 'Large responses through the gateway',
    description: `GET of a 100 MB and a 1 GiB body through \`createGateway\` (node:http, its own process, started fresh for each download so its peak RSS, VmHWM, belongs to that download), read by a node:http client in the benchmark process. ${runs} rounds. 1 MB = 10^6 bytes.`,
    columns: ['path', 'body', 'MB/s', 'gateway peak RSS MiB', '@fcgi/server peak RSS MiB (whole run)'],
    rows,
    chart: { unit: 'MB/s', bars },
  };
  return {
    suite: 'streaming',
    title: 'Streaming large bodies (scenario 6)',
    order: 60,
    targets,
    scenarios: [scenario],
    method: [
      '@fcgi/server streams the body from one 64 KiB buffer with `res.write` and waits for `drain`; php-fpm runs a loop of `echo` of 64 KiB strings (PHP output buffering off).',
      'Three processes (client, gateway, app) plus php-fpm share 2 cores, so throughput is bounded by the copies through two sockets and the reading client.',
      'Only the response direction is measured; request bodies take the same STDIN path with backpressure.',
    ],
  };
}
