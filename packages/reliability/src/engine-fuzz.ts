/**
 * Fuzzes a live @fcgi/server on loopback with mutated nginx traffic, several connections
 * at once; between batches a clean request on a fresh connection must still be served.
 * And fuzzes @fcgi/client against an app that answers with mutated php-fpm replies: every
 * request must end in a result or a typed error within a bound.
 *
 * @module
 */
import { once } from 'node:events';
import { type AddressInfo, type Server, type Socket, createServer as createNetServer } from 'node:net';
import { Client } from '@fcgi/client';
import { FastCgiError, RecordDecoder, RecordType } from '@fcgi/codec';
import { type FastCgiServer, createServer } from '@fcgi/server';
import { type Seed, buildCorpus, capturedSeeds, nginxRequest, phpFpmResponse } from './corpus.js';
import { Random, mutate } from './mutate.js';
import { RawPeer } from './raw-peer.js';

/** What a live fuzz run saw. */
export interface LiveFuzzSummary {
  cases: number;
  /** Outcomes by error code ('ok', 'closed', 'answered' for the server run). */
  outcomes: Record<string, number>;
  /** Broken rules: a failed control request, an untyped error, a hang, an uncaught exception. */
  anomalies: string[];
  /** Control requests served between batches. */
  controls: number;
  maxCaseMilliseconds: number;
  milliseconds: number;
}

/** Options of the live fuzz runs. */
export interface LiveFuzzOptions {
  cases: number;
  seed?: number;
  /** Cases run at once (default 8). */
  concurrency?: number;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : JSON.stringify(error);
}

function count(summary: LiveFuzzSummary, outcome: string): void {
  summary.outcomes[outcome] = (summary.outcomes[outcome] ?? 0) + 1;
}

function emptySummary(): LiveFuzzSummary {
  return { cases: 0, outcomes: {}, anomalies: [], controls: 0, maxCaseMilliseconds: 0, milliseconds: 0 };
}

/** Collects uncaught exceptions and unhandled rejections while `run` runs. */
async function guarded(summary: LiveFuzzSummary, run: () => Promise<void>): Promise<void> {
  const onUncaught = (error: unknown): void => {
    summary.anomalies.push(`uncaught: ${String(error)}`);
  };
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
  const start = performance.now();
  try {
    await run();
  } finally {
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
    summary.milliseconds = performance.now() - start;
  }
}

function serverSeeds(): Seed[] {
  const records = buildCorpus().records.filter((seed) => !seed.name.startsWith('php-fpm') && !seed.name.includes('.to-web'));
  return [...records, { name: 'two requests, keep-conn', bytes: Buffer.concat([nginxRequest('/a.php', 'POST', new Uint8Array(100), 1), nginxRequest('/b.php', 'GET', new Uint8Array(0), 2)]) }];
}

async function startFuzzedServer(summary: LiveFuzzSummary): Promise<{ server: FastCgiServer; port: number }> {
  const server = createServer({ paramsTimeout: 300, idleTimeout: 1000, closeTimeout: 500 }, async (req, res) => {
    let length = 0;
    for await (const chunk of req) length += (chunk as Buffer).length;
    res.end(`ok ${length}`);
  });
  server.on('connectionError', (error: { code?: string }) => {
    if (typeof error.code !== 'string' || !error.code.startsWith('ERR_FCGI_')) summary.anomalies.push(`untyped connection error: ${describe(error)}`);
  });
  server.on('requestError', (error: unknown) => summary.anomalies.push(`request error: ${String(error)}`));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port };
}

async function serverCase(port: number, bytes: Uint8Array, summary: LiveFuzzSummary): Promise<void> {
  const start = performance.now();
  const peer = await RawPeer.connect(port);
  peer.write(bytes);
  await peer.waitFor(() => peer.closed || peer.records.some((record) => record.type === RecordType.EndRequest), 50);
  if (peer.decodeError !== undefined) summary.anomalies.push(`the server sent bytes that do not decode: ${describe(peer.decodeError)}`);
  count(summary, peer.closed ? 'closed' : peer.records.length > 0 ? 'answered' : 'silent');
  peer.destroy();
  summary.maxCaseMilliseconds = Math.max(summary.maxCaseMilliseconds, performance.now() - start);
}

