import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { BalancedClient, CLIENT_DEFAULTS, type Client, type ClientOptions } from '../src/index.js';
import { type FakeApp, type FakeHandler, readAll } from './support/fake-app.js';
import { useFakeAppClients } from './support/fake-app-clients.js';

const { clients, setup: setupWith } = useFakeAppClients();

/** `setup` with the app's GET_VALUES answers (`values`) as the third argument. */
function setup(handler: FakeHandler, options: Partial<ClientOptions> = {}, values?: Record<string, string>): Promise<{ app: FakeApp; client: Client }> {
  return setupWith(handler, options, values === undefined ? {} : { values });
}

describe('limits', () => {
  it('has the documented defaults', () => {
    expect(CLIENT_DEFAULTS).toMatchObject({ connections: 8, keepAliveTimeout: 4000, maxQueue: 1024, queueTimeout: 30_000, connectTimeout: 10_000, headersTimeout: 60_000, bodyTimeout: 60_000, requestTimeout: 0, maxHeadBytes: 65536, maxHeaders: 200 });
  });

  it('rejects a CGI head over maxHeadBytes with ERR_FCGI_HEAD_TOO_LARGE', async () => {
    const { client } = await setup((request, connection) => connection.respond(request.requestId, `X-Big: ${'y'.repeat(2000)}`), { maxHeadBytes: 1024, abortTimeout: 20 });
    await expect(client.request({})).rejects.toMatchObject({ code: 'ERR_FCGI_HEAD_TOO_LARGE', limit: 1024 });
  });

  it('rejects a CGI head with more than maxHeaders lines with ERR_FCGI_TOO_MANY_HEADERS', async () => {
    const head = Array.from({ length: 5 }, (_, index) => `X-${index}: v`).join('\r\n');
    const { client } = await setup((request, connection) => connection.respond(request.requestId, head), { maxHeaders: 4, abortTimeout: 20 });
    await expect(client.request({})).rejects.toMatchObject({ code: 'ERR_FCGI_TOO_MANY_HEADERS' });
  });

  it('drops STDERR beyond maxStderrBuffer unread bytes', async () => {
    const { client } = await setup((request, connection) => {
      for (let index = 0; index < 10; index++) connection.stderr(request.requestId, 'e'.repeat(100));
      connection.respond(request.requestId, 'A: b', 'body');
    }, { maxStderrBuffer: 250 });
    const response = await client.request({});
    expect((await readAll(response.body)).toString()).toBe('body');
    expect((await readAll(response.stderr)).length).toBe(200);
  });

  it('caps requests per connection at maxConcurrentPerConnection below FCGI_MAX_REQS', async () => {
    const { client } = await setup((request, connection) => connection.respond(request.requestId, 'A: b'), { getValues: true, maxConcurrentPerConnection: 2 }, { FCGI_MPXS_CONNS: '1', FCGI_MAX_REQS: '10' });
    await readAll((await client.request({})).body);
    expect(client.stats.requestsPerConnection).toBe(2);
  });

  it('takes an upstream out only after maxFails consecutive failures', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const dead = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    await new Promise((resolve) => server.close(resolve));
    const client = new BalancedClient({ upstreams: [dead], maxFails: 2, failTimeout: 60_000, getValues: false });
    clients.push(client);
    await expect(client.request({})).rejects.toMatchObject({ code: 'ERR_FCGI_CONNECT_FAILED' });
    expect(client.stats[0]!.down).toBe(false);
    await expect(client.request({})).rejects.toMatchObject({ code: 'ERR_FCGI_CONNECT_FAILED' });
    expect(client.stats[0]!.down).toBe(true);
  });
});
