/**
 * The soak run: gateway (node:http) -> @fcgi/client -> @fcgi/server, plus direct client
 * traffic, on loopback, bounded in time and requests, with faults on top: idle
 * connections held open (slowloris), aborts, and a graceful restart of the server under
 * load. Reports requests, outcomes by code, RSS and heap before/after with their slopes,
 * open file descriptors, and sockets left open.
 *
 * @module
 */
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { Agent, type Server as HttpServer, createServer as createHttpServer } from 'node:http';
import { type AddressInfo, type Socket, connect } from 'node:net';
import { Client, createGateway } from '@fcgi/client';
import { type FastCgiServer, createServer } from '@fcgi/server';
import { requestMix, sendRequest, soakApp, soakCounters } from './soak-load.js';

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
}

/** What the run saw. */
export interface SoakSummary {
  seconds: number;
  requests: number;
  /** 'ok', 'aborted' (asked for) and every failure by code. */
  outcomes: Record<string, number>;
  /** Failures (outcomes other than ok/aborted) outside the restart window. */
  errors: number;
  /** Failures during the restart window (connection refused while no server listened). */
  restartErrors: number;
  /** Idle connections still open when the restart began (or at the end without one). */
  idleHeld: number;
  rss: { before: number; after: number; slopeBytesPerMinute: number };
  heap: { before: number; after: number; slopeBytesPerMinute: number };
  fileDescriptors: { before: number; after: number };
  /** Server connections still open after the traffic stopped and the idle sockets closed. */
  serverConnectionsLeft: number;
  /** Server side: handler runs started, finished, aborted by the web server, cut without an abort (must be 0). */
  handled: { started: number; finished: number; aborted: number; cut: number };
}

function openDescriptors(): number {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return -1;
  }
}

/** Least-squares slope of (time in ms, value) samples, in units per minute. */
function slopePerMinute(samples: readonly [number, number][]): number {
  if (samples.length < 2) return 0;
  const meanTime = samples.reduce((total, [time]) => total + time, 0) / samples.length;
  const meanValue = samples.reduce((total, [, value]) => total + value, 0) / samples.length;
  let numerator = 0;
  let denominator = 0;
  for (const [time, value] of samples) {
    numerator += (time - meanTime) * (value - meanValue);
    denominator += (time - meanTime) ** 2;
  }
  return denominator === 0 ? 0 : Math.round((numerator / denominator) * 60_000);
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

interface Rig {
  fcgi: FastCgiServer;
  port: number;
  http: HttpServer;
  httpPort: number;
  agent: Agent;
  client: Client;
  gatewayClient: Client;
}

async function startRig(): Promise<Rig> {
  const fcgi = await startFcgi();
  const port = (fcgi.address() as AddressInfo).port;
  const gatewayClient = new Client({ address: `127.0.0.1:${port}`, getValues: false, connections: 16 });
  const gateway = createGateway({ upstream: gatewayClient });
  const http = createHttpServer(gateway);
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  const client = new Client({ address: `127.0.0.1:${port}`, getValues: false, connections: 8 });
  return { fcgi, port, http, httpPort: (http.address() as AddressInfo).port, agent, client, gatewayClient };
}

async function stopRig(rig: Rig): Promise<void> {
  rig.agent.destroy();
  await rig.client.close();
  await rig.gatewayClient.close();
  rig.http.closeAllConnections();
  await new Promise((resolve) => rig.http.close(resolve));
}

/**
 * Runs the soak.
 *
 * @example
 * ```ts
 * const summary = await runSoak({ seconds: 10, maxRequests: 5000, idleConnections: 500 });
 * summary.errors; // 0
 * ```
 */
export async function runSoak(options: SoakOptions): Promise<SoakSummary> {
  const rig = await startRig();
  const counted = { ...soakCounters };
  const start = performance.now();
  const before = { rss: process.memoryUsage().rss, heap: process.memoryUsage().heapUsed, fds: openDescriptors() };
  const idle = await openIdle(rig.port, options.idleConnections ?? 0);
  const summary: SoakSummary = { seconds: 0, requests: 0, outcomes: {}, errors: 0, restartErrors: 0, idleHeld: 0, rss: { before: before.rss, after: 0, slopeBytesPerMinute: 0 }, heap: { before: before.heap, after: 0, slopeBytesPerMinute: 0 }, fileDescriptors: { before: before.fds, after: 0 }, serverConnectionsLeft: 0, handled: { started: 0, finished: 0, aborted: 0, cut: 0 } };
  const rssSamples: [number, number][] = [];
  const heapSamples: [number, number][] = [];
  const sampler = setInterval(() => {
    const usage = process.memoryUsage();
    rssSamples.push([performance.now() - start, usage.rss]);
    heapSamples.push([performance.now() - start, usage.heapUsed]);
  }, 250);
  const deadline = start + options.seconds * 1000;
  let restarting = false;
  let restartDone = options.restart === false;
  let sequence = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline && sequence < options.maxRequests) {
      const mySequence = sequence++;
      const duringRestart = restarting;
      const outcome = await sendRequest({ httpPort: rig.httpPort, agent: rig.agent, client: rig.client }, requestMix[mySequence % requestMix.length] as (typeof requestMix)[number], mySequence);
      summary.requests++;
      summary.outcomes[outcome] = (summary.outcomes[outcome] ?? 0) + 1;
      if (outcome !== 'ok' && outcome !== 'aborted') {
        if (duringRestart || restarting) summary.restartErrors++;
        else summary.errors++;
      }
      if (!restartDone && (mySequence >= options.maxRequests / 2 || performance.now() > start + (options.seconds * 1000) / 2)) {
        restartDone = true;
        restarting = true;
        summary.idleHeld = idle.filter((socket) => !socket.destroyed && !socket.readableEnded).length;
        // Graceful: stop listening, let what was accepted finish, then listen again on the same port.
        const closed = closeFcgi(rig.fcgi);
        rig.fcgi = await listenAgain(rig.port);
        await closed;
        restarting = false;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 16 }, () => worker()));
  clearInterval(sampler);
  if (options.restart === false) summary.idleHeld = idle.filter((socket) => !socket.destroyed && !socket.readableEnded).length;
  for (const socket of idle) socket.destroy();
  await stopRig(rig);
  // Closed sockets are noticed within a few ms; a loaded machine gets up to 3 s before one counts as leaked.
  for (let waited = 0; rig.fcgi.connectionCount > 0 && waited < 3000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
  summary.serverConnectionsLeft = rig.fcgi.connectionCount;
  await closeFcgi(rig.fcgi);
  (globalThis as { gc?: () => void }).gc?.();
  const after = process.memoryUsage();
  summary.rss = { before: before.rss, after: after.rss, slopeBytesPerMinute: slopePerMinute(rssSamples.slice(Math.floor(rssSamples.length / 4))) };
  summary.heap = { before: before.heap, after: after.heapUsed, slopeBytesPerMinute: slopePerMinute(heapSamples.slice(Math.floor(heapSamples.length / 4))) };
  summary.fileDescriptors = { before: before.fds, after: openDescriptors() };
  summary.handled = { started: soakCounters.started - counted.started, finished: soakCounters.finished - counted.finished, aborted: soakCounters.aborted - counted.aborted, cut: soakCounters.cut - counted.cut };
  summary.seconds = Math.round((performance.now() - start) / 100) / 10;
  return summary;
}
