import { Readable } from 'node:stream';
import { RecordType } from '@fcgi/codec';
import { type FastCgiIncomingMessage, type FastCgiServerResponse, createServer } from '@fcgi/server';
import express from 'express';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InjectResult, createMockBackend, formatRecords, inject } from '../src/index.js';
import { pinOwnMethods } from '../src/inject-target.js';
import { closeServer, listenLocal } from './listen-local.js';

/** Echoes what the app saw, as JSON. */
function echo(req: FastCgiIncomingMessage, res: FastCgiServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    res.setHeader('content-type', 'application/json');
    res.setHeader('set-cookie', ['a=1', 'b=2']);
    res.writeStderr('echo ran\n');
    res.appStatus = 7;
    res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString(), role: req.fastcgi.role, params: req.fastcgi.params }));
  });
}

interface Echoed {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  role: string;
  params: Record<string, string>;
}

function typesOf(result: InjectResult, direction: 'to-app' | 'from-app'): (number | string)[] {
  return result.records.filter((record) => record.direction === direction).map((record) => record.type);
}

describe('inject(listener, request): the result', () => {
  it('sends method, url, query, headers and a string body, and returns status, headers, body, stderr, appStatus', async () => {
    const result = await inject(echo, { method: 'post', url: '/items?x=1', query: { y: '2' }, headers: { 'x-trace': '7', cookie: ['a=1', 'b=2'], 'content-type': 'text/plain' }, body: 'hello' });
    expect(result.status).toBe(200);
    expect(result.headers['content-type']).toBe('application/json');
    expect(result.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(result.stderr).toBe('echo ran\n');
    expect(result.appStatus).toBe(7);
    expect(result.protocolStatus).toBe(0);
    expect(result.aborted).toBe(false);
    const seen = result.json<Echoed>();
    expect(seen).toMatchObject({ method: 'POST', url: '/items?x=1&y=2', body: 'hello', role: 'responder' });
    expect(seen.headers).toMatchObject({ 'x-trace': '7', cookie: 'a=1; b=2', 'content-type': 'text/plain', 'content-length': '5', host: 'localhost' });
    expect(result.text()).toBe(result.body.toString());
  });

  it('records the whole exchange as decoded records, both directions, in order', async () => {
    const result = await inject(echo, { url: '/', body: 'abc' });
    expect(typesOf(result, 'to-app')).toEqual([RecordType.BeginRequest, RecordType.Params, RecordType.Params, RecordType.Stdin, RecordType.Stdin]);
    const fromApp = typesOf(result, 'from-app');
    expect(fromApp.at(-1)).toBe(RecordType.EndRequest);
    expect(fromApp).toContain(RecordType.Stderr);
    expect(result.records[0]).toMatchObject({ type: RecordType.BeginRequest, keepConn: false, role: 1, direction: 'to-app' });
    expect(formatRecords(result.records)).toContain('END_REQUEST');
  });

  it('sends bytes, a Readable and an async iterable as the body', async () => {
    const bytes = await inject(echo, { method: 'PUT', body: new Uint8Array([104, 105]) });
    expect(bytes.json<Echoed>().body).toBe('hi');
    const stream = await inject(echo, { method: 'PUT', body: Readable.from([Buffer.from('str'), Buffer.from('eam')]) });
    expect(stream.json<Echoed>().body).toBe('stream');
    const iterable = await inject(echo, {
      method: 'PUT',
      body: (async function* () {
        await Promise.resolve();
        yield 'it';
        yield 'erable';
      })(),
    });
    expect(iterable.json<Echoed>().body).toBe('iterable');
  });

  it('sends JSON with the json shortcut', async () => {
    const result = await inject(echo, { method: 'POST', json: { name: 'a', list: [1, 2] } });
    const seen = result.json<Echoed>();
    expect(JSON.parse(seen.body)).toEqual({ name: 'a', list: [1, 2] });
    expect(seen.headers['content-type']).toBe('application/json');
  });

  it('adds and overrides CGI params', async () => {
    const result = await inject(echo, { url: '/p', params: { SCRIPT_FILENAME: '/srv/index.php', SERVER_PORT: '8080' }, remoteAddress: '10.0.0.9' });
    expect(result.json<Echoed>().params).toMatchObject({ SCRIPT_FILENAME: '/srv/index.php', SERVER_PORT: '8080', REMOTE_ADDR: '10.0.0.9', REQUEST_METHOD: 'GET', REQUEST_URI: '/p' });
  });

  it('sends the Filter role with its DATA stream', async () => {
    const result = await inject(
      (req: FastCgiIncomingMessage, res: FastCgiServerResponse) => {
        const chunks: Buffer[] = [];
        req.fastcgi.data?.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.fastcgi.data?.on('end', () => res.end(`${req.fastcgi.role}: ${Buffer.concat(chunks).toString().toUpperCase()}`));
        req.resume();
      },
      { role: 'filter', data: 'file body' },
    );
    expect(result.text()).toBe('filter: FILE BODY');
    expect(typesOf(result, 'to-app')).toContain(RecordType.Data);
  });

  it('sends FCGI_KEEP_CONN when keepConn is set', async () => {
    const result = await inject(echo, { keepConn: true });
    expect(result.records[0]).toMatchObject({ type: RecordType.BeginRequest, keepConn: true });
    expect(result.status).toBe(200);
  });

  it('aborts after N ms with keepConn: ABORT_REQUEST is sent and the app answers END_REQUEST', async () => {
    let sawAbort = false;
    const result = await inject(
      (req: FastCgiIncomingMessage, _res: FastCgiServerResponse) => {
        req.fastcgi.signal.addEventListener('abort', () => (sawAbort = true));
      },
      { abortAfter: 50, keepConn: true },
    );
    expect(result.aborted).toBe(true);
    expect(result.status).toBe(0);
    expect(sawAbort).toBe(true);
    expect(typesOf(result, 'to-app')).toContain(RecordType.AbortRequest);
    expect(typesOf(result, 'from-app').at(-1)).toBe(RecordType.EndRequest);
  });

  it('aborts after the head has come: the result keeps the status and the body so far', async () => {
    const result = await inject(
      (_req: FastCgiIncomingMessage, res: FastCgiServerResponse) => {
        res.writeHead(206, { 'x-partial': 'yes' });
        res.write('first part');
      },
      { abortAfter: 100, keepConn: true },
    );
    expect(result.aborted).toBe(true);
    expect(result.status).toBe(206);
    expect(result.headers['x-partial']).toBe('yes');
    expect(result.text()).toBe('first part');
  });

  it('aborts after N ms without keepConn by closing the connection (as nginx does)', async () => {
    let sawAbort = false;
    const result = await inject(
      (req: FastCgiIncomingMessage, _res: FastCgiServerResponse) => {
        req.fastcgi.signal.addEventListener('abort', () => (sawAbort = true));
      },
      { abortAfter: 50 },
    );
    expect(result.aborted).toBe(true);
    expect(sawAbort).toBe(true);
    expect(typesOf(result, 'to-app')).not.toContain(RecordType.AbortRequest);
  });

  it('rejects with the client timeout error when the app never answers', async () => {
    await expect(inject(() => new Promise<Response>(() => undefined), { timeout: 100 })).rejects.toMatchObject({ code: 'ERR_FCGI_HEADERS_TIMEOUT' });
  });

  it('fails with coded errors on bad input', async () => {
    await expect(inject(42 as never)).rejects.toMatchObject({ code: 'ERR_FCGI_HARNESS_INVALID_TARGET' });
    await expect(inject(echo, { url: 'no-slash' })).rejects.toMatchObject({ code: 'ERR_FCGI_HARNESS_INVALID_OPTION' });
    await expect(inject(echo, { abortAfter: -1 })).rejects.toMatchObject({ code: 'ERR_FCGI_HARNESS_INVALID_OPTION' });
    await expect(inject(echo, { body: 'a', json: {} })).rejects.toMatchObject({ code: 'ERR_FCGI_HARNESS_INVALID_OPTION' });
    const text = await inject((_req: FastCgiIncomingMessage, res: FastCgiServerResponse) => res.end('not json'));
    expect(() => text.json()).toThrow(expect.objectContaining({ code: 'ERR_FCGI_HARNESS_INVALID_JSON' }));
  });
});

describe('inject(target): every kind of target', () => {
  it('an Express app (its req/res prototype swap handled as @fcgi/express does)', async () => {
    const app = express();
    app.use(express.json());
    app.post('/users/:id', (req, res) => {
      res.status(201).json({ id: req.params.id, body: req.body as unknown, query: req.query });
    });
    const result = await inject(app, { method: 'POST', url: '/users/7?full=1', json: { name: 'ada' } });
    expect(result.status).toBe(201);
    expect(result.json()).toEqual({ id: '7', body: { name: 'ada' }, query: { full: '1' } });
  });

  it('a Fastify instance, through its own ready() and routing', async () => {
    const app = Fastify();
    app.post('/echo/:name', async (request) => {
      await Promise.resolve();
      return { name: (request.params as { name: string }).name, body: request.body, url: request.url };
    });
    const result = await inject(app, { method: 'POST', url: '/echo/bob?a=1', json: { n: 1 } });
    expect(result.status).toBe(200);
    expect(result.json()).toEqual({ name: 'bob', body: { n: 1 }, url: '/echo/bob?a=1' });
    const missing = await inject(app, { url: '/nope' });
    expect(missing.status).toBe(404);
    await app.close();
  });

  it('a fetch handler function and an object with fetch', async () => {
    const handler = async (request: Request): Promise<Response> => Response.json({ method: request.method, url: request.url, body: await request.text() }, { status: 202 });
    const direct = await inject(handler, { method: 'PATCH', url: '/f?q=1', body: 'x' });
    expect(direct.status).toBe(202);
    expect(direct.json()).toEqual({ method: 'PATCH', url: 'http://localhost/f?q=1', body: 'x' });
    const object = await inject({ fetch: handler }, { url: '/o' });
    expect(object.json()).toMatchObject({ method: 'GET', url: 'http://localhost/o' });
  });

  it('a FastCgiServer with its own options (an authorizer)', async () => {
    const server = createServer({ authorizer: (req) => (req.fastcgi.params.HTTP_AUTHORIZATION === 'ok' ? { allow: true, variables: { USER: 'ada' } } : { allow: false, status: 401 }) }, echo);
    const denied = await inject(server, { role: 'authorizer' });
    expect(denied.status).toBe(401);
    const allowed = await inject(server, { role: 'authorizer', headers: { authorization: 'ok' } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers['variable-user']).toBe('ada');
  });
});

describe('inject(address): a running FastCGI app over a real socket', () => {
  const server = createServer(echo);
  let address = '';

  beforeAll(async () => {
    address = await listenLocal(server);
  });

  afterAll(async () => {
    await closeServer(server);
  });

  it('gives the same result in-process and over a real socket for the same requests', async () => {
    const requests = [{ url: '/' }, { method: 'POST', url: '/a?b=c', body: 'payload', headers: { 'x-one': '1' } }, { method: 'PUT', json: { deep: { list: [1] } } }, { keepConn: true, url: '/k' }];
    for (const request of requests) {
      const overSocket = await inject(address, request);
      const inProcess = await inject(echo, request);
      expect(inProcess.status).toBe(overSocket.status);
      expect(inProcess.headers).toEqual(overSocket.headers);
      expect(inProcess.body.equals(overSocket.body)).toBe(true);
      expect(inProcess.stderr).toBe(overSocket.stderr);
      expect(inProcess.appStatus).toBe(overSocket.appStatus);
      expect(formatRecords(inProcess.records)).toBe(formatRecords(overSocket.records));
    }
  });

  it('shows a mock backend\'s faulty framing in the transcript', async () => {
    const backend = await createMockBackend({ respond: { body: 'abc', recordSize: 1, omitEmptyStdout: true, stderr: 'e' } });
    try {
      const result = await inject(backend.address, { url: '/m' });
      expect(result.text()).toBe('abc');
      expect(result.stderr).toBe('e');
      const stdout = result.records.filter((record) => record.direction === 'from-app' && record.type === RecordType.Stdout);
      expect(stdout.every((record) => 'content' in record && record.content.length === 1)).toBe(true);
      expect(backend.requests[0]!.params.REQUEST_URI).toBe('/m');
    } finally {
      await backend.close();
    }
  });

  it('rejects with ERR_FCGI_CONNECT_FAILED when nothing listens', async () => {
    const other = createServer(echo);
    const freed = await listenLocal(other);
    await closeServer(other);
    await expect(inject(freed, { timeout: 2000 })).rejects.toMatchObject({ code: 'ERR_FCGI_CONNECT_FAILED' });
  });
});

describe('inject(target) chained, as light-my-request', () => {
  it('builds the request with chained calls and sends it when awaited, once', async () => {
    let calls = 0;
    const counting = (req: FastCgiIncomingMessage, res: FastCgiServerResponse): void => {
      calls++;
      echo(req, res);
    };
    const chain = inject(counting).post('/x').header('x-one', '1').headers({ 'x-two': '2' }).query({ q: 'v' }).params({ EXTRA: 'yes' }).json({ a: 1 });
    const first = await chain;
    const second = await chain;
    expect(second).toBe(first);
    expect(calls).toBe(1);
    const seen = first.json<Echoed>();
    expect(seen).toMatchObject({ method: 'POST', url: '/x?q=v', body: '{"a":1}' });
    expect(seen.headers).toMatchObject({ 'x-one': '1', 'x-two': '2' });
    expect(seen.params.EXTRA).toBe('yes');
  });

  it('supports every method helper, body, role, keepConn and abortAfter', async () => {
    for (const method of ['get', 'put', 'patch', 'delete', 'options'] as const) {
      const result = await inject(echo)[method]('/m').body('b');
      expect(result.json<Echoed>().method).toBe(method.toUpperCase());
    }
    expect((await inject(echo).head('/h')).status).toBe(200);
    expect((await inject(echo).get('/k').keepConn()).records[0]).toMatchObject({ keepConn: true });
    expect((await inject(() => new Promise<Response>(() => undefined)).get('/a').abortAfter(20)).aborted).toBe(true);
    const filtered = await inject((req: FastCgiIncomingMessage, res: FastCgiServerResponse) => res.end(req.fastcgi.role)).role('filter').data('d');
    expect(filtered.text()).toBe('filter');
    await expect(inject(42 as never).get('/').catch((error: unknown) => (error as { code: string }).code)).resolves.toBe('ERR_FCGI_HARNESS_INVALID_TARGET');
  });
});

describe('pinOwnMethods', () => {
  it('copies class methods onto the instance so a prototype swap keeps them', () => {
    class Base {
      name(): string {
        return 'base';
      }
    }
    class Special extends Base {
      override name(): string {
        return 'special';
      }
    }
    const object = new Special();
    pinOwnMethods(object);
    Object.setPrototypeOf(object, Base.prototype);
    expect(object.name()).toBe('special');
    pinOwnMethods(object);
    expect(Object.keys(object)).toEqual([]);
  });
});
