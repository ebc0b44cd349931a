/**
 * Scenario 7: memory of @fcgi/server per idle kept-alive connection (10,000 connections, each
 * after one answered request with FCGI_KEEP_CONN) and per in-flight request (10,000 requests
 * held open by the handler, 100 per multiplexed connection).
 *
 * @module
 */
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { RecordDecoder, RecordType, Role, concatBytes, encodeParamsStream, encodeRecord } from '@fcgi/codec';
import { type App, startApp } from '../processes.js';
import type { SuiteBody, Target } from '../report.js';
import { rounds } from '../rounds.js';
import { formatNumber, formatStats, summarise } from '../stats.js';

const idleConnections = Number(process.env['BENCH_IDLE_CONNECTIONS'] ?? 10_000);
const heldPerConnection = 100;
const heldConnections = Math.max(1, Math.round(idleConnections / heldPerConnection));

interface Memory {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

function requestBytes(requestId: number, path: string): Uint8Array {
  return concatBytes([
    encodeRecord({ type: RecordType.BeginRequest, requestId, role: Role.Responder, keepConn: true }),
    ...encodeParamsStream(requestId, { REQUEST_METHOD: 'GET', REQUEST_URI: path, SCRIPT_NAME: path, SERVER_PROTOCOL: 'HTTP/1.1' }),
    encodeRecord({ type: RecordType.Stdin, requestId, content: new Uint8Array(0) }),
  ]);
}

/** Opens a connection and completes one kept-alive request on it. */
async function idleConnection(address: string): Promise<Socket> {
  const [host, port] = address.split(':');
  const socket = connect(Number(port), host);
  await once(socket, 'connect');
  const decoder = new RecordDecoder();
  const ended = new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      if (decoder.push(chunk).some((record) => record.type === RecordType.EndRequest)) resolve();
    });
    socket.once('error', reject);
  });
  socket.write(requestBytes(1, '/hello'));
  await ended;
  socket.removeAllListeners('data');
  return socket;
}

async function openIdle(address: string, count: number, sockets: Socket[]): Promise<void> {
  const batch = 200;
  for (let start = 0; start < count; start += batch) {
    const size = Math.min(batch, count - start);
    sockets.push(...(await Promise.all(Array.from({ length: size }, () => idleConnection(address)))));
  }
}

async function waitHeld(app: App, count: number): Promise<void> {
  for (let tries = 0; tries < 600; tries++) {
    if ((await app.ask<number>('held', 'held')) >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the app holds fewer than ${count} requests after 30 s`);
}

async function holdRequests(app: App, sockets: Socket[]): Promise<void> {
  const [host, port] = app.address.split(':');
  for (let index = 0; index < heldConnections; index++) {
    const socket = connect(Number(port), host);
    await once(socket, 'connect');
    socket.on('data', () => undefined);
    const pieces: Uint8Array[] = [];
    for (let id = 1; id <= heldPerConnection; id++) pieces.push(requestBytes(id, '/hold'));
    socket.write(concatBytes(pieces));
    sockets.push(socket);
  }
  await waitHeld(app, heldConnections * heldPerConnection);
}

/** One round: fresh app; bytes per idle connection and per in-flight request. */
async function measureOnce(): Promise<{ idle: Memory; held: Memory }> {
  const app = await startApp({ kind: 'fcgi' });
  const sockets: Socket[] = [];
  try {
    // Warm the request path first so its code and caches are not counted per connection.
    await openIdle(app.address, 200, sockets);
    const before = await app.ask<Memory>('memory', 'memory');
    await openIdle(app.address, idleConnections, sockets);
    const idle = await app.ask<Memory>('memory', 'memory');
    await holdRequests(app, sockets);
    const held = await app.ask<Memory>('memory', 'memory');
    const per = (after: Memory, base: Memory, count: number): Memory => ({
      rss: (after.rss - base.rss) / count,
      heapUsed: (after.heapUsed - base.heapUsed) / count,
      external: (after.external - base.external) / count,
      arrayBuffers: (after.arrayBuffers - base.arrayBuffers) / count,
    });
    return { idle: per(idle, before, idleConnections), held: per(held, idle, heldConnections * heldPerConnection) };
  } finally {
    for (const socket of sockets) socket.destroy();
    await app.stop();
  }
}

const kib = (bytes: number): number => bytes / 1024;

/**
 * Runs scenario 7.
 *
 * @example
 * ```ts
 * const body = await memoryScenario();
 * ```
 */
export async function memoryScenario(): Promise<SuiteBody> {
  const runs = Math.min(rounds, 3);
  const results: Array<{ idle: Memory; held: Memory }> = [];
  for (let round = 0; round < runs; round++) {
    const result = await measureOnce();
    results.push(result);
    console.log(`  round ${round + 1}/${runs}: ${formatNumber(kib(result.idle.rss))} KiB RSS per idle connection, ${formatNumber(kib(result.held.rss))} KiB per in-flight request`);
  }
  const row = (label: string, pick: (entry: { idle: Memory; held: Memory }) => Memory): string[] => [
    label,
    formatStats(summarise(results.map((entry) => kib(pick(entry).rss)))),
    formatStats(summarise(results.map((entry) => kib(pick(entry).heapUsed)))),
    formatStats(summarise(results.map((entry) => kib(pick(entry).external)))),
  ];
  const targets: Target[] = [];
  return {
    suite: 'memory',
    title: 'Memory per connection and per request (scenario 7)',
    order: 70,
    targets,
    scenarios: [
      {
        id: 'memory',
        title: `${idleConnections.toLocaleString('en-US')} idle connections, then ${(heldConnections * heldPerConnection).toLocaleString('en-US')} requests in flight`,
        description: `@fcgi/server in its own process (after a GC): growth of RSS, V8 heap used and external memory divided by the count. Idle: each connection had one request answered with FCGI_KEEP_CONN and stays open. In flight: ${heldConnections} more connections with ${heldPerConnection} multiplexed requests each, held by the handler (node:http req/res pairs alive). ${runs} rounds, each with a fresh server; loopback TCP.`,
        columns: ['what', 'KiB RSS each', 'KiB V8 heap each', 'KiB external each'],
        rows: [row('idle kept-alive connection', (entry) => entry.idle), row('in-flight request (node:http handler)', (entry) => entry.held)],
        notes: ['No target was set; for scale, a node:http keep-alive connection costs a few KiB of heap plus its socket buffers (kernel memory, not in RSS).'],
      },
    ],
    method: ['Connections are opened 200 at a time from the benchmark process over 127.0.0.1; the server allows 20,000 connections and requests.'],
  };
}
