import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer, request as httpRequest } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CodecErrorCode, FastCgiError } from '@fcgi/codec';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FastCgiForwardError, type ForwardOptions, type ForwardOutcome, Forwarder, ForwardErrorCode, toListenOptions, upstreamStatus } from '../src/index.js';
import { FastCgiClientError, FastCgiTimeoutError } from '../src/errors.js';
import { type FakeApp, type FakeHandler, startFakeApp } from './support/fake-app.js';

const root = mkdtempSync(join(tmpdir(), 'fcgi-forwarder-'));
writeFileSync(join(root, 'a.php'), '<?php');
writeFileSync(join(root, 'index.php'), '<?php');
writeFileSync(join(root, 'style.css'), 'body {}');

const apps: FakeApp[] = [];
const servers: Server[] = [];
const forwarders: Forwarder[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await Promise.all(forwarders.splice(0).map((forwarder) => forwarder.client.destroy()));
  await Promise.all(apps.splice(0).map((app) => app.close()));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const echoParams: FakeHandler = async (request, connection) => {
  const stdin = await request.stdin;
  connection.respond(request.requestId, 'Content-Type: application/json', JSON.stringify({ params: request.params, stdin: stdin.toString() }));
};

/** A server whose handler forwards and answers any other outcome with its JSON (status 299). */
async function setup(handler: FakeHandler, options: Partial<ForwardOptions> = {}, use: (forwarder: Forwarder, req: IncomingMessage, res: ServerResponse) => Promise<ForwardOutcome> = (forwarder, req, res) => forwarder.forward(req, res)): Promise<{ port: number; outcomes: ForwardOutcome[] }> {
  const app = await startFakeApp(handler);
  apps.push(app);
  const forwarder = new Forwarder({ upstream: { address: app.address, getValues: false }, documentRoot: root, ...options });
  forwarders.push(forwarder);
  const outcomes: ForwardOutcome[] = [];
  const server = createServer((req, res) => {
    void use(forwarder, req, res).then((outcome) => {
      outcomes.push(outcome);
      if (outcome.kind === 'fallthrough') res.writeHead(299).end(JSON.stringify(outcome));
      else if (outcome.kind === 'failed') res.writeHead(299).end(JSON.stringify({ kind: 'failed', code: outcome.error.code, status: outcome.error.status }));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, outcomes };
}

function send(port: number, path: string, init: { method?: string; body?: string; chunked?: boolean } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = init.body === undefined || init.chunked === true ? {} : { 'Content-Length': String(Buffer.byteLength(init.body)) };
    const request = httpRequest({ host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      response.on('error', reject);
    });
    request.on('error', reject);
    if (init.chunked === true) request.write(init.body ?? '');
    request.end(init.chunked === true ? undefined : init.body);
  });
}

function params(result: { body: string }): Record<string, string> {
  return (JSON.parse(result.body) as { params: Record<string, string> }).params;
}

describe('Forwarder.forward', () => {
  it('sends the answer of the app and reports sent', async () => {
    const { port, outcomes } = await setup(echoParams);
    const result = await send(port, '/a.php/extra?x=1');
    expect(result.status).toBe(200);
    expect(params(result)).toMatchObject({ SCRIPT_FILENAME: join(root, 'a.php'), PATH_INFO: '/extra', REQUEST_URI: '/a.php/extra?x=1' });
    expect(outcomes).toEqual([{ kind: 'sent' }]);
  });

  it('hands back paths that are not scripts with scriptsOnly, and forwards them without', async () => {
    const only = await setup(echoParams, { scriptsOnly: true });
    expect(JSON.parse((await send(only.port, '/style.css')).body)).toEqual({ kind: 'fallthrough', reason: 'not-a-script' });
    const all = await setup(echoParams);
    expect(params(await send(all.port, '/style.css')).SCRIPT_FILENAME).toBe(join(root, 'style.css'));
  });

  it('hands back missing scripts with checkScriptExists or fallthrough', async () => {
    for (const options of [{ checkScriptExists: true }, { fallthrough: true }]) {
      const { port } = await setup(echoParams, options);
      expect(JSON.parse((await send(port, '/nope.php')).body)).toEqual({ kind: 'fallthrough', reason: 'missing-script' });
    }
  });

  it('runs the front controller for paths that are neither a script nor a file, REQUEST_URI kept', async () => {
    const { port } = await setup(echoParams, { scriptsOnly: true, frontController: 'index.php' });
    expect(params(await send(port, '/blog/hello?x=1'))).toMatchObject({ SCRIPT_NAME: '/index.php', PATH_INFO: '/blog/hello', REQUEST_URI: '/blog/hello?x=1', QUERY_STRING: 'x=1' });
    expect(JSON.parse((await send(port, '/style.css')).body)).toEqual({ kind: 'fallthrough', reason: 'not-a-script' });
  });

  it('hands back a 404 of the app with fallthrough, and sends it without', async () => {
    const notFound: FakeHandler = (request, connection) => connection.respond(request.requestId, 'Status: 404 Not Found', 'app 404');
    const through = await setup(notFound, { fallthrough: true });
    expect(JSON.parse((await send(through.port, '/a.php')).body)).toEqual({ kind: 'fallthrough', reason: 'not-found' });
    const sent = await setup(notFound);
    expect(await send(sent.port, '/a.php')).toEqual({ status: 404, body: 'app 404' });
  });

  it('fails with ERR_FCGI_SCRIPT_REFUSED for paths it cannot map safely', async () => {
    const { port } = await setup(echoParams);
    expect(JSON.parse((await send(port, '/a.php%0ainfo.php')).body)).toEqual({ kind: 'failed', code: ForwardErrorCode.ScriptRefused, status: 404 });
    expect(JSON.parse((await send(port, '/%zz.php')).body)).toEqual({ kind: 'failed', code: ForwardErrorCode.ScriptRefused, status: 400 });
  });

  it('fails with ERR_FCGI_BODY_TOO_LARGE for a body without length above maxBufferedBody', async () => {
    const { port } = await setup(echoParams, { maxBufferedBody: 4 });
    expect(JSON.parse((await send(port, '/a.php', { method: 'POST', body: 'too long', chunked: true })).body)).toEqual({ kind: 'failed', code: ForwardErrorCode.BodyTooLarge, status: 413 });
  });

  it('buffers a body without length within maxBufferedBody and sends its CONTENT_LENGTH', async () => {
    const { port } = await setup(echoParams);
    const result = JSON.parse((await send(port, '/a.php', { method: 'POST', body: 'hello', chunked: true })).body) as { params: Record<string, string>; stdin: string };
    expect(result.stdin).toBe('hello');
    expect(result.params.CONTENT_LENGTH).toBe('5');
  });

  it('fails with ERR_FCGI_UPSTREAM_FAILED, the client error as cause, when the app fails before its head', async () => {
    const { port, outcomes } = await setup((_request, connection) => connection.close());
    expect(JSON.parse((await send(port, '/a.php')).body)).toEqual({ kind: 'failed', code: ForwardErrorCode.UpstreamFailed, status: 502 });
    const outcome = outcomes[0] as Extract<ForwardOutcome, { kind: 'failed' }>;
    expect(outcome.error).toBeInstanceOf(FastCgiForwardError);
    expect(outcome.error.statusCode).toBe(502);
    expect(outcome.error.cause).toMatchObject({ code: 'ERR_FCGI_UPSTREAM_CLOSED' });
  });

  it('reports reset when the app fails mid-body (the connection is reset)', async () => {
    const { port, outcomes } = await setup((request, connection) => {
      connection.stdout(request.requestId, 'Content-Type: text/plain\r\n\r\npartial');
      setTimeout(() => connection.close(), 20);
    });
    await expect(send(port, '/a.php')).rejects.toThrow();
    await expect.poll(() => outcomes[0]?.kind).toBe('reset');
  });
});

describe('Forwarder.open', () => {
  it('maps an explicit url and resolves at the head, the body left to the caller', async () => {
    const { port } = await setup(echoParams, {}, async (forwarder, req, res) => {
      const outcome = await forwarder.open(req, { url: '/a.php/mounted?y=2', response: res });
      if (outcome.kind !== 'answered') return outcome;
      res.writeHead(outcome.response.status, { 'Content-Type': 'application/json' });
      outcome.response.body.pipe(res);
      return { kind: 'sent' };
    });
    expect(params(await send(port, '/elsewhere'))).toMatchObject({ SCRIPT_NAME: '/a.php', PATH_INFO: '/mounted', REQUEST_URI: '/a.php/mounted?y=2', QUERY_STRING: 'y=2' });
  });

  it('refuses options without an upstream or with a relative documentRoot', () => {
    expect(() => new Forwarder({} as ForwardOptions)).toThrow(expect.objectContaining({ code: 'ERR_FCGI_INVALID_OPTION' }));
    expect(() => new Forwarder({ upstream: '127.0.0.1:9000', documentRoot: 'relative' })).toThrow(expect.objectContaining({ code: 'ERR_FCGI_INVALID_OPTION' }));
  });
});

describe('upstreamStatus', () => {
  it('maps a full queue to 503, timeouts to 504, a header too large to 431, the rest to 502', () => {
    expect(upstreamStatus(new FastCgiClientError('ERR_FCGI_QUEUE_FULL', 'full'))).toBe(503);
    expect(upstreamStatus(new FastCgiTimeoutError('ERR_FCGI_HEADERS_TIMEOUT', 'late'))).toBe(504);
    expect(upstreamStatus(new FastCgiError(CodecErrorCode.ParamTooLarge, 'big'))).toBe(431);
    expect(upstreamStatus(new Error('boom'))).toBe(502);
  });
});

describe('toListenOptions', () => {
  it('reads ports, host:port, unix paths, node options and spawned mode', () => {
    expect(toListenOptions(9000)).toEqual({ port: 9000, host: '127.0.0.1' });
    expect(toListenOptions('0.0.0.0:9000')).toEqual({ port: 9000, host: '0.0.0.0' });
    expect(toListenOptions('[::1]:9000')).toEqual({ port: 9000, host: '::1' });
    expect(toListenOptions('tcp://127.0.0.1:9000')).toEqual({ port: 9000, host: '127.0.0.1' });
    expect(toListenOptions('unix:/run/app.sock')).toEqual({ path: '/run/app.sock' });
    expect(toListenOptions('/run/app.sock')).toEqual({ path: '/run/app.sock' });
    expect(toListenOptions({ port: 0, host: '::' })).toEqual({ port: 0, host: '::' });
    expect(toListenOptions(undefined)).toEqual({ fd: 0 });
  });
});

describe('createGateway over the Forwarder', () => {
  it('answers 404 for a request handed back', async () => {
    const { createGateway } = await import('../src/index.js');
    const app = await startFakeApp(echoParams);
    apps.push(app);
    const gateway = createGateway({ upstream: { address: app.address, getValues: false }, documentRoot: root, scriptsOnly: true });
    const server = createServer(gateway);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    expect(await send(port, '/style.css')).toEqual({ status: 404, body: 'Not Found\n' });
    expect((await send(port, '/a.php')).status).toBe(200);
    await gateway.client.destroy();
  });
});
