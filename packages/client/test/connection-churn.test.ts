import { afterEach, describe, expect, it } from 'vitest';
import { Client } from '../src/index.js';
import { readAll } from './support/fake-app.js';
import { FakeFpm } from './support/fake-fpm.js';

const fpms: FakeFpm[] = [];
const clients: Client[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.destroy()));
  await Promise.all(fpms.splice(0).map((fpm) => fpm.close()));
});

describe('connection churn under a full queue (php-fpm style, one request per connection)', () => {
  it('opens at most 1.5 times the cap over 1,000 requests when the app stalls now and then', async () => {
    // As many workers as connections (what FCGI_MAX_CONNS gives against php-fpm). Answers
    // take 1-4 ms, but every 25th request stalls the whole app for 80 ms (a loaded machine):
    // every connection then waits longer than the 50 ms grace a first request gets. Nothing
    // is pinned, so closing a finished connection for an unproven one only replaces it with
    // another new (so unproven) one.
    const workers = 16;
    let count = 0;
    let stalledUntil = 0;
    const fpm = await new FakeFpm(workers, (request, connection) => {
      count += 1;
      const now = performance.now();
      if (count % 25 === 0) stalledUntil = now + 80;
      const delay = Math.max(0, stalledUntil - now) + 1 + Math.random() * 3;
      setTimeout(() => connection.respond(request.requestId, 'A: b', 'done'), delay);
    }).listen();
    fpms.push(fpm);
    const client = new Client({ address: fpm.address, getValues: false, connections: workers, keepAliveTimeout: 60_000, maxQueue: 4096 });
    clients.push(client);
    let issued = 0;
    let served = 0;
    await Promise.all(Array.from({ length: 256 }, async () => {
      while (issued < 1000) {
        issued += 1;
        const response = await client.request({});
        if ((await readAll(response.body)).toString() === 'done') served += 1;
      }
    }));
    expect(served).toBe(1000);
    // Before the fix: 18-42 connections here, more the busier the machine (a burst of closes
    // after a stall that catches new connections); now 16.
    expect(fpm.connectionsOpened).toBeLessThanOrEqual(workers + workers / 2);
  }, 60_000);
});
