/**
 * Scenario 5: @fcgi/client -> @fcgi/server in one process over a Unix socket: closed-loop
 * requests at concurrency 1, 16 and 256, with the server multiplexing (FCGI_MPXS_CONNS=1,
 * the client sharing connections) and without (one request per connection).
 *
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { Client } from '@fcgi/client';
import { type FastCgiServer, createServer } from '@fcgi/server';
import { benchHandler } from '../apps/handlers.js';
import type { SuiteBody } from '../report.js';
import { rounds } from '../rounds.js';
import { formatNumber, formatStats, quantile, summarise } from '../stats.js';

const levels = [1, 16, 256];
const runMs = Number(process.env['BENCH_UNIX_MS'] ?? 1500);
const params = { REQUEST_METHOD: 'GET', SCRIPT_NAME: '/hello', REQUEST_URI: '/hello', SERVER_PROTOCOL: 'HTTP/1.1', SERVER_NAME: 'localhost' };

/** One closed-loop run. */
interface RunResult {
  requestsPerSecond: number;
  requestsPerCpuSecond: number;
  latencies: number[];
}

async function oneRequest(client: Client): Promise<void> {
  const response = await client.request({ params });
  response.body.resume();
  await response.done;
}

async function closedLoop(client: Client, concurrency: number, durationMs: number): Promise<RunResult> {
  const latencies: number[] = [];
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + durationMs;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const begin = performance.now();
      await oneRequest(client);
      latencies.push(performance.now() - begin);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedSeconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { requestsPerSecond: latencies.length / elapsedSeconds, requestsPerCpuSecond: latencies.length / cpuSeconds, latencies };
}

async function listen(path: string, multiplex: boolean): Promise<FastCgiServer> {
  const server = createServer({ multiplex, maxConnections: 20_000, maxConcurrentRequests: 20_000, maxRequestsPerConnection: 1000 }, benchHandler);
  server.listen(path);
  await once(server, 'listening');
  return server;
}

function connectionCount(multiplex: boolean, concurrency: number): number {
  return multiplex ? Math.max(1, Math.ceil(concurrency / 64)) : concurrency;
}

function makeClient(path: string, multiplex: boolean, concurrency: number): Client {
  return new Client({
    address: `unix:${path}`,
    connections: connectionCount(multiplex, concurrency),
    maxConcurrentPerConnection: 64,
    keepAliveTimeout: 600_000,
    maxRequestsPerConnection: 0,
  });
}

interface Case {
  multiplex: boolean;
  concurrency: number;
  client: Client;
  runs: RunResult[];
}

function row(entry: Case): string[] {
  const latencies = entry.runs.flatMap((run) => run.latencies);
  return [
    entry.multiplex ? 'multiplexed' : 'one request per connection',
    String(entry.concurrency),
    String(connectionCount(entry.multiplex, entry.concurrency)),
    formatStats(summarise(entry.runs.map((run) => run.requestsPerSecond))),
    formatNumber(summarise(entry.runs.map((run) => run.requestsPerCpuSecond)).median),
    formatNumber(quantile(latencies, 0.5)),
    formatNumber(quantile(latencies, 0.99)),
  ];
}

/**
 * Runs scenario 5.
 *
 * @example
 * ```ts
 * const body = await unixScenario();
 * ```
 */
export async function unixScenario(): Promise<SuiteBody> {
  const directory = mkdtempSync(join(tmpdir(), 'fcgi-bench-'));
  const servers: FastCgiServer[] = [];
  const cases: Case[] = [];
  try {
    for (const multiplex of [true, false]) {
      const path = join(directory, multiplex ? 'mpx.sock' : 'single.sock');
      servers.push(await listen(path, multiplex));
      for (const concurrency of levels) cases.push({ multiplex, concurrency, client: makeClient(path, multiplex, concurrency), runs: [] });
    }
    for (const entry of cases) await closedLoop(entry.client, entry.concurrency, 200);
    for (let round = 0; round < rounds; round++) {
      for (const entry of cases) {
        const result = await closedLoop(entry.client, entry.concurrency, runMs);
        entry.runs.push(result);
        console.log(`  round ${round + 1}/${rounds} ${entry.multiplex ? 'mpx' : 'single'} c=${entry.concurrency}: ${formatNumber(result.requestsPerSecond)} req/s`);
      }
    }
  } finally {
    await Promise.all(cases.map((entry) => entry.client.close()));
    for (const server of servers) {
      server.closeAllConnections();
      server.close();
    }
    rmSync(directory, { recursive: true, force: true });
  }
  return {
    suite: 'unix',
    title: 'Client -> server in one process over a Unix socket (scenario 5)',
    order: 50,
    targets: [],
    scenarios: [
      {
        id: 'unix-hello',
        title: 'Closed loop, hello world',
        description: `${rounds} rounds of ${runMs} ms per case, cases interleaved. One Node process runs both @fcgi/client and @fcgi/server (one core: req/s is per core; "per CPU s" divides by the process's user+system CPU time). Latency percentiles over all requests of all rounds.`,
        columns: ['mode', 'concurrency', 'client connections', 'req/s', 'req per CPU s', 'p50 ms', 'p99 ms'],
        rows: cases.map(row),
        chart: { unit: 'req/s', bars: cases.map((entry) => ({ label: `@fcgi ${entry.multiplex ? 'mpx' : 'single'} c=${entry.concurrency}`, value: summarise(entry.runs.map((run) => run.requestsPerSecond)).median })) },
      },
    ],
    method: [
      'Multiplexed: the server answers FCGI_MPXS_CONNS=1; the client opens ceil(concurrency / 64) connections with up to 64 requests each. One request per connection: the server answers FCGI_MPXS_CONNS=0 and the client opens one connection per concurrent request.',
      'Each request: `client.request({ params })` with 5 params, body resumed, `await response.done`; the server runs the shared bench handler (`hello world\\n`, Content-Length).',
    ],
  };
}
