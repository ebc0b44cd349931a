/**
 * The soak run: gateway (node:http) -> @fcgi/client -> @fcgi/server, direct client
 * traffic, and gateway -> a real php-fpm (when installed), on loopback, bounded in time
 * and requests, with faults on top: idle connections held open (slowloris), aborts, and a
 * graceful restart of our server under load. Reports requests and outcomes per target,
 * RSS and heap before/after with their slopes (this process; php-fpm's master and
 * workers apart), open file descriptors, sockets left open and the load average.
 *
 * @module
 */
import { once } from 'node:events';
import { Agent, type Server as HttpServer, createServer as createHttpServer } from 'node:http';
import { type AddressInfo, type Socket, connect } from 'node:net';
import { loadavg } from 'node:os';
import { Client, createGateway } from '@fcgi/client';
import { type FastCgiServer, createServer } from '@fcgi/server';
import { type RequestKind, requestMix, sendRequest, soakApp, soakCounters } from './soak-load.js';
import { openDescriptors, steadySlope, treeUsage } from './soak-metrics.js';
import { type PhpRequestKind, type PhpTarget, closePhpGateway, sendPhpRequest, startPhpTarget, stopPhpTarget } from './soak-php.js';
import { type SoakSummary, emptySummary, phpFpmStart, record } from './soak-summary.js';

export type { PhpFpmSummary, SoakSummary, TargetName, TargetSummary } from './soak-summary.js';

/** Options of {@link runSoak}. */
export interface SoakOptions {
  /** Wall-clock bound in seconds. */
  seconds: number;
  /** Request bound. */
  maxRequests: number;
  /** Requests in flight at once (default 16). */
  concurrency?: number;
  /** Idle connections held open against the server during the run (default 0). */
  idleConnections?: number;
  /** Restart the server gracefully halfway through (default true). */
  restart?: boolean;
  /** Add gateway -> php-fpm traffic when php-fpm is installed (default true; missing under FCGI_REQUIRE_PEERS=1 throws). */
  phpFpm?: boolean;
}

async function startFcgi(port = 0): Promise<FastCgiServer> {
  const server = createServer({ maxConnections: 20_000, closeTimeout: 5000 }, soakApp);
  server.on('requestError', () => {});
  server.on('connectionError', () => {});
  server.listen(port, '127.0.0.1');
  await Promise.race([once(server, 'listening'), once(server, 'error').then(([error]) => Promise.reject(error as Error))]);
  return server;
}

