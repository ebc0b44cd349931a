/**
 * The gateway under hostile HTTP requests (issue 9): smuggling by length, httpoxy,
 * PHP_VALUE, SCRIPT_FILENAME escapes, CVE-2019-11043, header collisions, chunked bodies,
 * log injection. Checked on the records the (scripted) app receives.
 */
import { type AddressInfo, connect } from 'node:net';
import { createServer, request as httpRequest } from 'node:http';
import { type Gateway, type GatewayOptions, createGateway } from '@fcgi/client';
import { decodeParams } from '@fcgi/codec';
import { describe, expect, it } from 'vitest';
import { phpFpmResponse } from '../src/corpus.js';
import { onCleanup } from './support/servers.js';
import { type ScriptedApp, startScriptedApp } from './support/scripted-app.js';

interface Setup {
  app: ScriptedApp;
  port: number;
  gateway: Gateway;
}

async function setup(options: Partial<GatewayOptions> = {}, respond = (requestId: number): Uint8Array => phpFpmResponse('Content-Type: text/plain', 'ok', '', requestId)): Promise<Setup> {
  const app = await startScriptedApp(({ requestId }) => ({ bytes: respond(requestId) }));
  const gateway = createGateway({ upstream: { address: app.address, getValues: false }, documentRoot: '/srv/www', ...options });
  const server = createServer({ maxHeaderSize: 512 * 1024 }, gateway);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await gateway.client.destroy();
  });
  return { app, gateway, port: (server.address() as AddressInfo).port };
}

/** An HTTP request through node:http; resolves to the status and body. */
function send(port: number, path: string, init: { method?: string; headers?: Record<string, string>; body?: Buffer; chunked?: boolean } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = { ...init.headers, ...(init.body !== undefined && init.chunked !== true ? { 'Content-Length': String(init.body.length) } : {}) };
    const request = httpRequest({ host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      response.on('error', reject);
    });
    request.on('error', reject);
    if (init.chunked === true && init.body !== undefined) {
      request.write(init.body.subarray(0, 1000));
      request.end(init.body.subarray(1000));
    } else request.end(init.body);
  });
}

/** Raw HTTP bytes on a socket (requests node:http would refuse to build); resolves to the status line. */
function sendRaw(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let reply = '';
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('latin1');
    });
    const timer = setTimeout(() => socket.destroy(), 3000);
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(reply.split('\r\n')[0] ?? '');
    });
    // Not end(): node:http drops a request whose client half-closes before the answer.
    socket.write(text);
  });
}

/** Each PARAMS record decodes on its own (php-fpm parses them one by one) and is at most 65535 bytes. */
function expectWholePairsPerRecord(records: readonly Uint8Array[]): void {
  for (const record of records) {
    expect(record.length).toBeLessThanOrEqual(65535);
    expect(() => decodeParams(record, { maxParamsBytes: 65535 })).not.toThrow();
  }
}

const pattern = (length: number): Buffer => Buffer.from(Array.from({ length }, (_, index) => 97 + (index % 26)));

describe('gateway: request smuggling by length', () => {
  for (const length of [65535, 65536, 99_000]) {
    it(`a ${length}-byte body with Content-Length arrives intact, in STDIN records of at most 65535 bytes`, async () => {
      const { app, port } = await setup();
      const body = pattern(length);
      expect((await send(port, '/upload.php', { method: 'POST', body })).status).toBe(200);
      const [request] = app.requests;
      expect(request?.stdin.equals(body)).toBe(true);
      expect(request?.params.get('CONTENT_LENGTH')).toBe(String(length));
      for (const recordLength of request?.stdinRecordLengths ?? []) expect(recordLength).toBeLessThanOrEqual(65535);
      expect(app.requests).toHaveLength(1);
    });

    it(`a ${length}-byte chunked body (no length) is buffered and sent with CONTENT_LENGTH ${length}`, async () => {
      const { app, port } = await setup();
      const body = pattern(length);
      expect((await send(port, '/upload.php', { method: 'POST', body, chunked: true })).status).toBe(200);
      expect(app.requests[0]?.stdin.equals(body)).toBe(true);
      expect(app.requests[0]?.params.get('CONTENT_LENGTH')).toBe(String(length));
      expect(app.requests[0]?.params.has('HTTP_TRANSFER_ENCODING')).toBe(true);
    });
  }

  for (const total of [65535, 65536, 99_000]) {
    it(`${total} bytes of header params arrive intact, whole pairs in each PARAMS record`, async () => {
      const { app, port } = await setup();
      const headers: Record<string, string> = {};
      for (let index = 0; index * 10_000 < total; index++) headers[`X-Part-${index}`] = pattern(Math.min(10_000, total - index * 10_000)).toString();
      expect((await send(port, '/a.php', { headers })).status).toBe(200);
      const [request] = app.requests;
      for (const [name, value] of Object.entries(headers)) expect(request?.params.get(`HTTP_${name.toUpperCase().replace(/-/g, '_')}`)).toBe(value);
      expect(request?.paramsRecords.length).toBeGreaterThan(total > 60_000 ? 1 : 0);
      expectWholePairsPerRecord(request?.paramsRecords ?? []);
    });
  }

  it('one header value over 64 KiB (a pair no PARAMS record can hold whole) is answered 431, never split or truncated', async () => {
    const { app, port } = await setup();
    expect((await send(port, '/a.php', { headers: { 'X-Huge': pattern(70_000).toString() } })).status).toBe(431);
    expect(app.requests).toHaveLength(0);
  });
});

