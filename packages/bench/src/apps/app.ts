/**
 * A benchmarked server, run as a child process (forked with IPC) so that the load generator,
 * the web server and the app each get their own process, as in production. The first argument
 * is an {@link AppSpec} as JSON; when listening, the app sends `{ ready: address }`. Messages
 * `'memory'` (answered with a GC'd `process.memoryUsage()` plus the peak RSS) and `'held'`
 * (answered with the number of held `/hold` requests) serve the memory scenario.
 *
 * @module
 */
import { createServer as createHttpServer } from 'node:http';
import type { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { createGateway } from '@fcgi/client';
import { createServer as createFastcgiServer } from '@fcgi/server';
import { createServer as createNodeFastcgiServer } from 'node-fastcgi';
import { fastcgiClientGateway } from './fastcgi-client-gateway.js';
import { minimalResponder } from './minimal.js';
import { minimalGateway } from './minimal-gateway.js';
import { benchHandler, held } from './handlers.js';
import type { AppSpec } from './spec.js';

/** What the apps have in common: node:net servers and FastCgiServer. */
interface Listening extends EventEmitter {
  listen(...args: unknown[]): unknown;
  address(): string | AddressInfo | null;
}

function build(spec: AppSpec): Listening {
  switch (spec.kind) {
    case 'fcgi':
      return createFastcgiServer(
        { multiplex: spec.multiplex ?? true, maxConnections: 20_000, maxConcurrentRequests: 20_000, maxRequestsPerConnection: 1000 },
        benchHandler,
      );
    case 'node-fastcgi':
      return createNodeFastcgiServer(benchHandler);
    case 'http':
      return createHttpServer({ keepAliveTimeout: 60_000 }, benchHandler);
    case 'gateway':
      return createHttpServer({ keepAliveTimeout: 60_000 }, createGateway({ upstream: { address: spec.upstream ?? '', connections: spec.connections ?? 8 }, documentRoot: spec.documentRoot ?? '/srv' }));
    case 'minimal':
      return minimalResponder();
    case 'minimal-gateway':
      return createHttpServer({ keepAliveTimeout: 60_000 }, minimalGateway(spec.upstream ?? '', spec.documentRoot ?? '/srv', spec.connections ?? 8));
    case 'fastcgi-client':
      return createHttpServer({ keepAliveTimeout: 60_000 }, fastcgiClientGateway(spec.upstream ?? '', spec.documentRoot ?? '/srv'));
  }
}

/** Peak resident set size of this process in bytes (VmHWM). */
function peakRss(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return match === null ? 0 : Number(match[1]) * 1024;
}

function answer(message: unknown): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (message === 'memory') {
    gc?.();
    gc?.();
    process.send?.({ memory: { ...process.memoryUsage(), peakRss: peakRss() } });
  } else if (message === 'held') {
    process.send?.({ held: held.length });
  }
}

const spec = JSON.parse(process.argv[2] ?? '{}') as AppSpec;
const server = build(spec);
server.on('error', (error) => {
  console.error(error);
  process.exit(1);
});
const onListening = (): void => {
  const address = server.address();
  process.send?.({ ready: typeof address === 'string' ? address : `127.0.0.1:${address?.port ?? 0}` });
};
if (spec.path !== undefined) server.listen(spec.path, onListening);
else server.listen(0, '127.0.0.1', 1024, onListening);
process.on('message', answer);
process.on('disconnect', () => process.exit(0));