async function control(port: number, summary: LiveFuzzSummary): Promise<void> {
  const peer = await RawPeer.connect(port);
  peer.write(nginxRequest('/control.php', 'POST', new Uint8Array(10)));
  const end = await peer.waitForEnd(1, 3000);
  if (end?.protocolStatus !== 0 || !peer.stdoutText(1).endsWith('ok 10')) summary.anomalies.push('a control request was not served');
  else summary.controls++;
  peer.destroy();
}

/**
 * Mutated request streams into a live @fcgi/server.
 *
 * @example
 * ```ts
 * const summary = await fuzzServerEngine({ cases: 300, seed: 1 });
 * summary.anomalies; // []
 * ```
 */
export async function fuzzServerEngine(options: LiveFuzzOptions): Promise<LiveFuzzSummary> {
  const summary = emptySummary();
  const seeds = serverSeeds();
  const concurrency = options.concurrency ?? 8;
  const { server, port } = await startFuzzedServer(summary);
  await guarded(summary, async () => {
    for (let base = 0; base < options.cases; base += concurrency) {
      const batch: Promise<void>[] = [];
      for (let index = base; index < Math.min(options.cases, base + concurrency); index++) {
        const random = new Random(Math.imul((options.seed ?? 1) + index, 0x9e3779b1));
        batch.push(serverCase(port, mutate(random.pick(seeds).bytes, random, random.pick(seeds).bytes), summary));
        summary.cases++;
      }
      await Promise.all(batch);
      if ((base / concurrency) % 10 === 0) await control(port, summary);
    }
    await control(port, summary);
  });
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return summary;
}

/** A raw app that answers each request with the next mutated php-fpm reply. */
async function startMutatingApp(seed: number): Promise<{ server: Server; address: string; sockets: Set<Socket> }> {
  const captured = capturedSeeds().filter((seed) => seed.name.includes('.to-web')).map((seed) => seed.bytes);
  const replies = [phpFpmResponse('Content-Type: text/plain', 'hello'), phpFpmResponse('Status: 404 Not Found', 'nope', 'PHP warning'), phpFpmResponse('Location: /x\r\nSet-Cookie: a=1', ''), ...captured];
  const random = new Random(seed);
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const decoder = new RecordDecoder();
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const record of decoder.push(chunk)) {
          if (record.type !== RecordType.Stdin || record.content.length > 0) continue;
          socket.write(mutate(random.pick(replies), random, random.pick(replies)));
          if (random.below(3) === 0) socket.end();
        }
      } catch {
        socket.destroy();
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, sockets, address: `127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function clientCase(client: Client, summary: LiveFuzzSummary): Promise<void> {
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve('hang'), 5000);
  });
  const settle = (async (): Promise<string> => {
    try {
      const response = await client.request({ params: { REQUEST_METHOD: 'GET', SCRIPT_NAME: '/a.php' } });
      response.stderr.resume();
      for await (const _chunk of response.body) { /* drain */ }
      await response.done;
      return 'ok';
    } catch (error) {
      return FastCgiError.is(error) ? error.code : `untyped: ${String(error)}`;
    }
  })();
  const outcome = await Promise.race([settle, hang]);
  clearTimeout(timer);
  if (outcome === 'hang' || outcome.startsWith('untyped')) summary.anomalies.push(outcome);
  count(summary, outcome);
  summary.maxCaseMilliseconds = Math.max(summary.maxCaseMilliseconds, performance.now() - start);
}

/**
 * Mutated php-fpm replies into @fcgi/client.
 *
 * @example
 * ```ts
 * const summary = await fuzzClient({ cases: 300, seed: 1 });
 * summary.anomalies; // []
 * ```
 */
export async function fuzzClient(options: LiveFuzzOptions): Promise<LiveFuzzSummary> {
  const summary = emptySummary();
  const app = await startMutatingApp(options.seed ?? 1);
  const client = new Client({ address: app.address, getValues: false, connections: 16, headersTimeout: 250, bodyTimeout: 250, abortTimeout: 100, connectTimeout: 1000 });
  const concurrency = options.concurrency ?? 16;
  await guarded(summary, async () => {
    for (let base = 0; base < options.cases; base += concurrency) {
      const batch: Promise<void>[] = [];
      for (let index = base; index < Math.min(options.cases, base + concurrency); index++) {
        batch.push(clientCase(client, summary));
        summary.cases++;
      }
      await Promise.all(batch);
    }
  });
  await client.destroy();
  for (const socket of app.sockets) socket.destroy();
  await new Promise<void>((resolve) => app.server.close(() => resolve()));
  return summary;
}
