import { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { type FastCgiIncomingMessage, createServer, requestUrl } from '../src/index.js';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { onCleanup } from './support/harness.js';
import { TestClient, baseParams, delay, startServer } from './support/harness.js';

describe('req: an http.IncomingMessage built from the params', () => {
  it('maps method, url, version, headers and the client address', async () => {
    let seen: FastCgiIncomingMessage | undefined;
    const { port } = await startServer({}, (req, res) => {
      seen = req;
      res.end();
    });
    const client = await TestClient.connect(port);
    await client.fetch(1, {
      params: {
        REQUEST_METHOD: 'PUT',
        REQUEST_URI: '/caf%C3%A9/x?y=1&z',
        SCRIPT_NAME: '/ignored',
        SERVER_PROTOCOL: 'HTTP/1.0',
        REMOTE_ADDR: '2001:db8::7',
        REMOTE_PORT: '51234',
        SERVER_ADDR: '127.0.0.1',
        SERVER_PORT: '8080',
        HTTPS: 'on',
        CONTENT_TYPE: 'application/json',
        CONTENT_LENGTH: '0',
        HTTP_HOST: 'example.test',
        HTTP_X_FORWARDED_FOR: '198.51.100.1',
        HTTP_ACCEPT_LANGUAGE: 'fr',
      },
    });
    const req = seen!;
    expect(req).toBeInstanceOf(IncomingMessage);
    expect(req.method).toBe('PUT');
    expect(req.url).toBe('/caf%C3%A9/x?y=1&z');
    expect(req.httpVersion).toBe('1.0');
    expect([req.httpVersionMajor, req.httpVersionMinor]).toEqual([1, 0]);
    expect(req.headers).toEqual({
      'content-type': 'application/json',
      'content-length': '0',
      host: 'example.test',
      'x-forwarded-for': '198.51.100.1',
      'accept-language': 'fr',
    });
    expect(req.rawHeaders).toContain('x-forwarded-for');
    expect(req.headersDistinct['accept-language']).toEqual(['fr']);
    expect(req.socket.remoteAddress).toBe('2001:db8::7');
    expect(req.socket.remotePort).toBe(51234);
    expect(req.socket.remoteFamily).toBe('IPv6');
    expect(req.socket.localPort).toBe(8080);
    expect((req.socket as unknown as { encrypted?: boolean }).encrypted).toBe(true);
    expect(req.fastcgi).toMatchObject({ role: 'responder', requestId: 1, keepConn: true });
    expect(req.fastcgi.params.SCRIPT_NAME).toBe('/ignored');
    expect(req.fastcgi.signal.aborted).toBe(false);
    expect(req.complete).toBe(true);
    expect(req.aborted).toBe(false);
  });

  it('builds the url from SCRIPT_NAME + PATH_INFO + QUERY_STRING without REQUEST_URI', () => {
    expect(requestUrl({ SCRIPT_NAME: '/app.fcgi', PATH_INFO: '/users/7', QUERY_STRING: 'a=1' })).toBe('/app.fcgi/users/7?a=1');
    expect(requestUrl({ SCRIPT_NAME: '/app.fcgi', QUERY_STRING: '' })).toBe('/app.fcgi');
    expect(requestUrl({})).toBe('/');
    expect(requestUrl({ REQUEST_URI: '//odd//path?x', SCRIPT_NAME: '/s' })).toBe('//odd//path?x');
  });

  it('streams the request body', async () => {
    const { port } = await startServer({}, async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      res.end(`${Buffer.concat(chunks).toString()} (${req.headers['content-length']})`);
    });
    const client = await TestClient.connect(port);
    const reply = await client.fetch(1, { params: baseParams('/', { REQUEST_METHOD: 'POST', CONTENT_LENGTH: '11' }), body: 'hello world' });
    expect(reply.body.toString()).toBe('hello world (11)');
  });
});

