import type { Readable } from 'node:stream';
import { Client, type ClientOptions, type ClientResponse } from '@fcgi/client';
import { RecordType } from '@fcgi/codec';
import { afterEach, describe, expect, it } from 'vitest';
import { type MockBackend, type MockScript, createMockBackend } from '../src/index.js';

const opened: { backend: MockBackend; client: Client }[] = [];

async function setup(script: MockScript, options: Partial<ClientOptions> = {}): Promise<{ backend: MockBackend; client: Client }> {
  const backend = await createMockBackend(script);
  const client = new Client({ address: backend.address, getValues: false, headersTimeout: 3000, bodyTimeout: 3000, ...options });
  const entry = { backend, client };
  opened.push(entry);
  return entry;
}

afterEach(async () => {
  for (const { backend, client } of opened.splice(0)) {
    await client.destroy();
    await backend.close();
  }
});

async function read(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString();
}

async function complete(response: ClientResponse): Promise<{ body: string; stderr: string; appStatus: number }> {
  const [body, stderr, end] = await Promise.all([read(response.body), read(response.stderr), response.done]);
  return { body, stderr, appStatus: end.appStatus };
}

const params = { REQUEST_METHOD: 'POST', SCRIPT_FILENAME: '/srv/index.php', REQUEST_URI: '/index.php?a=1' };