describe('gateway: injection', () => {
  it('httpoxy: no HTTP_PROXY however the Proxy header is spelled', async () => {
    const { app, port } = await setup();
    expect((await sendRaw(port, 'GET /a.php HTTP/1.1\r\nHost: x\r\nProxy: http://evil:1\r\nPROXY: http://evil:2\r\nproxy: http://evil:3\r\nConnection: close\r\n\r\n'))).toMatch(/ 200 /);
    expect([...(app.requests[0]?.params.keys() ?? [])].filter((name) => name.includes('PROXY'))).toEqual([]);
  });

  it('PHP_VALUE / PHP_ADMIN_VALUE cannot come from headers, the query or the path', async () => {
    const { app, port } = await setup();
    const status = await sendRaw(port, 'GET /a.php?PHP_VALUE=auto_prepend_file%3D/etc/passwd HTTP/1.1\r\nHost: x\r\nPHP_VALUE: auto_prepend_file=/etc/passwd\r\nPHP-VALUE: x\r\nPHP_ADMIN_VALUE: y\r\nConnection: close\r\n\r\n');
    expect(status).toMatch(/ 200 /);
    const params = app.requests[0]?.params;
    expect(params?.has('PHP_VALUE')).toBe(false);
    expect(params?.has('PHP_ADMIN_VALUE')).toBe(false);
    expect(params?.get('HTTP_PHP_VALUE')).toBe('x');
  });

  const escapes = ['/../etc/passwd', '/..%2f..%2fetc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/a/../../etc/passwd.php', '/x.php%00.jpg', '/.%2e/x.php'];
  for (const path of escapes) {
    it(`SCRIPT_FILENAME escape ${path}: refused, or confined to the document root`, async () => {
      const { app, port } = await setup();
      const status = await sendRaw(port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      const filename = app.requests[0]?.params.get('SCRIPT_FILENAME');
      if (filename === undefined) expect(status).toMatch(/ (400|404) /);
      else expect(filename.startsWith('/srv/www/')).toBe(true);
      expect(filename ?? '').not.toContain('\0');
    });
  }

  it('CVE-2019-11043: a %0a in the path is answered 404 without asking the app', async () => {
    const { app, port } = await setup();
    const status = await sendRaw(port, `GET /index.php/PHP%0Ais_the_shittiest_lang.php?${'Q'.repeat(1500)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(status).toMatch(/ 404 /);
    expect(app.requests).toHaveLength(0);
  });

  it('header name collisions: Content_Type never becomes CONTENT_TYPE, X_A never shadows X-A, repeats are joined', async () => {
    const { app, port } = await setup();
    const status = await sendRaw(port, 'POST /a.php HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent_Type: application/evil\r\nX-A: 1\r\nX_A: evil\r\nx-a: 2\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi');
    expect(status).toMatch(/ 200 /);
    const params = app.requests[0]?.params;
    expect(params?.get('CONTENT_TYPE')).toBe('text/plain');
    expect(params?.get('HTTP_X_A')).toBe('1, 2');
    expect([...(params?.values() ?? [])].some((value) => value.includes('evil'))).toBe(false);
  });

  it('Content-Length with Transfer-Encoding, or two Content-Lengths: refused by node:http before the gateway', async () => {
    const { app, port } = await setup();
    expect(await sendRaw(port, 'POST /a.php HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n')).toMatch(/ 400 /);
    expect(await sendRaw(port, 'POST /a.php HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab')).toMatch(/ 400 /);
    expect(app.requests).toHaveLength(0);
  });
});

describe('gateway: log injection through STDERR', () => {
  it('escapes NUL, CR, ESC and other controls in each line given to onStderr', async () => {
    const lines: string[] = [];
    const { port } = await setup({ onStderr: (line) => lines.push(line) }, (requestId) => phpFpmResponse('A: b', 'ok', 'one\r\nFAKE 127.0.0.1 - admin\0\x1b[2J\rtwo\n', requestId));
    expect((await send(port, '/a.php')).body).toBe('ok');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(lines).toEqual(['one', 'FAKE 127.0.0.1 - admin\\x00\\x1b[2J\\x0dtwo']);
  });
});
