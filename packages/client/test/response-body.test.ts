import { describe, expect, it } from 'vitest';
import { Client, type ClientResponse } from '../src/index.js';
import { type FakeConnection, type FakeHandler, readAll } from './support/fake-app.js';
import { useFakeAppClients } from './support/fake-app-clients.js';

const { setup } = useFakeAppClients();

const answer = (body: string, head = 'Content-Type: text/plain'): FakeHandler => (request, connection) => connection.respond(request.requestId, head, body);

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** An app that writes `total` body bytes as fast as the client takes them; `sent()` tells how many it wrote so far. */
function bigBody(total: number): { handler: FakeHandler; sent: () => number } {
  let sent = 0;
  const handler: FakeHandler = (request, connection: FakeConnection) => {
    connection.stdout(request.requestId, 'Content-Type: application/octet-stream\r\n\r\n');
    const chunk = Buffer.alloc(65535, 7);
    const pump = (): void => {
      while (sent < total) {
        const size = Math.min(chunk.length, total - sent);
        sent += size;
        connection.stdout(request.requestId, chunk.subarray(0, size));
        if (connection.socket.writableLength > 256 * 1024) {
          connection.socket.once('drain', pump);
          return;
        }
      }
      connection.end(request.requestId);
    };
    pump();
  };
  return { handler, sent: () => sent };
}

describe('bytes(), text() and json()', () => {
  it('bytes() resolves to the whole body after END_REQUEST, without making the body stream', async () => {
    const { client } = await setup(answer('hello ann'));
    const response = await client.request({});
    expect(response.bodyUsed).toBe(false);
    const bytes = await response.bytes();
    expect(Buffer.isBuffer(bytes)).toBe(true);
    expect(bytes.toString()).toBe('hello ann');
    expect(response.bodyUsed).toBe(true);
    await expect(response.done).resolves.toEqual({ appStatus: 0, protocolStatus: 0 });
    // Had bytes() made the stream, `body` would return it instead of refusing.
    expect(() => response.body).toThrow(expect.objectContaining({ code: 'ERR_FCGI_BODY_USED' }));
  });

  it('text() decodes UTF-8 and json() parses, over bodies that arrive in several records', async () => {
    const { client } = await setup((request, connection) => {
      connection.stdout(request.requestId, 'Content-Type: application/json\r\n\r\n{"name":');
      setTimeout(() => {
        connection.stdout(request.requestId, Buffer.from('"zoë", "n": 2}'));
        connection.end(request.requestId);
      }, 20);
    });
    await expect((await client.request({})).json()).resolves.toEqual({ name: 'zoë', n: 2 });
    await expect((await client.request({})).text()).resolves.toBe('{"name":"zoë", "n": 2}');
  });

  it('bytes() of an empty body is an empty Buffer', async () => {
    const { client } = await setup(answer(''));
    const bytes = await (await client.request({})).bytes();
    expect(bytes.length).toBe(0);
  });

  it('json() rejects with a SyntaxError on a body that is not JSON', async () => {
    const { client } = await setup(answer('<html>'));
    await expect((await client.request({})).json()).rejects.toBeInstanceOf(SyntaxError);
  });

  it('rejects with the error that ended the request after the head', async () => {
    const { client } = await setup((request, connection) => {
      connection.stdout(request.requestId, 'A: b\r\n\r\npartial');
      setTimeout(() => connection.close(), 20);
    });
    const response = await client.request({});
    await expect(response.bytes()).rejects.toMatchObject({ code: 'ERR_FCGI_UPSTREAM_CLOSED' });
    await expect(response.done).rejects.toMatchObject({ code: 'ERR_FCGI_UPSTREAM_CLOSED' });
  });
});

describe('one way to read the body', () => {
  it('refuses a second bytes(), and text() or json() after it, with ERR_FCGI_BODY_USED', async () => {
    const { client } = await setup(answer('x'));
    const response = await client.request({});
    const first = response.bytes();
    await expect(response.bytes()).rejects.toMatchObject({ code: 'ERR_FCGI_BODY_USED', name: 'FastCgiClientError' });
    await expect(response.text()).rejects.toMatchObject({ code: 'ERR_FCGI_BODY_USED' });
    await expect(response.json()).rejects.toMatchObject({ code: 'ERR_FCGI_BODY_USED' });
    expect((await first).toString()).toBe('x');
  });

  it('refuses bytes() once `body` was read, and `body` once bytes() was called', async () => {
    const { client } = await setup(answer('streamed'));
    const streamed = await client.request({});
    const body = streamed.body;
    expect(streamed.body).toBe(body);
    expect(streamed.bodyUsed).toBe(true);
    await expect(streamed.text()).rejects.toMatchObject({ code: 'ERR_FCGI_BODY_USED' });
    expect((await readAll(body)).toString()).toBe('streamed');

    const gathered = await client.request({});
    const text = gathered.text();
    expect(() => gathered.body).toThrow(expect.objectContaining({ code: 'ERR_FCGI_BODY_USED' }));
    await expect(text).resolves.toBe('streamed');
  });
});

