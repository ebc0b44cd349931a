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

  it('echoes a 10 MB POST body streamed from a Readable, with its checksum', async () => {
    const body = Buffer.alloc(10 * 1024 * 1024);
    for (let index = 0; index < body.length; index++) body[index] = (index * 31) & 0xff;
    const pieces = Array.from({ length: 10 }, (_, index) => body.subarray(index * 1024 * 1024, (index + 1) * 1024 * 1024));
    const response = await client.request({
      params: params(fpm.documentRoot, 'echo.php', { REQUEST_METHOD: 'POST', CONTENT_LENGTH: String(body.length), CONTENT_TYPE: 'application/octet-stream', HTTP_X_TEST: 'yes' }),
      body: Readable.from(pieces),
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

  it('streams a 100 MB response to a slow reader with a bounded buffer', async () => {
    const response = await client.request({ params: params(fpm.documentRoot, 'big.php', { QUERY_STRING: 'chunks=1600' }) });
    let received = 0;
    let largestBuffered = 0;
    const started = Date.now();
    for await (const chunk of response.body) {
      received += (chunk as Buffer).length;
      // The iterator hands out everything buffered at once: a chunk is what was buffered.
      largestBuffered = Math.max(largestBuffered, (chunk as Buffer).length + response.body.readableLength);
      // Read at most ~40 MB/s: php-fpm writes faster, so without backpressure the buffer grows.
      while (received > (Date.now() - started) * 40_000) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(received).toBe(1600 * 65536);
    // Unbounded buffering would let the body's buffer grow by tens of megabytes.
    expect(largestBuffered).toBeLessThan(1024 * 1024);
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

  it('does not starve requests on unaccepted connections under sustained overload', async () => {
    // 1600 requests of 20 ms through 4 workers, 64 at a time, for about 8 s: the queue never
    // empties. A request written to a connection no worker accepted must still be served
    // long before its 5 s head timeout.
    const fresh = new Client({ address: fpm.address, getValues: false, connections: 8, keepAliveTimeout: 120_000 });
    let next = 0;
    let served = 0;
    try {
      await Promise.all(Array.from({ length: 64 }, async () => {
        while (next < 1600) {
          next += 1;
          const response = await fresh.request({ params: params(fpm.documentRoot, 'slow.php'), timeout: 5000 });
          if ((await readAll(response.body)).toString() === 'slow done') served += 1;
        }
      }));
      expect(served).toBe(1600);
    } finally {
      await fresh.close();
    }
  });

  it('answers /status', async () => {
    const response = await client.request({ params: { ...params(fpm.documentRoot, 'hello.php'), SCRIPT_NAME: '/status', SCRIPT_FILENAME: '/status', REQUEST_URI: '/status' } });
    expect((await readAll(response.body)).toString()).toMatch(/^pool:\s+test/m);
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

describe.skipIf(!available)('php-fpm saturation and restarts', () => {
  it('queues more concurrent requests than children, then serves them or fails with a typed error, never hangs', async () => {
    const fpm = await startPhpFpm({ scripts: { 'sleep.php': "<?php usleep(300000); echo 'slept';" }, maxChildren: 2 });
    const client = new Client({ address: fpm.address, connections: 2, queueTimeout: 400 });
    try {
      const outcomes = await Promise.all(Array.from({ length: 12 }, async () => {
        try {
          const response = await client.request({ params: params(fpm.documentRoot, 'sleep.php') });
          return (await readAll(response.body)).toString();
        } catch (error) {
          return (error as { code?: string }).code ?? 'untyped';
        }
      }));
      expect(outcomes.filter((outcome) => outcome === 'slept').length).toBeGreaterThanOrEqual(2);
      expect(outcomes).toContain('ERR_FCGI_QUEUE_TIMEOUT');
      expect(outcomes.every((outcome) => outcome === 'slept' || outcome === 'ERR_FCGI_QUEUE_TIMEOUT')).toBe(true);
    } finally {
      await client.destroy();
      await fpm.stop();
    }
  });

  it('recovers when php-fpm restarts between requests', async () => {
    let fpm = await startPhpFpm({ scripts, maxChildren: 2 });
    const client = new Client({ address: fpm.address, keepAliveTimeout: 60_000 });
    try {
      const hello = async (): Promise<string> => {
        const response = await client.request({ params: params(fpm.documentRoot, 'hello.php') });
        return (await readAll(response.body)).toString();
      };
      expect(await Promise.all([hello(), hello()])).toEqual(['Hello from PHP', 'Hello from PHP']);
      const address = fpm.address;
      await fpm.stop();
      fpm = await startPhpFpm({ scripts, maxChildren: 2, address });
      const results = await Promise.all(Array.from({ length: 6 }, hello));
      expect(results.every((result) => result === 'Hello from PHP')).toBe(true);
    } finally {
      await client.destroy();
      await fpm.stop();
    }
  });
});
