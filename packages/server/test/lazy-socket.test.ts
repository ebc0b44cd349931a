import { IncomingMessage, ServerResponse } from 'node:http';
import { type ParamsInput, RecordType } from '@fcgi/codec';
import { describe, expect, it } from 'vitest';
import type { FastCgiIncomingMessage, FastCgiServerResponse } from '../src/index.js';
import { TestClient, baseParams, delay, startServer } from './support/harness.js';

type Pair = { req: FastCgiIncomingMessage; res: FastCgiServerResponse };

/** Serves one request with `handle`, returns the pair once END_REQUEST arrived. */
async function serveOne(handle: (req: FastCgiIncomingMessage, res: FastCgiServerResponse) => void, params: ParamsInput = baseParams('/', { HTTPS: 'on', SERVER_ADDR: '127.0.0.1', SERVER_PORT: '8443' })): Promise<Pair> {
  let pair: Pair | undefined;
  const { port } = await startServer({}, (req, res) => {
    pair = { req, res };
    handle(req, res);
  });
  const client = await TestClient.connect(port);
  await client.fetch(1, { params });
  return pair!;
}

describe('req.socket / res.socket: the socket stand-in, created on first read', () => {
  it('is one object across reads of req.socket, req.connection, res.socket and res.connection', async () => {
    const seen: unknown[] = [];
    const { req, res } = await serveOne((request, response) => {
      seen.push(request.socket, request.socket, request.connection, response.socket, response.connection);
      response.end('ok');
    });
    expect(seen[0]).toBeDefined();
    for (const socket of seen) expect(socket).toBe(seen[0]);
    expect(req.socket).toBe(seen[0]);
    expect(res.socket === null || res.socket === seen[0]).toBe(true);
  });

  it('is the same object when res.socket is read first', async () => {
    let fromResponse: unknown;
    let fromRequest: unknown;
    await serveOne((req, res) => {
      fromResponse = res.socket;
      fromRequest = req.socket;
      res.end();
    });
    expect(fromResponse).not.toBeNull();
    expect(fromRequest).toBe(fromResponse);
  });

  it('carries the client address, the server address and encrypted from the params', async () => {
    let facts: unknown;
    await serveOne((req, res) => {
      const socket = req.socket as typeof req.socket & { encrypted?: boolean };
      facts = { address: socket.remoteAddress, port: socket.remotePort, family: socket.remoteFamily, localPort: socket.localPort, encrypted: socket.encrypted, server: socket.address() };
      res.end();
    });
    expect(facts).toEqual({ address: '127.0.0.2', port: 40000, family: 'IPv4', localPort: 8443, encrypted: true, server: { address: '127.0.0.1', family: 'IPv4', port: 8443 } });
  });

  it('emits prefinish, finish and close on res and close on req when nobody read the socket', async () => {
    const events: string[] = [];
    const { req, res } = await serveOne((request, response) => {
      for (const name of ['prefinish', 'finish', 'close']) response.on(name, () => events.push(`res ${name}`));
      request.on('close', () => events.push('req close'));
      response.end('hi');
    });
    await delay(20);
    expect(events.filter((event) => event.startsWith('res '))).toEqual(['res prefinish', 'res finish', 'res close']);
    expect(events).toContain('req close');
    expect(res.destroyed).toBe(true);
    // Read after the response: the stand-in exists, destroyed as it would have been by then.
    expect(req.socket.remoteAddress).toBe('127.0.0.2');
    await delay(10);
    expect(req.socket.destroyed).toBe(true);
  });

  it('destroys a stand-in that was read, once the response is done', async () => {
    let closed = false;
    const { req } = await serveOne((request, response) => {
      request.socket.on('close', () => {
        closed = true;
      });
      response.end();
    });
    await delay(20);
    expect(closed).toBe(true);
    expect(req.socket.destroyed).toBe(true);
  });

  it('emits aborted and close on an abort when nobody read the socket', async () => {
    const events: string[] = [];
    const { port } = await startServer({}, (req, res) => {
      req.on('aborted', () => events.push('req aborted'));
      req.on('close', () => events.push('req close'));
      res.on('close', () => events.push('res close'));
    });
    const client = await TestClient.connect(port);
    client.request(1, { endStdin: false });
    await delay(20);
    client.send({ type: RecordType.AbortRequest, requestId: 1 });
    await client.waitFor((record) => record.type === RecordType.EndRequest && record.requestId === 1);
    await delay(20);
    expect(events).toContain('req aborted');
    expect(events).toContain('req close');
    expect(events).toContain('res close');
  });

  it('cuts the response when the handler destroys res without reading the socket', async () => {
    const { port } = await startServer({}, (_req, res) => {
      res.write('partial');
      res.destroy();
    });
    const client = await TestClient.connect(port);
    client.request(1);
    const reply = await client.reply(1);
    expect(reply.end.appStatus).not.toBe(0);
  });

  it('keeps working when a framework swaps the prototypes (as Express does)', async () => {
    let address: string | undefined;
    let sameSocket = false;
    const { port } = await startServer({}, (req, res) => {
      // What Express does right before it swaps the prototypes: the server pins its overrides here.
      (req as unknown as { res: unknown }).res = res;
      Object.setPrototypeOf(req, Object.create(IncomingMessage.prototype) as object);
      Object.setPrototypeOf(res, Object.create(ServerResponse.prototype) as object);
      address = req.socket.remoteAddress;
      sameSocket = res.socket === req.socket && req.connection === req.socket;
      res.end('swapped');
    });
    const client = await TestClient.connect(port);
    const reply = await client.fetch(1);
    expect(reply.body.toString()).toBe('swapped');
    expect(address).toBe('127.0.0.2');
    expect(sameSocket).toBe(true);
  });
});

describe('req.fastcgi.params, built on first read', () => {
  it('holds the last value of a repeated name, as req.method and req.url do', async () => {
    const { req } = await serveOne(
      (_req, res) => res.end(),
      [
        ['REQUEST_METHOD', 'GET'],
        ['REQUEST_URI', '/first'],
        ['REQUEST_METHOD', 'POST'],
        ['REQUEST_URI', '/second'],
        ['SERVER_PROTOCOL', 'HTTP/1.0'],
      ],
    );
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/second');
    expect(req.httpVersion).toBe('1.0');
    expect(req.fastcgi.params.REQUEST_METHOD).toBe('POST');
    expect(Object.getPrototypeOf(req.fastcgi.params)).toBeNull();
  });

  it('gives each request its own names when consecutive requests send different ones at the same positions', async () => {
    const seen: Record<string, string>[] = [];
    const { port } = await startServer({}, (req, res) => {
      seen.push({ ...req.fastcgi.params });
      res.end();
    });
    const client = await TestClient.connect(port);
    await client.fetch(1, { params: { REQUEST_METHOD: 'GET', REQUEST_URI: '/a', HTTP_X_ONE: '1' } });
    await client.fetch(1, { params: { REQUEST_METHOD: 'GET', REQUEST_URI: '/b', HTTP_X_TWO: '2' } });
    await client.fetch(1, { params: { REQUEST_METHOD: 'GET', REQUEST_URI: '/c', HTTP_X_ON: '3' } });
    expect(seen).toEqual([
      { REQUEST_METHOD: 'GET', REQUEST_URI: '/a', HTTP_X_ONE: '1' },
      { REQUEST_METHOD: 'GET', REQUEST_URI: '/b', HTTP_X_TWO: '2' },
      { REQUEST_METHOD: 'GET', REQUEST_URI: '/c', HTTP_X_ON: '3' },
    ]);
  });
});
