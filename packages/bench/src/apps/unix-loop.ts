/**
 * One closed-loop run of client -> server over a Unix socket in this process, for the
 * before/after comparison: each build runs in its own process so neither warms or pollutes
 * the other's code. Argument: JSON `{ root, multiplex, concurrency, durationMs }`, where `root`
 * holds `packages/{client,server}/dist`; sends `{ rate, newConnections }` over IPC and exits.
 *
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { Client as ClientType } from '@fcgi/client';
import type { FastCgiServer } from '@fcgi/server';
import { benchHandler } from './handlers.js';

interface LoopSpec {
  root: string;
  multiplex: boolean;
  concurrency: number;
  durationMs: number;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as LoopSpec;
const { Client } = (await import(pathToFileURL(join(spec.root, 'packages/client/dist/index.js')).href)) as { Client: typeof ClientType };
const { createServer } = (await import(pathToFileURL(join(spec.root, 'packages/server/dist/index.js')).href)) as {
  createServer: (options: object, listener: typeof benchHandler) => FastCgiServer;
};
const directory = mkdtempSync(join(tmpdir(), 'fcgi-ab-'));
const path = join(directory, 's.sock');
const server = createServer({ multiplex: spec.multiplex, maxConnections: 20_000, maxConcurrentRequests: 20_000 }, benchHandler);
let connections = 0;
server.on('connection', () => connections++);
server.listen(path);
await once(server, 'listening');
const client = new Client({ address: `unix:${path}`, connections: spec.multiplex ? 1 : spec.concurrency, maxConcurrentPerConnection: 64, keepAliveTimeout: 600_000, maxRequestsPerConnection: 0 });

async function loop(durationMs: number): Promise<number> {
  let count = 0;
  const end = performance.now() + durationMs;
  await Promise.all(Array.from({ length: spec.concurrency }, async () => {
    while (performance.now() < end) {
      const response = await client.request({ params: { REQUEST_METHOD: 'GET', REQUEST_URI: '/hello', SCRIPT_NAME: '/hello' } });
      response.body.resume();
      await response.done;
      count++;
    }
  }));
  return count;
}

try {
  await loop(300);
  const before = connections;
  const count = await loop(spec.durationMs);
  process.send?.({ rate: count / (spec.durationMs / 1000), newConnections: connections - before });
} finally {
  await client.close();
  server.closeAllConnections();
  server.close();
  rmSync(directory, { recursive: true, force: true });
}