describe('createMockBackend: scripted answers', () => {
  it('answers with status, headers, body chunks, STDERR and appStatus, and records the request', async () => {
    const { backend, client } = await setup({ respond: { status: 201, headers: { 'x-id': '7', 'set-cookie': ['a=1', 'b=2'] }, body: ['one ', 'two'], stderr: 'warning', appStatus: 3 } });
    const response = await client.request({ params, body: 'name=x' });
    expect(response.status).toBe(201);
    expect(response.headers['x-id']).toBe('7');
    expect(response.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(await complete(response)).toEqual({ body: 'one two', stderr: 'warning', appStatus: 3 });
    const [request] = await backend.waitForRequests(1);
    expect(request!.params.SCRIPT_FILENAME).toBe('/srv/index.php');
    expect(request!.stdin.toString()).toBe('name=x');
    expect(request!.role).toBe(1);
    expect(backend.records.map((entry) => entry.record.type)).toContain(RecordType.BeginRequest);
  });

  it('answers from a function of the request, and on a Unix socket', async () => {
    const path = `/tmp/fcgi-harness-mock-${process.pid}-${Date.now()}.sock`;
    const { client } = await setup({ listen: { path }, respond: (request) => ({ body: `query ${request.params.REQUEST_URI ?? ''}` }) });
    const response = await client.request({ params });
    expect((await complete(response)).body).toBe('query /index.php?a=1');
  });

  it('records the Filter role and its DATA stream', async () => {
    const { backend, client } = await setup({ respond: (request) => ({ body: request.data.toString().toUpperCase() }) });
    const response = await client.request({ params, role: 'filter', data: 'file contents' });
    expect((await complete(response)).body).toBe('FILE CONTENTS');
    expect(backend.requests[0]!.role).toBe(3);
  });

  it('answers GET_VALUES with FCGI_MPXS_CONNS as scripted', async () => {
    const { client } = await setup({ mpxsConns: 1 });
    expect(await client.getValues()).toMatchObject({ FCGI_MPXS_CONNS: '1', FCGI_MAX_CONNS: '10' });
    const other = await setup({ mpxsConns: 0 });
    expect(await other.client.getValues()).toMatchObject({ FCGI_MPXS_CONNS: '0' });
  });
});

describe('createMockBackend: faults, each against @fcgi/client', () => {
  const body = 'The body, long enough to be split into many records.';

  it.each([
    ['1-byte records', { recordSize: 1 }],
    ['every byte its own write', { writeSize: 1 }],
    ['random padding', { padding: 'random' as const }],
    ['aligned padding', { padding: 'aligned' as const }],
    ['no empty STDOUT (as php-fpm)', { omitEmptyStdout: true }],
    ['a slow answer (2000 bytes/s)', { bytesPerSecond: 2000 }],
    ['a delay and chunk delays', { delay: 30, chunkDelay: 10 }],
  ])('%s: the client still reads the whole response', async (_name, fault) => {
    const { client } = await setup({ respond: { headers: { 'x-fault': 'yes' }, body: [body, body], stderr: 'err', ...fault } });
    const response = await client.request({ params });
    expect(response.headers['x-fault']).toBe('yes');
    expect(await complete(response)).toEqual({ body: body + body, stderr: 'err', appStatus: 0 });
  });

  it.each([
    ['overloaded', 'ERR_FCGI_OVERLOADED'],
    ['cant-mpx-conn', 'ERR_FCGI_CANT_MPX_CONN'],
    ['unknown-role', 'ERR_FCGI_UNKNOWN_ROLE'],
  ] as const)('protocol status %s rejects with %s', async (protocolStatus, code) => {
    const { client } = await setup({ respond: { protocolStatus } });
    await expect(client.request({ params })).rejects.toMatchObject({ code });
  });

  it('closing mid-head rejects with ERR_FCGI_UPSTREAM_CLOSED', async () => {
    const { client } = await setup({ respond: { headers: { 'x-long': 'y'.repeat(200) }, close: 'mid-head' } });
    await expect(client.request({ params })).rejects.toMatchObject({ code: 'ERR_FCGI_UPSTREAM_CLOSED' });
  });

  it('closing mid-body fails the body and done with ERR_FCGI_UPSTREAM_CLOSED', async () => {
    const { client } = await setup({ respond: { body: [body, body], close: 'mid-body' } });
    const response = await client.request({ params });
    expect(response.status).toBe(200);
    await expect(response.done).rejects.toMatchObject({ code: 'ERR_FCGI_UPSTREAM_CLOSED' });
  });

  it('never answering ends in ERR_FCGI_HEADERS_TIMEOUT, not a hang', async () => {
    const { client } = await setup({ respond: { neverAnswer: true } }, { headersTimeout: 200 });
    await expect(client.request({ params })).rejects.toMatchObject({ code: 'ERR_FCGI_HEADERS_TIMEOUT' });
  });

  it('answering too slowly ends in ERR_FCGI_HEADERS_TIMEOUT', async () => {
    const { client } = await setup({ respond: { headers: { 'x-long': 'y'.repeat(300) }, bytesPerSecond: 100 } }, { headersTimeout: 300 });
    await expect(client.request({ params })).rejects.toMatchObject({ code: 'ERR_FCGI_HEADERS_TIMEOUT' });
  });

  it('garbage bytes reject with ERR_FCGI_NOT_FASTCGI', async () => {
    const { client } = await setup({ respond: { garbage: true } });
    await expect(client.request({ params })).rejects.toMatchObject({ code: 'ERR_FCGI_NOT_FASTCGI' });
  });

  it('FCGI_MPXS_CONNS=0: the client sends one request at a time on the connection', async () => {
    const { backend, client } = await setup({ mpxsConns: 0, respond: { body: 'x', delay: 50 } }, { connections: 1, getValues: true });
    const responses = await Promise.all([client.request({ params }), client.request({ params })]);
    for (const response of responses) expect((await complete(response)).body).toBe('x');
    expect(backend.requests.filter((request) => request.role === 1)).toHaveLength(2);
    expect(new Set(backend.requests.map((request) => request.connection)).size).toBe(1);
  });

  it('FCGI_MPXS_CONNS=1: the client multiplexes and both requests succeed on one connection', async () => {
    const { backend, client } = await setup({ mpxsConns: 1, respond: (request) => ({ body: request.params.REQUEST_URI ?? '', delay: 50 }) }, { connections: 1, getValues: true });
    const [first, second] = await Promise.all([client.request({ params: { ...params, REQUEST_URI: '/1' } }), client.request({ params: { ...params, REQUEST_URI: '/2' } })]);
    expect((await complete(first)).body).toBe('/1');
    expect((await complete(second)).body).toBe('/2');
    expect(new Set(backend.requests.map((request) => request.connection)).size).toBe(1);
    expect(backend.requests.map((request) => request.requestId).sort()).toEqual([1, 2]);
  });

  it('records ABORT_REQUEST and answers it with END_REQUEST', async () => {
    const { backend, client } = await setup({ respond: { body: 'late', delay: 2000 } });
    const controller = new AbortController();
    const request = client.request({ params, signal: controller.signal });
    await backend.waitForRequests(1);
    controller.abort();
    await expect(request).rejects.toMatchObject({ code: 'ERR_FCGI_ABORTED' });
    await expect.poll(() => backend.requests[0]!.aborted).toBe(true);
  });
});

describe('createMockBackend: more faults and helpers', () => {
  it('closing just before END_REQUEST fails done with ERR_FCGI_UPSTREAM_CLOSED after the whole body', async () => {
    const { client } = await setup({ respond: { body: 'all of it', close: 'before-end' } });
    const response = await client.request({ params });
    const [body, outcome] = await Promise.all([read(response.body).catch(() => 'failed'), response.done.then(() => 'done', (error: { code: string }) => error.code)]);
    expect(outcome).toBe('ERR_FCGI_UPSTREAM_CLOSED');
    expect(['all of it', 'failed']).toContain(body);
  });

  it('a body that stalls ends in ERR_FCGI_BODY_TIMEOUT', async () => {
    const { client } = await setup({ respond: { body: ['start', 'never soon'], chunkDelay: 2000 } }, { bodyTimeout: 200 });
    const response = await client.request({ params });
    response.body.resume();
    await expect(response.done).rejects.toMatchObject({ code: 'ERR_FCGI_BODY_TIMEOUT' });
  });

  it('a malformed CGI head fails the request with a typed error', async () => {
    const { client } = await setup({ respond: { head: 'this is not a header line\r\n\r\n', body: 'x' } });
    const code = await client.request({ params }).then(
      () => 'resolved',
      (error: { code: string }) => error.code,
    );
    expect(code).toMatch(/^ERR_FCGI_/);
  });

  it('waitForRequests rejects with ERR_FCGI_HARNESS_TIMEOUT when too few requests come', async () => {
    const { backend } = await setup({});
    await expect(backend.waitForRequests(1, 50)).rejects.toMatchObject({ code: 'ERR_FCGI_HARNESS_TIMEOUT' });
    expect(backend.openConnections).toBe(0);
    expect(backend.port).toBeGreaterThan(0);
  });

  it('rejects a bad option with ERR_FCGI_HARNESS_INVALID_OPTION, at creation or (from a function) by dropping the connection', async () => {
    await expect(createMockBackend({ respond: { recordSize: 0 } })).rejects.toMatchObject({ code: 'ERR_FCGI_HARNESS_INVALID_OPTION' });
    await expect(createMockBackend({ respond: { bytesPerSecond: -5 } })).rejects.toMatchObject({ code: 'ERR_FCGI_HARNESS_INVALID_OPTION' });
    const { client } = await setup({ respond: () => ({ body: 'x', recordSize: 70000 }) });
    await expect(client.request({ params })).rejects.toMatchObject({ code: 'ERR_FCGI_UPSTREAM_CLOSED' });
  });
});
