import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { RecordType } from '@fcgi/codec';
import { Client } from '../src/index.js';
import { waitFor } from './support/wait.js';
import { type FakeConnection, type FakeHandler, type FakeRequest, readAll } from './support/fake-app.js';
import { useFakeAppClients } from './support/fake-app-clients.js';

const { clients, setup } = useFakeAppClients();

const hello = (request: FakeRequest, connection: FakeConnection): void => connection.respond(request.requestId, 'Content-Type: text/plain', 'hi');
const never: FakeHandler = () => {};
const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));


async function text(client: Client, params = {}): Promise<string> {
  const response = await client.request({ params });
  return (await readAll(response.body)).toString();
}

describe('keep-alive and limits', () => {
  it('reuses one kept-alive connection for sequential requests', async () => {
    const { app, client } = await setup(hello);
    for (let index = 0; index < 5; index++) expect(await text(client)).toBe('hi');
    expect(app.connections).toHaveLength(1);
    expect(app.requests.every((request) => request.keepConn)).toBe(true);
  });

  it('opens no more than `connections` connections', async () => {
    const { app, client } = await setup((request, connection) => { setTimeout(() => hello(request, connection), 20); }, { connections: 3 });
    const results = await Promise.all(Array.from({ length: 20 }, () => text(client)));
    expect(results.every((result) => result === 'hi')).toBe(true);
    expect(app.connections.length).toBeLessThanOrEqual(3);
  });

  it('closes an idle connection after keepAliveTimeout', async () => {
    const { app, client } = await setup(hello, { keepAliveTimeout: 50 });
    await text(client);
    await waitFor(() => client.stats.connections === 0);
    await waitFor(() => app.connections[0]!.socket.destroyed || app.connections[0]!.socket.readableEnded);
    await text(client);
    expect(app.connections).toHaveLength(2);
  });

  it('closes a connection after maxRequestsPerConnection requests', async () => {
    const { app, client } = await setup(hello, { maxRequestsPerConnection: 2 });
    for (let index = 0; index < 5; index++) await text(client);
    expect(app.connections).toHaveLength(3);
  });

  it('sends no KEEP_CONN and uses a connection per request with keepAlive: false', async () => {
    const { app, client } = await setup(hello, { keepAlive: false });
    await text(client);
    await text(client);
    expect(app.requests.map((request) => request.keepConn)).toEqual([false, false]);
    expect(app.connections).toHaveLength(2);
  });

  it('rejects with ERR_FCGI_QUEUE_FULL beyond maxQueue', async () => {
    const { app, client } = await setup(never, { connections: 1, maxQueue: 2, abortTimeout: 20 });
    const pending = [client.request({}).catch((error: unknown) => error)];
    await waitFor(() => app.requests.length === 1); // the first request runs; the next two wait in the queue
    pending.push(client.request({}).catch((error: unknown) => error), client.request({}).catch((error: unknown) => error));
    expect(client.stats.queued).toBe(2);
    await expect(client.request({})).rejects.toMatchObject({ code: 'ERR_FCGI_QUEUE_FULL', unsent: true });
    await client.destroy();
    await Promise.all(pending);
  });

  it('rejects with ERR_FCGI_QUEUE_TIMEOUT when no connection frees up in time', async () => {
    const { client } = await setup(never, { connections: 1, queueTimeout: 50 });
    const first = client.request({}).catch((error: unknown) => error);
    await expect(client.request({})).rejects.toMatchObject({ code: 'ERR_FCGI_QUEUE_TIMEOUT', unsent: true });
    await client.destroy();
    expect(await first).toMatchObject({ code: 'ERR_FCGI_CLIENT_DESTROYED' });
  });

  it('rejects with ERR_FCGI_CONNECT_TIMEOUT when the connect does not finish', async () => {
    const client = new Client({ connect: () => new Promise(() => {}), connectTimeout: 50, getValues: false });
    clients.push(client);
    await expect(client.request({})).rejects.toMatchObject({ code: 'ERR_FCGI_CONNECT_TIMEOUT' });
  });
});

