/**
 * One closed-loop run of a FastCGI client issuing requests straight to php-fpm (no HTTP in
 * front): @fcgi/client's `Client` or npm fastcgi-client 0.2.0, in a process of its own so
 * neither warms or pollutes the other's code. Argument: JSON {@link ClientLoopSpec}; sends
 * `{ result: ClientLoopResult }` over IPC after each run and exits when disconnected. A
 * message `'run'` starts a run.
 *
 * @module
 */
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import type { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { Client } from '@fcgi/client';
import { minimalClient } from './minimal-client.js';

/** What to run. */
export interface ClientLoopSpec {
  library: 'ours' | 'fastcgi-client' | 'codec-only';
  /** php-fpm's Unix socket path. */
  socketPath: string;
  documentRoot: string;
  /** Requests in flight at once. */
  concurrency: number;
  /** @fcgi/client's connection cap. */
  connections: number;
  durationMs: number;
}

/** One run's counts. */
export interface ClientLoopResult {
  requests: number;
  seconds: number;
  /** User + system CPU time of this process during the run, in microseconds. */
  cpuMicros: number;
  errors: number;
}

interface NpmRequest {
  stdin: Writable;
  stdout: Readable;
  stderr: Readable;
}

interface NpmClient extends EventEmitter {
  request(params: Record<string, string>, callback: (error: Error | null, request: NpmRequest) => void): void;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as ClientLoopSpec;
const params: Record<string, string> = {
  QUERY_STRING: '',
  REQUEST_METHOD: 'GET',
  CONTENT_TYPE: '',
  CONTENT_LENGTH: '',
  SCRIPT_FILENAME: `${spec.documentRoot}/hello.php`,
  SCRIPT_NAME: '/hello.php',
  REQUEST_URI: '/hello.php',
  DOCUMENT_URI: '/hello.php',
  DOCUMENT_ROOT: spec.documentRoot,
  SERVER_PROTOCOL: 'HTTP/1.1',
  GATEWAY_INTERFACE: 'CGI/1.1',
  REMOTE_ADDR: '127.0.0.1',
  REMOTE_PORT: '40000',
  SERVER_ADDR: '127.0.0.1',
  SERVER_PORT: '80',
  SERVER_NAME: 'localhost',
  REDIRECT_STATUS: '200',
};

/**
 * Sends one request and reads the whole answer (hello.php: a few bytes) with `bytes()`,
 * which resolves after END_REQUEST: the same work as fastcgi-client's side below, which
 * gathers the chunks with 'data' listeners until 'end'.
 */
function oursRequester(): () => Promise<void> {
  const client = new Client({ address: `unix:${spec.socketPath}`, connections: spec.connections });
  return async () => {
    await (await client.request({ params })).bytes();
  };
}

function npmRequester(): () => Promise<void> {
  // fastcgi-client is CommonJS exporting the function itself; maxConns 64: with fewer it refuses requests instead of queueing them.
  const createClient = createRequire(import.meta.url)('fastcgi-client') as (options: Record<string, string | number | boolean>) => NpmClient;
  const client = createClient({ sockFile: spec.socketPath, maxConns: 64, maxReqs: 64, mpxsConns: 0, skipCheckServer: true });
  client.on('error', () => undefined);
  return () =>
    new Promise<void>((resolve, reject) => {
      client.request(params, (error, request) => {
        if (error !== null) {
          reject(error);
          return;
        }
        const chunks: Buffer[] = [];
        request.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.stdout.on('error', reject);
        request.stdout.on('end', () => resolve());
        request.stderr.resume();
        request.stdin.end();
      });
    });
}

/** The floor: @fcgi/codec alone over kept connections (apps/minimal-client.js). */
function codecOnlyRequester(): () => Promise<void> {
  const send = minimalClient(spec.socketPath, spec.connections);
  return async () => {
    await send(params);
  };
}

const requesters = { ours: oursRequester, 'fastcgi-client': npmRequester, 'codec-only': codecOnlyRequester };
const requestOnce = requesters[spec.library]();

async function run(durationMs: number): Promise<ClientLoopResult> {
  let requests = 0;
  let errors = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + durationMs;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      try {
        await requestOnce();
        requests++;
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, worker));
  const cpu = process.cpuUsage(cpuBefore);
  return { requests, seconds: (performance.now() - started) / 1000, cpuMicros: cpu.user + cpu.system, errors };
}

process.on('message', (message: unknown) => {
  if (message !== 'run' && message !== 'warm') return;
  void run(message === 'warm' ? 1000 : spec.durationMs).then((result) => process.send?.({ result }));
});
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: spec.library });
