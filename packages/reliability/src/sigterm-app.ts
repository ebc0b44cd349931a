/**
 * A child process for the SIGTERM test: an @fcgi/server with `handleSignals: true` whose
 * handler answers after 300 ms. Prints `port N` once listening, and on exit a JSON line
 * with how many requests its handler started and finished. With `--log-starts` it also
 * prints `started` each time its handler starts a request.
 *
 *   node dist/sigterm-app.js [--log-starts]
 *
 * @module
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { createServer } from '@fcgi/server';

const counters = { started: 0, finished: 0 };
const logStarts = process.argv.includes('--log-starts');
const server = createServer({ handleSignals: true, closeTimeout: 5000 }, async (_req, res) => {
  counters.started++;
  if (logStarts) console.log('started');
  res.once('finish', () => counters.finished++);
  await delay(300);
  res.end('done');
});
server.on('close', () => {
  console.log(JSON.stringify(counters));
  process.exit(0);
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
console.log(`port ${(server.address() as AddressInfo).port}`);
