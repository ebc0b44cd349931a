/**
 * Client faults (issue 9): a network blackhole (a peer that accepts and never reads), an
 * upstream that stops answering (failover to the others).
 */
import { type AddressInfo, type Socket, createServer } from 'node:net';
import { BalancedClient, Client } from '@fcgi/client';
import { FastCgiError } from '@fcgi/codec';
import { describe, expect, it } from 'vitest';
import { phpFpmResponse } from '../src/corpus.js';
import { onCleanup } from './support/servers.js';
import { startScriptedApp } from './support/scripted-app.js';

/** A peer that accepts connections and never reads from them (a blackhole). */
async function blackhole(): Promise<string> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    socket.pause();
    socket.on('error', () => {});
    sockets.push(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function settle(request: Promise<{ body: AsyncIterable<unknown>; done: Promise<unknown> }>): Promise<string> {
  try {
    const response = await request;
    const chunks: Buffer[] = [];
    for await (const chunk of response.body) chunks.push(chunk as Buffer);
    await response.done;
    return Buffer.concat(chunks).toString();
  } catch (error) {
    if (!FastCgiError.is(error)) throw error;
    return error.code;
  }
}

describe('client: network blackhole', () => {
  it('a request with an 8 MiB body to a peer that never reads ends in ERR_FCGI_HEADERS_TIMEOUT, bounded', async () => {
    const client = new Client({ address: await blackhole(), getValues: false, headersTimeout: 300, abortTimeout: 100 });
    onCleanup(() => client.destroy());
    const started = Date.now();
    const outcomes = await Promise.all(Array.from({ length: 4 }, () => settle(client.request({ params: { REQUEST_METHOD: 'POST' }, body: Buffer.alloc(8 * 1024 * 1024) }))));
    expect(outcomes).toEqual(Array.from({ length: 4 }, () => 'ERR_FCGI_HEADERS_TIMEOUT'));
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('getValues against a blackhole only delays the first request by valuesTimeout', async () => {
    const client = new Client({ address: await blackhole(), getValues: true, valuesTimeout: 100, headersTimeout: 300 });
    onCleanup(() => client.destroy());
    expect(await settle(client.request({ params: {} }))).toBe('ERR_FCGI_HEADERS_TIMEOUT');
  });
});

describe('client: an upstream that stops answering', () => {
  it('BalancedClient takes the silent upstream out after maxFails and serves every later request from the other', async () => {
    const good = await startScriptedApp(({ requestId }) => ({ bytes: phpFpmResponse('Content-Type: text/plain', 'good', '', requestId) }));
    const client = new BalancedClient({ upstreams: [await blackhole(), good.address], getValues: false, headersTimeout: 200, abortTimeout: 50, maxFails: 1, failTimeout: 60_000 });
    onCleanup(() => client.destroy());
    const outcomes: string[] = [];
    for (let index = 0; index < 12; index++) outcomes.push(await settle(client.request({ params: { REQUEST_METHOD: 'GET' } })));
    const failures = outcomes.filter((outcome) => outcome !== 'good');
    expect(failures.length).toBeLessThanOrEqual(1);
    for (const failure of failures) expect(failure).toBe('ERR_FCGI_HEADERS_TIMEOUT');
    expect(outcomes.slice(2)).toEqual(Array.from({ length: 10 }, () => 'good'));
  });
});