describe('retry', () => {
  it('retries once on a fresh connection when a reused connection closes before any byte', async () => {
    let served = 0;
    const { app, client } = await setup((request, connection) => {
      served += 1;
      if (served === 2) connection.close(); // as php-fpm at pm.max_requests
      else hello(request, connection);
    });
    await text(client);
    expect(await text(client)).toBe('hi');
    expect(app.connections).toHaveLength(2);
    expect(app.requests).toHaveLength(3);
  });

  it('does not retry a request whose body stream was already read', async () => {
    let served = 0;
    const { client } = await setup(async (request, connection) => {
      served += 1;
      await request.stdin;
      if (served === 2) connection.close();
      else hello(request, connection);
    });
    await text(client);
    const body = Readable.from([Buffer.from('streamed')]);
    await expect(client.request({ body })).rejects.toMatchObject({ code: 'ERR_FCGI_UPSTREAM_CLOSED' });
  });

  it('does not send a POST again when a reused connection closes before any byte (it may be running)', async () => {
    let served = 0;
    const { app, client } = await setup((request, connection) => {
      served += 1;
      if (served === 2) connection.close();
      else hello(request, connection);
    });
    await text(client);
    await expect(client.request({ params: { REQUEST_METHOD: 'POST' }, body: 'a=1' })).rejects.toMatchObject({ code: 'ERR_FCGI_UPSTREAM_CLOSED' });
    expect(app.requests).toHaveLength(2);
  });

  it('sends an idempotent method (PUT, lower case too) again on a fresh connection', async () => {
    let served = 0;
    const { app, client } = await setup((request, connection) => {
      served += 1;
      if (served === 2) connection.close();
      else hello(request, connection);
    });
    await text(client);
    const response = await client.request({ params: [['REQUEST_METHOD', 'put']], body: 'a=1' });
    expect(response.status).toBe(200);
    expect(app.requests).toHaveLength(3);
  });

  it('does not retry on a fresh connection that closes', async () => {
    const { app, client } = await setup((_request, connection) => connection.close());
    await expect(client.request({})).rejects.toMatchObject({ code: 'ERR_FCGI_UPSTREAM_CLOSED' });
    expect(app.requests).toHaveLength(1);
  });
});