describe('res: an http.ServerResponse writing a CGI response', () => {
  it('sends Status, headers with repeated Set-Cookie, and a body written many times', async () => {
    const { port } = await startServer({}, (_req, res) => {
      expect(res).toBeInstanceOf(ServerResponse);
      res.statusCode = 201;
      res.setHeader('Content-Type', 'text/plain');
      res.setHeader('Set-Cookie', ['a=1; Path=/', 'b=2']);
      expect(res.getHeader('content-type')).toBe('text/plain');
      expect(res.headersSent).toBe(false);
      res.write('one ');
      expect(res.headersSent).toBe(true);
      res.write(Buffer.from('two '));
      res.write(new Uint8Array([116, 104, 114, 101, 101]));
      res.end();
    });
    const client = await TestClient.connect(port);
    const reply = await client.fetch(1);
    expect(reply.stdout.toString('latin1').startsWith('Status: 201 Created\r\n')).toBe(true);
    expect(reply.status).toBe(201);
    expect(reply.headers.filter(([name]) => name.toLowerCase() === 'set-cookie').map(([, value]) => value)).toEqual(['a=1; Path=/', 'b=2']);
    expect(reply.header('transfer-encoding')).toBeUndefined();
    expect(reply.header('date')).toBeUndefined();
    expect(reply.header('connection')).toBeUndefined();
    expect(reply.body.toString()).toBe('one two three');
  });

  it('supports writeHead with a reason and an array of headers, and drops Transfer-Encoding', async () => {
    const { port } = await startServer({}, (_req, res) => {
      res.setHeader('X-Before', '1');
      res.writeHead(418, 'Short And Stout', ['X-List', 'a', 'Transfer-Encoding', 'chunked', 'Connection', 'close']);
      res.end('tea');
    });
    const client = await TestClient.connect(port);
    const reply = await client.fetch(1);
    expect(reply.stdout.toString('latin1').split('\r\n')[0]).toBe('Status: 418 Short And Stout');
    expect(reply.header('x-before')).toBe('1');
    expect(reply.header('x-list')).toBe('a');
    expect(reply.header('transfer-encoding')).toBeUndefined();
    expect(reply.header('connection')).toBeUndefined();
    expect(reply.body.toString()).toBe('tea');
  });

  it('writes a redirect', async () => {
    const { port } = await startServer({}, (_req, res) => {
      res.writeHead(302, { Location: '/elsewhere' }).end();
    });
    const client = await TestClient.connect(port);
    const reply = await client.fetch(1);
    expect(reply.status).toBe(302);
    expect(reply.header('location')).toBe('/elsewhere');
  });

  it('sends no body for HEAD requests and for 204', async () => {
    const { port } = await startServer({}, (req, res) => {
      if (req.url === '/empty') res.writeHead(204);
      res.end('this body is not sent');
    });
    const client = await TestClient.connect(port);
    const head = await client.fetch(1, { params: baseParams('/', { REQUEST_METHOD: 'HEAD' }) });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    const empty = await client.fetch(2, { params: baseParams('/empty') });
    expect(empty.status).toBe(204);
    expect(empty.body.length).toBe(0);
  });

  it('calls end callbacks and emits finish before close', async () => {
    const events: string[] = [];
    const { port } = await startServer({}, (req, res) => {
      res.on('finish', () => events.push('finish'));
      res.on('close', () => events.push('res close'));
      req.on('close', () => events.push('req close'));
      res.end('x', () => events.push('end callback'));
    });
    const client = await TestClient.connect(port);
    await client.fetch(1);
    await delay(20);
    expect(events.indexOf('finish')).toBeGreaterThanOrEqual(0);
    expect(events).toContain('end callback');
    expect(events.indexOf('finish')).toBeLessThan(events.indexOf('res close'));
    expect(events).toContain('req close');
  });

  it('streams a response written over time', async () => {
    const { port } = await startServer({}, async (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      for (let index = 0; index < 3; index++) {
        res.write(`data: ${index}\n\n`);
        await delay(10);
      }
      res.end();
    });
    const client = await TestClient.connect(port);
    client.request(1);
    // The first event arrives before the response ends.
    await client.waitFor((record) => record.type === 6 && Buffer.from(record.content).toString().includes('data: 0'));
    expect(client.records.some((record) => record.type === 3)).toBe(false);
    const reply = await client.cgiReply(1);
    expect(reply.body.toString()).toBe('data: 0\n\ndata: 1\n\ndata: 2\n\n');
    expect(reply.header('content-length')).toBeUndefined();
  });

  it('rejects header injection', async () => {
    const { port, requestErrors } = await startServer({}, (_req, res) => {
      res.writeHead(200, { 'X-Evil': 'a\r\nStatus: 500' });
      res.end();
    });
    const client = await TestClient.connect(port);
    const reply = await client.fetch(1);
    expect(reply.status).toBe(500);
    expect(reply.header('x-evil')).toBeUndefined();
    expect(requestErrors).toHaveLength(1);
  });

  it('passes the connection facts to frameworks through req.socket', async () => {
    const { port } = await startServer({}, (req, res) => {
      res.end(JSON.stringify({ address: req.socket.remoteAddress, connection: req.connection === req.socket, resSocket: res.socket === req.socket }));
    });
    const client = await TestClient.connect(port);
    const reply = await client.fetch(1);
    expect(JSON.parse(reply.body.toString())).toEqual({ address: '127.0.0.2', connection: true, resSocket: true });
  });
});

describe('byte-exact url and headers', () => {
  it('gives non-ASCII bytes of REQUEST_URI and headers as latin1, as node:http does', async () => {
    let seen: { url?: string; header?: string | string[]; param?: string } | undefined;
    const { port } = await startServer({}, (req, res) => {
      seen = { url: req.url, header: req.headers['x-name'], param: req.fastcgi.params.HTTP_X_NAME };
      res.end();
    });
    const client = await TestClient.connect(port);
    await client.fetch(1, { params: [['REQUEST_METHOD', 'GET'], ['REQUEST_URI', Buffer.from('/café', 'utf8')], ['HTTP_X_NAME', Buffer.from([0x4a, 0xe9])]] });
    expect(seen).toEqual({ url: Buffer.from('/café', 'utf8').toString('latin1'), header: 'J\u00e9', param: 'J\ufffd' });
  });
});

describe("the 'request' event", () => {
  it('delivers requests to request listeners when createServer got no listener', async () => {
    const server = createServer();
    server.on('request', (req, res) => res.end(`event ${req.url}`));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const client = await TestClient.connect((server.address() as AddressInfo).port);
    expect((await client.fetch(1, { params: baseParams('/evt'), keepConn: false })).body.toString()).toBe('event /evt');
  });
});