/** A `total`-byte answer left unread for 200 ms: the client keeps about bodyHighWaterMark bytes and stops reading the app. */
async function unreadBigBody(total: number): Promise<ClientResponse> {
  const app = bigBody(total);
  const { client } = await setup(app.handler, { bodyHighWaterMark: 16 * 1024 });
  const response = await client.request({});
  await wait(200);
  expect(app.sent()).toBeLessThan(total / 2);
  return response;
}

describe('the body before anyone reads it', () => {
  it('keeps what arrived, then pauses the connection until the body stream is read', async () => {
    const total = 16 * 1024 * 1024;
    const response = await unreadBigBody(total);
    let received = 0;
    for await (const chunk of response.body) received += (chunk as Buffer).length;
    expect(received).toBe(total);
    await expect(response.done).resolves.toMatchObject({ appStatus: 0 });
  });

  it('resumes a paused connection when bytes() is called', async () => {
    const total = 16 * 1024 * 1024;
    const response = await unreadBigBody(total);
    const bytes = await response.bytes({ maxBytes: total });
    expect(bytes.length).toBe(total);
    expect(bytes.every((byte) => byte === 7)).toBe(true);
  });

  it('gives a body stream made after END_REQUEST every byte, and one made after a failure the error', async () => {
    const { client } = await setup((request, connection) => {
      if (request.params.FAIL === '1') {
        connection.stdout(request.requestId, 'A: b\r\n\r\npartial');
        setTimeout(() => connection.close(), 20);
      } else {
        connection.respond(request.requestId, 'A: b', 'late reader');
      }
    });
    const ended = await client.request({});
    await ended.done;
    expect((await readAll(ended.body)).toString()).toBe('late reader');
    const failed = await client.request({ params: { FAIL: '1' } });
    await expect(failed.done).rejects.toMatchObject({ code: 'ERR_FCGI_UPSTREAM_CLOSED' });
    await expect(readAll(failed.body)).rejects.toMatchObject({ code: 'ERR_FCGI_UPSTREAM_CLOSED' });
  });
});

describe('maxBytes', () => {
  it('rejects a body over maxBytes with ERR_FCGI_RESPONSE_TOO_LARGE and aborts the request', async () => {
    const { app, client } = await setup(bigBody(4 * 1024 * 1024).handler, { abortTimeout: 50 });
    const response = await client.request({});
    await expect(response.bytes({ maxBytes: 100_000 })).rejects.toMatchObject({ code: 'ERR_FCGI_RESPONSE_TOO_LARGE', limit: 100_000 });
    await expect(response.done).rejects.toMatchObject({ code: 'ERR_FCGI_RESPONSE_TOO_LARGE' });
    await wait(20);
    expect(app.requests[0]?.aborted).toBe(true);
  });

  it('applies the client option maxBodyBytes, also to a body that arrived whole before the call', async () => {
    const { client } = await setup(answer('0123456789'), { maxBodyBytes: 9 });
    const response = await client.request({});
    await response.done;
    await expect(response.text()).rejects.toMatchObject({ code: 'ERR_FCGI_RESPONSE_TOO_LARGE', limit: 9 });
    await expect((await client.request({})).text({ maxBytes: 10 })).resolves.toBe('0123456789');
  });

  it('defaults to 16 MiB and validates both forms', async () => {
    const { client } = await setup(answer('ok'));
    expect(() => new Client({ address: '127.0.0.1:9', maxBodyBytes: -1 })).toThrow(expect.objectContaining({ code: 'ERR_FCGI_INVALID_OPTION' }));
    const { CLIENT_DEFAULTS } = await import('../src/index.js');
    expect(CLIENT_DEFAULTS.maxBodyBytes).toBe(16 * 1024 * 1024);
    const response = await client.request({});
    await expect(response.bytes({ maxBytes: 1.5 })).rejects.toMatchObject({ code: 'ERR_FCGI_INVALID_OPTION' });
    expect(response.bodyUsed).toBe(false);
    await expect(response.text()).resolves.toBe('ok');
  });
});
