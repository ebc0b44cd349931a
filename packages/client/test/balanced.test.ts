import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { BalancedClient } from '../src/index.js';
import { waitFor } from './support/wait.js';
import { type FakeApp, type FakeConnection, type FakeRequest, readAll, startFakeApp } from './support/fake-app.js';
import { freePort } from './support/php-fpm.js';

const apps: FakeApp[] = [];
const clients: BalancedClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.destroy()));
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

function named(name: string) {
  return (request: FakeRequest, connection: FakeConnection): void => connection.respond(request.requestId, 'A: b', name);
}

async function app(handler: (request: FakeRequest, connection: FakeConnection) => void | Promise<void>): Promise<FakeApp> {
  const started = await startFakeApp(handler);
  apps.push(started);
  return started;
}

async function deadAddress(): Promise<string> {
  return `127.0.0.1:${await freePort()}`;
}

async function text(client: BalancedClient, body?: string | Readable): Promise<string> {
  const response = await client.request({ body });
  return (await readAll(response.body)).toString();
}

describe('BalancedClient', () => {
  it('spreads requests round robin', async () => {
    const one = await app(named('one'));
    const two = await app(named('two'));
    const client = new BalancedClient({ upstreams: [one.address, two.address], getValues: false });
    clients.push(client);
    const results = [];
    for (let index = 0; index < 4; index++) results.push(await text(client));
    expect(results.sort()).toEqual(['one', 'one', 'two', 'two']);
  });

  it('fails over when an upstream refuses connections, and takes it out for failTimeout', async () => {
    const live = await app(named('live'));
    const client = new BalancedClient({ upstreams: [await deadAddress(), live.address], getValues: false, failTimeout: 60_000 });
    clients.push(client);
    for (let index = 0; index < 4; index++) expect(await text(client)).toBe('live');
    expect(client.stats.map((stats) => stats.down)).toEqual([true, false]);
  });

  it('shares the turns of an upstream taken out evenly among the others', async () => {
    const one = await app(named('one'));
    const two = await app(named('two'));
    const client = new BalancedClient({ upstreams: [one.address, two.address, await deadAddress()], getValues: false, failTimeout: 60_000 });
    clients.push(client);
    const counts = new Map<string, number>();
    for (let index = 0; index < 30; index++) {
      const name = await text(client);
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    expect(client.stats.map((stats) => stats.down)).toEqual([false, false, true]);
    // The first turn of the dead upstream fails over to the next one; after that it is out.
    expect(Math.abs((counts.get('one') ?? 0) - (counts.get('two') ?? 0))).toBeLessThanOrEqual(2);
  });

  it('tries the upstream that comes back first when all are out, and rejects with a typed error', async () => {
    const client = new BalancedClient({ upstreams: [await deadAddress(), await deadAddress()], getValues: false });
    clients.push(client);
    await expect(client.request({})).rejects.toMatchObject({ code: 'ERR_FCGI_CONNECT_FAILED' });
    await expect(client.request({})).rejects.toMatchObject({ code: 'ERR_FCGI_CONNECT_FAILED' });
  });

  it('fails over an OVERLOADED answer when the body is bytes, not when it was a stream', async () => {
    const busy = await app(async (request, connection) => {
      await request.stdin;
      connection.end(request.requestId, 0, 2);
    });
    const free = await app(async (request, connection) => {
      const stdin = await request.stdin;
      connection.respond(request.requestId, 'A: b', `free:${stdin.toString()}`);
    });
    const client = new BalancedClient({ upstreams: [busy.address, free.address], getValues: false, maxFails: 100 });
    clients.push(client);
    expect(await text(client, 'bytes')).toBe('free:bytes');
    expect(await text(client, 'bytes')).toBe('free:bytes');
    const attempts = await Promise.all([0, 1].map(() => text(client, Readable.from([Buffer.from('stream')])).catch((error: { code: string }) => error.code)));
    expect(attempts.sort()).toEqual(['ERR_FCGI_OVERLOADED', 'free:stream']);
  });

  it('sends to the least busy upstream', async () => {
    let hold = true;
    const held: (() => void)[] = [];
    const slow = await app((request, connection) => {
      if (hold) held.push(() => named('slow')(request, connection));
      else named('slow')(request, connection);
    });
    const fast = await app(named('fast'));
    const client = new BalancedClient({ upstreams: [slow.address, fast.address], strategy: 'least-busy', getValues: false });
    clients.push(client);
    const pending = [text(client), text(client)];
    await waitFor(() => slow.requests.length === 1 && fast.requests.length === 1);
    // The fast upstream's answer may still be on its way when its app has the request: wait until it is idle.
    await waitFor(() => client.stats[1]?.running === 0);
    const later = [];
    for (let index = 0; index < 3; index++) later.push(await text(client));
    expect(later).toEqual(['fast', 'fast', 'fast']);
    hold = false;
    for (const release of held) release();
    expect((await Promise.all(pending)).sort()).toEqual(['fast', 'slow']);
  });

  it('validates its options', () => {
    expect(() => new BalancedClient({ upstreams: [] })).toThrow(expect.objectContaining({ code: 'ERR_FCGI_INVALID_OPTION' }) as Error);
    expect(() => new BalancedClient({ upstreams: ['127.0.0.1:1'], strategy: 'random' as never })).toThrow(expect.objectContaining({ code: 'ERR_FCGI_INVALID_OPTION' }) as Error);
  });
});
