/**
 * @fcgi/client against @fcgi/server (issue 4: "against the project's own server:
 * multiplexing, all three roles, ABORT_REQUEST seen by the app"), over TCP and over a Unix
 * socket: GET_VALUES and multiplexed requests on one connection, the Responder,
 * Authorizer (plain listener and dedicated API) and Filter roles, an abort through the
 * client's AbortSignal reaching the handler's signal, kept connections reused, and large
 * bodies both ways with checksums.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { Client, type ClientResponse } from '@fcgi/client';
import { FastCgiError } from '@fcgi/codec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FastCgiIncomingMessage, type FastCgiServer, type FastCgiServerResponse, createServer } from '../src/index.js';

/** What the handlers saw, for the tests to check. */
interface Observed {
  /** Request ids of the requests held at the barrier. */
  barrierIds: number[];
  /** Connections the server had open while all barrier requests were in flight. */
  barrierConnections: number[];
  /** Paths whose handler's signal fired, with the signal's reason code. */
  aborts: { path: string; code: string }[];
  keepConn: boolean[];
}

/** Releases every waiting request once `size` of them are in flight at the same time. */
class Barrier {
  #waiting: (() => void)[] = [];
  size = 0;

  wait(): Promise<void> {
    return new Promise((resolve) => {
      this.#waiting.push(resolve);
      if (this.#waiting.length >= this.size) for (const release of this.#waiting.splice(0)) release();
    });
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function patterned(size: number, factor: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let index = 0; index < size; index++) bytes[index] = (index * factor + (index >> 12)) & 0xff;
  return bytes;
}

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function appListener(server: () => FastCgiServer, barrier: Barrier, observed: Observed, started: Map<string, () => void>) {
  return async (req: FastCgiIncomingMessage, res: FastCgiServerResponse): Promise<void> => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    observed.keepConn.push(req.fastcgi.keepConn);
    if (req.fastcgi.role === 'authorizer') {
      if (req.fastcgi.params.REMOTE_USER === 'alice') res.writeHead(200, { 'Variable-USER': 'alice', 'Variable-TEAM': 'ops' }).end();
      else res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="x"' }).end('who are you?');
      return;
    }
    if (req.fastcgi.role === 'filter') {
      const stdin = await readAll(req);
      const data = await readAll(req.fastcgi.data as AsyncIterable<unknown>);
      const params = req.fastcgi.params;
      res.setHeader('Content-Type', 'text/plain');
      res.end(`${stdin.toString()}|${data.toString().toUpperCase()}|${params.FCGI_DATA_LENGTH}|${params.FCGI_DATA_LAST_MOD}`);
      return;
    }
    switch (path) {
      case '/barrier':
        await barrier.wait();
        observed.barrierIds.push(req.fastcgi.requestId);
        observed.barrierConnections.push(server().connectionCount);
        res.end(`id ${req.fastcgi.requestId}`);
        return;
      case '/echo':
        // Both ways at once: the body streams back while it still arrives.
        res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
        req.pipe(res);
        return;
      case '/download': {
        const size = Number(req.fastcgi.params.QUERY_STRING);
        const body = patterned(size, 7);
        res.setHeader('X-Sha256', sha256(body));
        for (let offset = 0; offset < size; offset += 100_000) {
          if (!res.write(body.subarray(offset, offset + 100_000))) await once(res, 'drain');
        }
        res.end();
        return;
      }
      case '/hang-before-head':
      case '/hang-mid-body':
        if (path === '/hang-mid-body') res.write('partial ');
        req.fastcgi.signal.addEventListener('abort', () => {
          observed.aborts.push({ path, code: String((req.fastcgi.signal.reason as { code?: string }).code) });
        });
        started.get(path)?.();
        return; // never answers: only an abort ends it
      default:
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ url: req.url, role: req.fastcgi.role, id: req.fastcgi.requestId, remote: req.socket.remoteAddress }));
    }
  };
}

const transports = [
  { name: 'TCP', unix: false },
  { name: 'a Unix socket', unix: true },
] as const;

