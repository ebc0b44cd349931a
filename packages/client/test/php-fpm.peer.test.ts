import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../src/index.js';
import { readAll } from './support/fake-app.js';
import { type PhpFpm, requirePhpFpm, startPhpFpm } from './support/php-fpm.js';

const available = requirePhpFpm();

const scripts = {
  'hello.php': "<?php header('Content-Type: text/plain'); echo 'Hello from PHP';",
  'echo.php': "<?php $body = file_get_contents('php://input'); header('Content-Type: application/json'); echo json_encode(['method' => $_SERVER['REQUEST_METHOD'], 'length' => strlen($body), 'md5' => md5($body), 'query' => $_SERVER['QUERY_STRING'] ?? '', 'x' => $_SERVER['HTTP_X_TEST'] ?? null]);",
  'big.php': "<?php header('Content-Type: application/octet-stream'); $chunk = str_repeat('a', 65536); $n = (int) $_GET['chunks']; for ($i = 0; $i < $n; $i++) { echo $chunk; flush(); }",
  'stderr.php': "<?php error_log('note to stderr'); echo 'ok';",
  'cookies.php': "<?php setcookie('a', '1'); setcookie('b', '2'); header('Location: /next');",
  'slow.php': "<?php usleep(20000); echo 'slow done';",
};

function params(documentRoot: string, script: string, extra: Record<string, string> = {}): Record<string, string> {
  return { REQUEST_METHOD: 'GET', SCRIPT_FILENAME: join(documentRoot, script), SCRIPT_NAME: `/${script}`, REQUEST_URI: `/${script}`, QUERY_STRING: '', SERVER_PROTOCOL: 'HTTP/1.1', GATEWAY_INTERFACE: 'CGI/1.1', ...extra };
}

describe.skipIf(!available)('php-fpm (TCP, pm.max_children=4)', () => {
  let fpm: PhpFpm;
  let client: Client;

  beforeAll(async () => {
    fpm = await startPhpFpm({ scripts, maxChildren: 4 });
    client = new Client({ address: fpm.address });
  });

  afterAll(async () => {
    await client?.destroy();
    await fpm?.stop();
  });

  it('answers GET_VALUES with FCGI_MPXS_CONNS=0', async () => {
    const values = await client.getValues();
    expect(values.FCGI_MPXS_CONNS).toBe('0');
  });

  it('serves hello.php', async () => {
    const response = await client.request({ params: params(fpm.documentRoot, 'hello.php') });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain');
    expect((await readAll(response.body)).toString()).toBe('Hello from PHP');
    expect((await response.done).protocolStatus).toBe(0);
  });

  it('echoes a POST body streamed from a Readable, with its checksum', async () => {
    const body = Buffer.alloc(2 * 1024 * 1024);
    for (let index = 0; index < body.length; index++) body[index] = (index * 31) & 0xff;
    const response = await client.request({
      params: params(fpm.documentRoot, 'echo.php', { REQUEST_METHOD: 'POST', CONTENT_LENGTH: String(body.length), CONTENT_TYPE: 'application/octet-stream', HTTP_X_TEST: 'yes' }),
      body: Readable.from([body.subarray(0, 1_000_000), body.subarray(1_000_000)]),
    });
    const echoed = JSON.parse((await readAll(response.body)).toString()) as Record<string, unknown>;
    expect(echoed).toEqual({ method: 'POST', length: body.length, md5: createHash('md5').update(body).digest('hex'), query: '', x: 'yes' });
  });

  it('streams a 3 MB response intact', async () => {
    const response = await client.request({ params: params(fpm.documentRoot, 'big.php', { QUERY_STRING: 'chunks=48' }) });
    const body = await readAll(response.body);
    expect(body.length).toBe(48 * 65536);
    expect(body.every((byte) => byte === 97)).toBe(true);
  });

  it('passes error_log() output as STDERR', async () => {
    const response = await client.request({ params: params(fpm.documentRoot, 'stderr.php') });
    const [body, stderr] = await Promise.all([readAll(response.body), readAll(response.stderr)]);
    expect(body.toString()).toBe('ok');
    expect(stderr.toString()).toContain('note to stderr');
  });

  it('keeps both Set-Cookie headers and redirects with 302', async () => {
    const response = await client.request({ params: params(fpm.documentRoot, 'cookies.php') });
    await readAll(response.body);
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe('/next');
    expect(response.headers['set-cookie']).toEqual(['a=1', 'b=2']);
  });

  it('completes 64 concurrent requests against 4 children with default options', async () => {
    const fresh = new Client({ address: fpm.address });
    try {
      const results = await Promise.all(Array.from({ length: 64 }, async () => {
        const response = await fresh.request({ params: params(fpm.documentRoot, 'slow.php') });
        return (await readAll(response.body)).toString();
      }));
      expect(results.every((result) => result === 'slow done')).toBe(true);
    } finally {
      await fresh.close();
    }
  });

  it('completes 64 concurrent requests with GET_VALUES off and more connections than children', async () => {
    // Idle kept-alive connections pin php-fpm workers: without care, requests written to
    // connections no worker accepted would stall until keepAliveTimeout (here 120 s) and
    // hit the 20 s headers timeout.
    const fresh = new Client({ address: fpm.address, getValues: false, connections: 8, keepAliveTimeout: 120_000 });
    try {
      const results = await Promise.all(Array.from({ length: 64 }, async () => {
        const response = await fresh.request({ params: params(fpm.documentRoot, 'slow.php'), timeout: 20_000 });
        return (await readAll(response.body)).toString();
      }));
      expect(results.every((result) => result === 'slow done')).toBe(true);
    } finally {
      await fresh.close();
    }
  });

  it('answers /ping', async () => {
    const response = await client.request({ params: { ...params(fpm.documentRoot, 'hello.php'), SCRIPT_NAME: '/ping', SCRIPT_FILENAME: '/ping', REQUEST_URI: '/ping' } });
    expect((await readAll(response.body)).toString()).toBe('pong');
  });
});

describe.skipIf(!available)('php-fpm (Unix socket, pm.max_requests=1)', () => {
  let fpm: PhpFpm;
  let client: Client;

  beforeAll(async () => {
    fpm = await startPhpFpm({ scripts, maxChildren: 2, maxRequests: 1, unixSocket: true });
    client = new Client({ address: fpm.address });
  });

  afterAll(async () => {
    await client?.destroy();
    await fpm?.stop();
  });

  it('loses no request although php-fpm closes every connection after one request', async () => {
    for (let index = 0; index < 10; index++) {
      const response = await client.request({ params: params(fpm.documentRoot, 'hello.php') });
      expect((await readAll(response.body)).toString()).toBe('Hello from PHP');
    }
    const results = await Promise.all(Array.from({ length: 16 }, async () => {
      const response = await client.request({ params: params(fpm.documentRoot, 'hello.php') });
      return (await readAll(response.body)).toString();
    }));
    expect(results.every((result) => result === 'Hello from PHP')).toBe(true);
  });
});