/** Listens again on `port` as soon as the old server has let it go (a few ms at most). */
async function listenAgain(port: number): Promise<FastCgiServer> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await startFcgi(port);
    } catch (error) {
      if (attempt === 200) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

function closeFcgi(server: FastCgiServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Opens `count` idle connections: half silent, half stopped inside a BEGIN_REQUEST header. */
async function openIdle(port: number, count: number): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let index = 0; index < count; index++) {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.on('error', () => {});
    if (index % 2 === 1) socket.write(new Uint8Array([1, 1, 0, 1, 0]));
    sockets.push(socket);
    if (index % 200 === 199) await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return sockets;
}

/** Idle sockets still open (all, and those that never sent a byte) and our server's connection count. */
function countIdle(summary: SoakSummary, idle: readonly Socket[], fcgi: FastCgiServer): void {
  const held = idle.filter((socket) => !socket.destroyed && !socket.readableEnded);
  summary.idleHeld = held.length;
  summary.idleSilentHeld = held.filter((socket) => socket.bytesWritten === 0).length;
  summary.serverConnectionsAtCheck = fcgi.connectionCount;
}

interface Rig {
  fcgi: FastCgiServer;
  port: number;
  http: HttpServer;
  httpPort: number;
  agent: Agent;
  client: Client;
  gatewayClient: Client;
  php: PhpTarget | undefined;
}

async function startRig(withPhp: boolean): Promise<Rig> {
  const fcgi = await startFcgi();
  const port = (fcgi.address() as AddressInfo).port;
  const gatewayClient = new Client({ address: `127.0.0.1:${port}`, getValues: false, connections: 16 });
  const gateway = createGateway({ upstream: gatewayClient });
  const http = createHttpServer(gateway);
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  const client = new Client({ address: `127.0.0.1:${port}`, getValues: false, connections: 8 });
  const php = withPhp ? await startPhpTarget() : undefined;
  return { fcgi, port, http, httpPort: (http.address() as AddressInfo).port, agent, client, gatewayClient, php };
}

async function stopRig(rig: Rig): Promise<void> {
  rig.agent.destroy();
  await rig.client.close();
  await rig.gatewayClient.close();
  rig.http.closeAllConnections();
  await new Promise((resolve) => rig.http.close(resolve));
  if (rig.php !== undefined) await closePhpGateway(rig.php);
}

/** The php-fpm kinds, spread among the server's kinds (5 in every 16 requests). */
const phpMix: readonly PhpRequestKind[] = ['php-hello', 'php-echo', 'php-stream', 'php-hello', 'php-chunked'];

type MixKind = RequestKind | PhpRequestKind;

function buildMix(withPhp: boolean): MixKind[] {
  if (!withPhp) return [...requestMix];
  const mix: MixKind[] = [];
  requestMix.forEach((kind, index) => {
    mix.push(kind);
    const php = index % 2 === 0 ? phpMix[index / 2] : undefined;
    if (php !== undefined) mix.push(php);
  });
  return mix;
}

function send(rig: Rig, kind: MixKind, sequence: number): Promise<string> {
  if (kind.startsWith('php-')) return sendPhpRequest(rig.php as PhpTarget, kind as PhpRequestKind, sequence);
  return sendRequest({ httpPort: rig.httpPort, agent: rig.agent, client: rig.client }, kind as RequestKind, sequence);
}

/** Samples this process's RSS and heap every 250 ms, php-fpm's RSS every second. */
function startSampler(start: number, php: PhpTarget | undefined): { stop(): void; rss: [number, number][]; heap: [number, number][]; phpRss: [number, number][] } {
  const samples = { rss: [] as [number, number][], heap: [] as [number, number][], phpRss: [] as [number, number][] };
  let tick = 0;
  const timer = setInterval(() => {
    const now = performance.now() - start;
    const usage = process.memoryUsage();
    samples.rss.push([now, usage.rss]);
    samples.heap.push([now, usage.heapUsed]);
    if (php !== undefined && tick++ % 4 === 0) samples.phpRss.push([now, treeUsage(php.fpm.pid).rss]);
  }, 250);
  return { ...samples, stop: () => clearInterval(timer) };
}

async function waitUntil(condition: () => boolean, milliseconds: number): Promise<void> {
  for (let waited = 0; !condition() && waited < milliseconds; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
}

/** After the traffic: php-fpm's descriptors once the gateway's connections are gone (up to 3 s), then php-fpm stopped. */
async function finishPhp(summary: SoakSummary, php: PhpTarget | undefined, phpRss: [number, number][]): Promise<void> {
  if (php === undefined) return;
  const before = summary.phpFpm.fileDescriptors.before;
  await waitUntil(() => treeUsage(php.fpm.pid).fileDescriptors <= before, 3000);
  const after = treeUsage(php.fpm.pid);
  summary.phpFpm.rss.after = after.rss;
  summary.phpFpm.rss.slopeBytesPerMinute = steadySlope(phpRss);
  summary.phpFpm.fileDescriptors.after = after.fileDescriptors;
  summary.phpFpm.processes.after = after.processes;
  await stopPhpTarget(php);
}

function phpBefore(summary: SoakSummary, php: PhpTarget): void {
  const usage = treeUsage(php.fpm.pid);
  summary.phpFpm.rss.before = usage.rss;
  summary.phpFpm.fileDescriptors.before = usage.fileDescriptors;
  summary.phpFpm.processes.before = usage.processes;
}

/** The workers: each sends the next kind of the mix until the deadline or the request bound; one of them restarts our server halfway. */
async function runTraffic(rig: Rig, summary: SoakSummary, options: SoakOptions, idle: readonly Socket[], start: number): Promise<void> {
  const mix = buildMix(rig.php !== undefined);
  const deadline = start + options.seconds * 1000;
  let restarting = false;
  let restartDone = options.restart === false;
  let sequence = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline && sequence < options.maxRequests) {
      const mySequence = sequence++;
      const duringRestart = restarting;
      const kind = mix[mySequence % mix.length] as MixKind;
      const outcome = await send(rig, kind, mySequence);
      record(summary, kind, outcome, duringRestart || restarting);
      if (!restartDone && (mySequence >= options.maxRequests / 2 || performance.now() > start + (options.seconds * 1000) / 2)) {
        restartDone = true;
        restarting = true;
        countIdle(summary, idle, rig.fcgi);
        // Graceful: stop listening, let what was accepted finish, then listen again on the same port.
        const closed = closeFcgi(rig.fcgi);
        rig.fcgi = await listenAgain(rig.port);
        await closed;
        restarting = false;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 16 }, () => worker()));
}

/**
 * Runs the soak.
 *
 * @example
 * ```ts
 * const summary = await runSoak({ seconds: 10, maxRequests: 5000, idleConnections: 500 });
 * summary.errors; // 0
 * summary.targets['gateway -> php-fpm']?.requests; // when php-fpm is installed
 * ```
 */
export async function runSoak(options: SoakOptions): Promise<SoakSummary> {
  const summary = emptySummary(phpFpmStart(options.phpFpm ?? true));
  const rig = await startRig(summary.phpFpm.included);
  const counted = { ...soakCounters };
  const start = performance.now();
  const before = { rss: process.memoryUsage().rss, heap: process.memoryUsage().heapUsed, fds: openDescriptors() };
  if (rig.php !== undefined) phpBefore(summary, rig.php);
  const idle = await openIdle(rig.port, options.idleConnections ?? 0);
  const sampler = startSampler(start, rig.php);
  await runTraffic(rig, summary, options, idle, start);
  sampler.stop();
  if (options.restart === false) countIdle(summary, idle, rig.fcgi);
  for (const socket of idle) socket.destroy();
  await stopRig(rig);
  // Closed sockets are noticed within a few ms; a loaded machine gets up to 3 s before one counts as leaked.
  await waitUntil(() => rig.fcgi.connectionCount === 0, 3000);
  summary.serverConnectionsLeft = rig.fcgi.connectionCount;
  await closeFcgi(rig.fcgi);
  await finishPhp(summary, rig.php, sampler.phpRss);
  (globalThis as { gc?: () => void }).gc?.();
  const after = process.memoryUsage();
  summary.rss = { before: before.rss, after: after.rss, slopeBytesPerMinute: steadySlope(sampler.rss) };
  summary.heap = { before: before.heap, after: after.heapUsed, slopeBytesPerMinute: steadySlope(sampler.heap) };
  summary.fileDescriptors = { before: before.fds, after: openDescriptors() };
  summary.handled = { started: soakCounters.started - counted.started, finished: soakCounters.finished - counted.finished, aborted: soakCounters.aborted - counted.aborted, cut: soakCounters.cut - counted.cut };
  summary.seconds = Math.round((performance.now() - start) / 100) / 10;
  summary.loadAverage.after = loadavg();
  return summary;
}