describe.each(transports)('@fcgi/client against @fcgi/server over $name', ({ unix }) => {
  const barrier = new Barrier();
  const observed: Observed = { barrierIds: [], barrierConnections: [], aborts: [], keepConn: [] };
  const started = new Map<string, () => void>();
  let server: FastCgiServer;
  let client: Client;
  let address = '';
  let directory = '';
  let connections = 0;

  beforeAll(async () => {
    server = createServer(
      { closeTimeout: 1000 },
      appListener(() => server, barrier, observed, started),
    );
    server.on('connection', () => connections++);
    if (unix) {
      directory = mkdtempSync(join(tmpdir(), 'fcgi-interop-'));
      server.listen({ path: join(directory, 'app.sock') });
    } else {
      server.listen(0, '127.0.0.1');
    }
    await once(server, 'listening');
    address = unix ? `unix:${join(directory, 'app.sock')}` : `127.0.0.1:${(server.address() as AddressInfo).port}`;
    client = new Client({ address });
  });

  afterAll(async () => {
    await client?.destroy();
    server?.closeAllConnections();
    if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    if (directory !== '') rmSync(directory, { recursive: true, force: true });
  });

  function params(uri: string, extra: Record<string, string> = {}): Record<string, string> {
    const [path = uri, query = ''] = uri.split('?');
    return { REQUEST_METHOD: 'GET', REQUEST_URI: uri, SCRIPT_NAME: path, QUERY_STRING: query, REMOTE_ADDR: '127.0.0.9', ...extra };
  }

  it('GET_VALUES reports multiplexing and the server\'s limits', async () => {
    expect(await client.getValues()).toEqual({ FCGI_MAX_CONNS: '1000', FCGI_MAX_REQS: '100', FCGI_MPXS_CONNS: '1' });
  });

  it('multiplexes: 8 requests in flight at once share one connection, with request ids 1 to 8', async () => {
    // A fresh client, so its only request connection is the one the 8 requests can share.
    const fresh = new Client({ address });
    const before = connections;
    try {
      observed.barrierIds.length = 0;
      observed.barrierConnections.length = 0;
      barrier.size = 8;
      const bodies = await Promise.all(Array.from({ length: 8 }, async () => text((await fresh.request({ params: params('/barrier') })).body)));
      expect([...observed.barrierIds].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(bodies.sort()).toEqual(observed.barrierIds.map((id) => `id ${id}`).sort());
      expect(fresh.stats.connections).toBe(1);
      expect(fresh.stats.requestsPerConnection).toBeGreaterThanOrEqual(8);
      // The new client opened two connections: one for GET_VALUES (closed after the answer)
      // and one that carried all 8 requests at once.
      expect(connections - before).toBe(2);
      expect(Math.max(...observed.barrierConnections)).toBeLessThanOrEqual(3);
    } finally {
      await fresh.close();
    }
  });

  it('responder: params arrive as the handler\'s req', async () => {
    const response = await client.request({ params: params('/info?a=1') });
    expect(response.status).toBe(200);
    expect(JSON.parse(await text(response.body))).toMatchObject({ url: '/info?a=1', role: 'responder', remote: '127.0.0.9' });
    expect(await response.done).toEqual({ appStatus: 0, protocolStatus: 0 });
  });

  it('authorizer through the plain listener: allowed with Variable-* headers, denied with the response for the client', async () => {
    const allowed = await client.request({ role: 'authorizer', params: params('/private', { REMOTE_USER: 'alice' }) });
    expect(allowed.allowed).toBe(true);
    expect(allowed.variables).toEqual({ USER: 'alice', TEAM: 'ops' });
    await text(allowed.body);
    const denied = await client.request({ role: 'authorizer', params: params('/private', { REMOTE_USER: 'mallory' }) });
    expect([denied.allowed, denied.status, denied.headers['www-authenticate']]).toEqual([false, 401, 'Basic realm="x"']);
    expect(await text(denied.body)).toBe('who are you?');
  });

  it('authorizer through the dedicated API: allow with variables, deny with a status', async () => {
    const own = createServer({ authorizer: (req) => (req.fastcgi.params.REMOTE_USER === 'root' ? { allow: true, variables: { ROLE: 'admin' } } : { allow: false, status: 403, body: 'no' }) }, (_req, res) => res.end('responder'));
    own.listen(0, '127.0.0.1');
    await once(own, 'listening');
    const ownClient = new Client({ address: `127.0.0.1:${(own.address() as AddressInfo).port}` });
    try {
      const allowed = await ownClient.request({ role: 'authorizer', params: params('/', { REMOTE_USER: 'root' }) });
      expect([allowed.allowed, allowed.variables]).toEqual([true, { ROLE: 'admin' }]);
      await text(allowed.body);
      const denied = await ownClient.request({ role: 'authorizer', params: params('/', { REMOTE_USER: 'guest' }) });
      expect([denied.allowed, denied.status, await text(denied.body)]).toEqual([false, 403, 'no']);
      const responder = await ownClient.request({ params: params('/') });
      expect(await text(responder.body)).toBe('responder');
    } finally {
      await ownClient.close();
      await new Promise<void>((resolve) => own.close(() => resolve()));
    }
  });

  it('filter: STDIN then DATA, with FCGI_DATA_LENGTH and FCGI_DATA_LAST_MOD', async () => {
    const data = Buffer.from('the file to filter '.repeat(5000));
    const response = await client.request({ role: 'filter', params: params('/filter'), body: 'stdin-part', data, dataLastModified: 1_700_000_000 });
    expect(response.status).toBe(200);
    expect(await text(response.body)).toBe(`stdin-part|${data.toString().toUpperCase()}|${data.length}|1700000000`);
  });

  it('abort before the head: the handler\'s signal fires (ABORT_REQUEST seen by the app), the pool stays usable', async () => {
    await text((await client.request({ params: params('/warm') })).body);
    const before = connections;
    const controller = new AbortController();
    const handlerStarted = new Promise<void>((resolve) => started.set('/hang-before-head', resolve));
    const pending = client.request({ params: params('/hang-before-head'), signal: controller.signal });
    const failure = pending.then(() => 'answered', (error: unknown) => (FastCgiError.is(error) ? error.code : 'untyped'));
    await handlerStarted;
    controller.abort();
    expect(await failure).toBe('ERR_FCGI_ABORTED');
    await expect.poll(() => observed.aborts.filter((abort) => abort.path === '/hang-before-head')).toEqual([{ path: '/hang-before-head', code: 'ERR_FCGI_REQUEST_ABORTED' }]);
    const after = await Promise.all(Array.from({ length: 4 }, async () => (await client.request({ params: params('/after') })).status));
    expect(after).toEqual([200, 200, 200, 200]);
    // The aborted request's connection got END_REQUEST and was reused: no new connection.
    expect(connections - before).toBe(0);
    expect(server.activeRequests).toBe(0);
  });

  it('abort mid-body: the body fails with ERR_FCGI_ABORTED and the handler\'s signal fires', async () => {
    const controller = new AbortController();
    const handlerStarted = new Promise<void>((resolve) => started.set('/hang-mid-body', resolve));
    const response: ClientResponse = await client.request({ params: params('/hang-mid-body'), signal: controller.signal });
    await handlerStarted;
    expect(response.status).toBe(200);
    const reading = readAll(response.body).then(() => 'ended', (error: unknown) => (FastCgiError.is(error) ? error.code : 'untyped'));
    controller.abort();
    expect(await reading).toBe('ERR_FCGI_ABORTED');
    await expect.poll(() => observed.aborts.some((abort) => abort.path === '/hang-mid-body')).toBe(true);
    expect((await client.request({ params: params('/after') })).status).toBe(200);
  });

  it('keeps connections: 10 sequential requests open no new connection, with FCGI_KEEP_CONN set', async () => {
    await text((await client.request({ params: params('/warm') })).body);
    const before = connections;
    observed.keepConn.length = 0;
    for (let index = 0; index < 10; index++) expect(await text((await client.request({ params: params(`/seq/${index}`) })).body)).toContain(`/seq/${index}`);
    expect(connections - before).toBe(0);
    expect(observed.keepConn).toEqual(Array.from({ length: 10 }, () => true));
  });

  it('streams 6 MB up and back at once with the same checksum', async () => {
    const body = patterned(6 * 1024 * 1024, 13);
    const response = await client.request({ params: params('/echo', { REQUEST_METHOD: 'POST' }), body });
    const echoed = await readAll(response.body);
    expect(echoed.length).toBe(body.length);
    expect(sha256(echoed)).toBe(sha256(body));
  });

  it('downloads 8 MB written with backpressure, matching the checksum the handler sent', async () => {
    const response = await client.request({ params: params(`/download?${8 * 1024 * 1024}`) });
    const bytes = await readAll(response.body);
    expect(bytes.length).toBe(8 * 1024 * 1024);
    expect(sha256(bytes)).toBe(response.headers['x-sha256']);
    expect(await response.done).toEqual({ appStatus: 0, protocolStatus: 0 });
  });
});
