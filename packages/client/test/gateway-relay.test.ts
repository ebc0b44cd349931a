import { request as httpRequest } from 'node:http';
import { RecordType, concatBytes, encodeRecord, encodeStream } from '@fcgi/codec';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Client } from '../src/index.js';
import { type FakeConnection, type FakeRequest } from './support/fake-app.js';
import { closeGateways, sendHttp, startGateway } from './support/gateway-setup.js';
import { waitFor } from './support/wait.js';

afterEach(async () => {
  vi.restoreAllMocks();
  await closeGateways();
});

/** STDERR, STDOUT and END_REQUEST in one write, as php-fpm sends a small page that logs. */
function respondAtOnce(connection: FakeConnection, requestId: number, stderr: string, stdout: string): void {
  connection.write(concatBytes([
    ...encodeStream(RecordType.Stderr, requestId, Buffer.from(stderr)),
    ...encodeStream(RecordType.Stdout, requestId, Buffer.from(stdout)),
    encodeRecord({ type: RecordType.EndRequest, requestId, appStatus: 0, protocolStatus: 0 }),
  ]));
}

describe('gateway on dispatch', () => {
  it('answers through client.dispatch, never request() and its streams', async () => {
    const request = vi.spyOn(Client.prototype, 'request');
    const dispatch = vi.spyOn(Client.prototype, 'dispatch');
    const { port } = await startGateway((fake, connection) => connection.respond(fake.requestId, 'Content-Type: text/plain', 'hi'));
    const result = await sendHttp(port, '/a.php');
    expect(result.body).toBe('hi');
    expect(result.headers['content-length']).toBe('2');
    expect(dispatch).toHaveBeenCalledTimes(1);
    expect(request).not.toHaveBeenCalled();
  });

  it('passes STDERR lines to onStderr for an answer sent whole, the last line without a newline too', async () => {
    const lines: string[] = [];
    const { port } = await startGateway((fake, connection) => respondAtOnce(connection, fake.requestId, 'PHP Notice: one\nPHP Notice: two', 'Content-Type: text/plain\r\n\r\nbody'), { onStderr: (line) => lines.push(line) });
    const result = await sendHttp(port, '/a.php');
    expect(result.body).toBe('body');
    expect(result.headers['content-length']).toBe('4');
    expect(lines).toEqual(['PHP Notice: one', 'PHP Notice: two']);
  });

  it('sends every byte value of a whole small body unchanged, and a whole large one too', async () => {
    const small = Buffer.from(Array.from({ length: 256 }, (_value, index) => index));
    const large = Buffer.alloc(40_000, small);
    const { port } = await startGateway((fake, connection) => {
      const body = fake.params.SCRIPT_NAME === '/large.php' ? large : small;
      connection.write(concatBytes([
        ...encodeStream(RecordType.Stdout, fake.requestId, Buffer.concat([Buffer.from('Content-Type: application/octet-stream\r\n\r\n'), body])),
        encodeRecord({ type: RecordType.EndRequest, requestId: fake.requestId, appStatus: 0, protocolStatus: 0 }),
      ]));
    });
    for (const [path, expected] of [['/small.php', small], ['/large.php', large]] as const) {
      const received = await new Promise<{ body: Buffer; length: string | undefined }>((resolve, reject) => {
        httpRequest({ host: '127.0.0.1', port, path }, (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ body: Buffer.concat(chunks), length: response.headers['content-length'] }));
        }).on('error', reject).end();
      });
      expect(received.length).toBe(String(expected.length));
      expect(received.body.equals(expected)).toBe(true);
    }
  });

  it('aborts the request to the app when the HTTP client goes away before the head', async () => {
    let seen: FakeRequest | undefined;
    const { port } = await startGateway((fake) => void (seen = fake));
    const client = httpRequest({ host: '127.0.0.1', port, path: '/a.php' });
    client.on('error', () => {});
    client.end();
    await waitFor(() => seen !== undefined);
    client.destroy();
    await waitFor(() => seen?.aborted === true);
  });

  it('streams a large body with backpressure: the gateway stops reading the app while the HTTP client does not read', async () => {
    const record = Buffer.alloc(60_000, 'x');
    const total = 200;
    let app: FakeConnection | undefined;
    const { port } = await startGateway((fake, connection) => {
      app = connection;
      connection.stdout(fake.requestId, 'Content-Type: text/plain\r\n\r\n');
      for (let index = 0; index < total; index += 1) connection.stdout(fake.requestId, record);
      connection.end(fake.requestId);
    });
    const received = await new Promise<number>((resolve, reject) => {
      const client = httpRequest({ host: '127.0.0.1', port, path: '/a.php' }, (response) => {
        response.pause();
        waitFor(() => (app?.socket.writableLength ?? 0) > 1_000_000).then(() => {
          let length = 0;
          response.on('data', (chunk: Buffer) => (length += chunk.length));
          response.on('end', () => resolve(length));
          response.resume();
        }, reject);
      });
      client.on('error', reject);
      client.end();
    });
    expect(received).toBe(record.length * total);
  });

  it('answers 502 when a header of the app is not valid HTTP, before sending anything', async () => {
    const errors: unknown[] = [];
    const { port } = await startGateway((fake, connection) => connection.respond(fake.requestId, 'X-Bad: a\u0001b', 'body'), { onError: (error) => errors.push(error) });
    const result = await sendHttp(port, '/a.php');
    expect(result.status).toBe(502);
    expect(result.body).toBe('Bad Gateway\n');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'ERR_INVALID_CHAR' });
  });
});
