import { RecordType, concatBytes, encodeRecord, encodeStream } from '@fcgi/codec';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeConnection, type FakeHandler } from './support/fake-app.js';
import { type HttpResult, closeGateways, sendHttp, startGateway } from './support/gateway-setup.js';

afterEach(closeGateways);

async function setup(handler: FakeHandler): Promise<number> {
  return (await startGateway(handler)).port;
}

function send(port: number, method = 'GET'): Promise<HttpResult> {
  return sendHttp(port, '/a.php', { method });
}

/** The whole answer (STDOUT and END_REQUEST) in one write, as php-fpm sends a small page. */
function respondAtOnce(connection: FakeConnection, requestId: number, head: string, body: string): void {
  const stdout = encodeStream(RecordType.Stdout, requestId, Buffer.from(`${head}\r\n\r\n${body}`));
  connection.write(concatBytes([...stdout, encodeRecord({ type: RecordType.EndRequest, requestId, appStatus: 0, protocolStatus: 0 })]));
}

describe('gateway response framing', () => {
  it('sends a body that arrived whole with its head with a Content-Length, not chunked', async () => {
    const port = await setup((request, connection) => respondAtOnce(connection, request.requestId, 'Content-Type: text/html', 'hello world\n'));
    const result = await send(port);
    expect(result.status).toBe(200);
    expect(result.body).toBe('hello world\n');
    expect(result.headers['content-length']).toBe('12');
    expect(result.headers['transfer-encoding']).toBeUndefined();
  });

  it('keeps the Content-Length the app sent', async () => {
    const port = await setup((request, connection) => respondAtOnce(connection, request.requestId, 'Content-Length: 2', 'ok'));
    const result = await send(port);
    expect(result.headers['content-length']).toBe('2');
    expect(result.body).toBe('ok');
  });

  it('adds no Content-Length to a 204 or to the answer to HEAD', async () => {
    const port = await setup((request, connection) => {
      respondAtOnce(connection, request.requestId, request.params.REQUEST_METHOD === 'HEAD' ? 'Content-Type: text/plain' : 'Status: 204 No Content', '');
    });
    const noContent = await send(port);
    expect(noContent.status).toBe(204);
    expect(noContent.headers['content-length']).toBeUndefined();
    const head = await send(port, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBeUndefined();
  });

  it('streams a body still arriving after the head, chunked', async () => {
    const port = await setup((request, connection) => {
      connection.stdout(request.requestId, 'Content-Type: text/plain\r\n\r\nfirst ');
      setTimeout(() => {
        connection.stdout(request.requestId, 'second');
        connection.end(request.requestId);
      }, 20);
    });
    const result = await send(port);
    expect(result.headers['transfer-encoding']).toBe('chunked');
    expect(result.headers['content-length']).toBeUndefined();
    expect(result.body).toBe('first second');
  });
});
