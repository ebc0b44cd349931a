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

async function setup(workers: number, connections: number, headersTimeout = 3000): Promise<{ fpm: FakeFpm; client: Client }> {
  const fpm = await new FakeFpm(workers, (request, connection) => {
    setTimeout(() => connection.respond(request.requestId, 'A: b', 'done'), 5);
  }).listen();
  fpms.push(fpm);
  // A keep-alive timeout far above the head timeout: a stall shows as ERR_FCGI_HEADERS_TIMEOUT.
  const client = new Client({ address: fpm.address, getValues: false, connections, keepAliveTimeout: 60_000, headersTimeout });
  clients.push(client);
  return { fpm, client };
}

async function one(client: Client): Promise<string> {
  const response = await client.request({});
  return (await readAll(response.body)).toString();
}

describe('kept-alive connections pinning workers (php-fpm style)', () => {
  it('completes a burst of 32 requests with 8 connections against 2 workers', async () => {
    const { fpm, client } = await setup(2, 8);
    const results = await Promise.all(Array.from({ length: 32 }, () => one(client)));
    expect(results.every((result) => result === 'done')).toBe(true);
    expect(fpm.app.requests).toHaveLength(32);
  });

  it('serves requests stuck behind busy workers while the queue stays full', async () => {
    // About 3 s of a full queue: a request stuck on an unaccepted connection until the
    // queue drains would hit its 1 s head timeout.
    const { client } = await setup(2, 6, 1000);
    let issued = 0;
    let served = 0;
    await Promise.all(Array.from({ length: 24 }, async () => {
      while (issued < 800) {
        issued += 1;
        if ((await one(client)) === 'done') served += 1;
      }
    }));
    expect(served).toBe(800);
  });
});