describe('timeouts and abort', () => {
  it('rejects with ERR_FCGI_HEADERS_TIMEOUT, sends ABORT_REQUEST and reuses the connection after END_REQUEST', async () => {
    const { app, client } = await setup((request, connection) => {
      if (request.params.SLOW === '1') {
        const timer = setInterval(() => {
          if (request.aborted) {
            clearInterval(timer);
            connection.end(request.requestId, 1);
          }
        }, 5);
      } else hello(request, connection);
    });
    await expect(client.request({ params: { SLOW: '1' }, timeout: 50 })).rejects.toMatchObject({ code: 'ERR_FCGI_HEADERS_TIMEOUT' });
    await waitFor(() => app.requests[0]!.aborted);
    await waitFor(() => client.stats.running === 0); // END_REQUEST of the aborted request is back
    expect(await text(client)).toBe('hi');
    expect(app.connections).toHaveLength(1);
  });

  it('closes the connection when an aborted request gets no END_REQUEST within abortTimeout', async () => {
    const { app, client } = await setup((request, connection) => (request.params.SLOW === '1' ? undefined : hello(request, connection)), { abortTimeout: 30 });
    await expect(client.request({ params: { SLOW: '1' }, timeout: 30 })).rejects.toMatchObject({ code: 'ERR_FCGI_HEADERS_TIMEOUT' });
    await waitFor(() => app.connections[0]!.socket.destroyed || app.connections[0]!.socket.readableEnded);
    expect(await text(client)).toBe('hi');
    expect(app.connections).toHaveLength(2);
  });

  it('fails the body with ERR_FCGI_BODY_TIMEOUT when the app stalls mid-body', async () => {
    const { client } = await setup((request, connection) => connection.stdout(request.requestId, 'A: b\r\n\r\npartial'), { bodyTimeout: 50, abortTimeout: 20 });
    const response = await client.request({});
    await expect(readAll(response.body)).rejects.toMatchObject({ code: 'ERR_FCGI_BODY_TIMEOUT' });
  });

  it('fails with ERR_FCGI_REQUEST_TIMEOUT when the whole request takes too long', async () => {
    const { client } = await setup((request, connection) => {
      connection.stdout(request.requestId, 'A: b\r\n\r\n');
      const timer = setInterval(() => (connection.socket.destroyed ? clearInterval(timer) : connection.stdout(request.requestId, '.')), 10);
    }, { requestTimeout: 80, abortTimeout: 20 });
    const response = await client.request({});
    await expect(readAll(response.body)).rejects.toMatchObject({ code: 'ERR_FCGI_REQUEST_TIMEOUT' });
    await expect(response.done).rejects.toMatchObject({ code: 'ERR_FCGI_REQUEST_TIMEOUT' });
  });

  it('aborts with a signal: ERR_FCGI_ABORTED, ABORT_REQUEST sent', async () => {
    const { app, client } = await setup((request, connection) => {
      const timer = setInterval(() => {
        if (request.aborted) {
          clearInterval(timer);
          connection.end(request.requestId);
        }
      }, 5);
    });
    const controller = new AbortController();
    const pending = client.request({ signal: controller.signal });
    await delay(30);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'ERR_FCGI_ABORTED' });
    await waitFor(() => app.connections[0]!.records.some((record) => record.type === RecordType.AbortRequest));
  });

  it('closes the connection instead of sending ABORT_REQUEST when connections are not kept', async () => {
    const { app, client } = await setup(never, { keepAlive: false });
    const controller = new AbortController();
    const pending = client.request({ signal: controller.signal });
    await waitFor(() => app.requests.length === 1);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'ERR_FCGI_ABORTED' });
    await waitFor(() => app.connections[0]!.socket.destroyed || app.connections[0]!.socket.readableEnded);
    expect(app.connections[0]!.records.some((record) => record.type === RecordType.AbortRequest)).toBe(false);
  });

  it('rejects at once for an already aborted signal and sends nothing', async () => {
    const { app, client } = await setup(hello);
    await text(client); // a free kept-alive connection exists: still nothing may be sent
    await expect(client.request({ signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ERR_FCGI_ABORTED' });
    await delay(20);
    expect(app.requests).toHaveLength(1);
  });

  it('aborts the request when the consumer destroys the response body', async () => {
    const { app, client } = await setup((request, connection) => {
      connection.stdout(request.requestId, 'A: b\r\n\r\nstart');
      const timer = setInterval(() => {
        if (request.aborted) {
          clearInterval(timer);
          connection.end(request.requestId);
        }
      }, 5);
    });
    const response = await client.request({});
    response.body.destroy();
    await expect(response.done).rejects.toMatchObject({ code: 'ERR_FCGI_ABORTED' });
    await waitFor(() => app.requests[0]?.aborted === true);
  });
});

describe('GET_VALUES and multiplexing', () => {
  it('multiplexes on one connection when the app says FCGI_MPXS_CONNS=1', async () => {
    const { app, client } = await setup((request, connection) => { setTimeout(() => hello(request, connection), 20); }, { getValues: true }, {
      values: { FCGI_MPXS_CONNS: '1', FCGI_MAX_REQS: '5', FCGI_MAX_CONNS: '1' },
    });
    const results = await Promise.all(Array.from({ length: 5 }, () => text(client)));
    expect(results).toEqual(['hi', 'hi', 'hi', 'hi', 'hi']);
    const requestConnections = new Set(app.requests.map((request) => request.connection));
    expect(requestConnections.size).toBe(1);
    expect(new Set(app.requests.map((request) => request.requestId)).size).toBe(5);
    expect(client.stats.requestsPerConnection).toBe(5);
  });

  it('falls back to one request per connection after CANT_MPX_CONN', async () => {
    const busy = new Set<unknown>();
    const { client } = await setup((request, connection) => {
      if (busy.has(connection)) {
        connection.end(request.requestId, 0, 1);
        return;
      }
      busy.add(connection);
      setTimeout(() => {
        busy.delete(connection);
        hello(request, connection);
      }, 20);
    }, { getValues: true }, { values: { FCGI_MPXS_CONNS: '1', FCGI_MAX_REQS: '4', FCGI_MAX_CONNS: '1' } });
    const first = await Promise.all([text(client), text(client).catch((error: { code: string }) => error.code)]);
    expect(first).toEqual(['hi', 'ERR_FCGI_CANT_MPX_CONN']);
    expect(client.stats.requestsPerConnection).toBe(1);
    expect(await Promise.all([text(client), text(client)])).toEqual(['hi', 'hi']);
  });

  it('lowers the connection cap to FCGI_MAX_CONNS', async () => {
    const { client } = await setup(hello, { getValues: true, connections: 8 }, { values: { FCGI_MPXS_CONNS: '0', FCGI_MAX_CONNS: '2' } });
    await text(client);
    expect(client.stats.connectionLimit).toBe(2);
    expect(client.stats.requestsPerConnection).toBe(1);
  });

  it('carries on one at a time when the app ignores GET_VALUES', async () => {
    const { client } = await setup(hello, { getValues: true, valuesTimeout: 30 }, { values: null });
    expect(await text(client)).toBe('hi');
    expect(client.stats.requestsPerConnection).toBe(1);
  });

  it('getValues returns the answer and times out with ERR_FCGI_VALUES_TIMEOUT', async () => {
    const { client } = await setup(hello, {}, { values: { FCGI_MPXS_CONNS: '0', FCGI_MAX_REQS: '4' } });
    await expect(client.getValues(['FCGI_MPXS_CONNS', 'FCGI_MAX_REQS'])).resolves.toEqual({ FCGI_MPXS_CONNS: '0', FCGI_MAX_REQS: '4' });
    const { client: silent } = await setup(hello, { valuesTimeout: 30 }, { values: null });
    await expect(silent.getValues()).rejects.toMatchObject({ code: 'ERR_FCGI_VALUES_TIMEOUT' });
  });
});

describe('close and destroy', () => {
  it('close() lets running requests finish and refuses new ones', async () => {
    const { client } = await setup((request, connection) => { setTimeout(() => hello(request, connection), 30); });
    const running = text(client);
    const closed = client.close();
    await expect(client.request({})).rejects.toMatchObject({ code: 'ERR_FCGI_CLIENT_CLOSED' });
    expect(await running).toBe('hi');
    await closed;
    expect(client.stats.connections).toBe(0);
  });

  it('destroy() fails running requests with ERR_FCGI_CLIENT_DESTROYED', async () => {
    const { app, client } = await setup(never);
    const pending = client.request({});
    await waitFor(() => app.requests.length === 1);
    await client.destroy();
    await expect(pending).rejects.toMatchObject({ code: 'ERR_FCGI_CLIENT_DESTROYED' });
  });

  it('validates options eagerly', () => {
    expect(() => new Client({ address: '127.0.0.1:9000', connections: 0 })).toThrow(expect.objectContaining({ code: 'ERR_FCGI_INVALID_OPTION' }) as Error);
    expect(() => new Client({ address: 'nohost' })).toThrow(expect.objectContaining({ code: 'ERR_FCGI_INVALID_ADDRESS' }) as Error);
    expect(() => new Client({})).toThrow(expect.objectContaining({ code: 'ERR_FCGI_INVALID_OPTION' }) as Error);
  });
});
