import { afterEach, describe, expect, it } from 'vitest';
import { Client } from '../src/index.js';
import { type FakeApp, type FakeHandler, readAll, startFakeApp } from './support/fake-app.js';

const apps: FakeApp[] = [];
const clients: Client[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.destroy()));
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function setup(handler: FakeHandler, bodyTimeout: number, keepAliveTimeout?: number): Promise<Client> {
  const app = await startFakeApp(handler);
  apps.push(app);
  const client = new Client({ address: app.address, getValues: false, bodyTimeout, abortTimeout: 50, connections: 1, ...(keepAliveTimeout === undefined ? {} : { keepAliveTimeout }) });
  clients.push(client);
  return client;
}

/** Sends the head, then `count` body chunks `gap` ms apart; ends the request when `end`. */
function trickle(count: number, gap: number, end: boolean): FakeHandler {
  return (request, connection) => {
    connection.stdout(request.requestId, 'Content-Type: text/plain\r\n\r\n');
    let sent = 0;
    const timer = setInterval(() => {
      if (connection.socket.destroyed) {
        clearInterval(timer);
        return;
      }
      if (sent < count) {
        connection.stdout(request.requestId, `${sent}.`);
        sent++;
        return;
      }
      clearInterval(timer);
      if (end) connection.end(request.requestId);
    }, gap);
  };
}

describe('bodyTimeout counts from the last progress', () => {
  it('lets a body that keeps progressing run longer than bodyTimeout in all', async () => {
    // 12 chunks 400 ms apart: 4.8 s in all, longer than the 3 s window, never 3 s without data.
    const client = await setup(trickle(12, 400, true), 3000);
    const response = await client.request({});
    expect((await readAll(response.body)).toString()).toBe('0.1.2.3.4.5.6.7.8.9.10.11.');
    await expect(response.done).resolves.toEqual({ appStatus: 0, protocolStatus: 0 });
  }, 30_000);

  it('still fails with ERR_FCGI_BODY_TIMEOUT when the body stalls after some progress', async () => {
    const client = await setup(trickle(2, 50, false), 300);
    const response = await client.request({});
    const received: string[] = [];
    response.body.on('data', (chunk: Buffer) => received.push(chunk.toString()));
    await expect(response.done).rejects.toMatchObject({ code: 'ERR_FCGI_BODY_TIMEOUT' });
    expect(received.join('')).toBe('0.1.');
  }, 30_000);
});

describe('keepAliveTimeout counts from the moment the connection went idle', () => {
  it('keeps a connection that is reused more often than keepAliveTimeout, longer than keepAliveTimeout in all, then closes it', async () => {
    const client = await setup((request, connection) => connection.respond(request.requestId, 'Content-Type: text/plain', 'hi'), 60_000, 3000);
    const app = apps[0];
    // 10 requests 400 ms apart: 4 s in all, longer than the 3 s window, never 3 s idle.
    for (let index = 0; index < 10; index++) {
      const response = await client.request({});
      expect((await readAll(response.body)).toString()).toBe('hi');
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
    expect(app?.connections).toHaveLength(1);
    expect(client.stats.connections).toBe(1);
    // Idle from now on: closed after the window.
    await expect.poll(() => client.stats.connections, { timeout: 10_000, interval: 50 }).toBe(0);
    expect(app?.connections).toHaveLength(1);
  }, 30_000);
});
