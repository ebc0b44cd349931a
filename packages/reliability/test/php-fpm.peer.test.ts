/**
 * Faults and load against a real php-fpm (issue 9): the gateway in front of php-fpm under
 * mixed traffic, and php-fpm killed with SIGKILL under load, then restarted.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer, request as httpRequest } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, type Gateway, createGateway } from '@fcgi/client';
import { FastCgiError } from '@fcgi/codec';
import { type PhpFpmPeer, requirePeers, startPhpFpm } from '@fcgi/test-peers';
import { afterEach, describe, expect, it } from 'vitest';

const peers = requirePeers('php-fpm');
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function scripts(): string {
  const root = mkdtempSync(join(tmpdir(), 'fcgi-reliability-php-'));
  writeFileSync(join(root, 'echo.php'), "<?php $body = file_get_contents('php://input'); echo strlen($body), ' ', md5($body);");
  writeFileSync(join(root, 'sleep.php'), "<?php usleep(300000); echo 'slept';");
  writeFileSync(join(root, 'small.php'), "<?php echo 'small';");
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

async function php(root: string, listen?: number, maxChildren = 4): Promise<PhpFpmPeer> {
  const started = await startPhpFpm({ documentRoot: root, maxChildren, ...(listen === undefined ? {} : { listen }) });
  cleanups.push(() => started.stop());
  return started;
}

function send(port: number, path: string, body?: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path, method: body === undefined ? 'GET' : 'POST', headers: body === undefined ? {} : { 'Content-Length': String(body.length) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

async function settle(client: Client, root: string, script: string): Promise<string> {
  try {
    const response = await client.request({ params: { REQUEST_METHOD: 'GET', SCRIPT_FILENAME: join(root, script), SCRIPT_NAME: `/${script}` } });
    const chunks: Buffer[] = [];
    for await (const chunk of response.body) chunks.push(chunk as Buffer);
    await response.done;
    return Buffer.concat(chunks).toString();
  } catch (error) {
    if (!FastCgiError.is(error)) throw error;
    return error.code;
  }
}

describe.skipIf(!peers.available)(peers.title('reliability against php-fpm'), () => {
  it('gateway -> php-fpm: 240 mixed requests (bodies of 0, 10,000, 65,535, 65,536 and 99,000 bytes), 8 at a time, all intact', async () => {
    const root = scripts();
    const fpm = await php(root);
    const gateway: Gateway = createGateway({ upstream: fpm.address, documentRoot: root });
    const server: Server = createServer(gateway);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await gateway.close();
    });
    const port = (server.address() as AddressInfo).port;
    const sizes = [0, 10_000, 65_535, 65_536, 99_000];
    const bodies = sizes.map((size) => Buffer.from(Array.from({ length: size }, (_, index) => 65 + (index % 50))));
    const { createHash } = await import('node:crypto');
    let wrong = 0;
    for (let batch = 0; batch < 30; batch++) {
      const results = await Promise.all(Array.from({ length: 8 }, async (_, slot) => {
        const body = bodies[(batch + slot) % bodies.length] as Buffer;
        const result = await send(port, slot % 3 === 0 ? '/small.php' : '/echo.php', slot % 3 === 0 ? undefined : body);
        const expected = slot % 3 === 0 ? 'small' : `${body.length} ${createHash('md5').update(body).digest('hex')}`;
        return result.status === 200 && result.body === expected;
      }));
      wrong += results.filter((ok) => !ok).length;
    }
    expect(wrong).toBe(0);
  }, 60_000);

  it('php-fpm SIGKILLed under load: requests in flight fail with typed errors, none hangs; after a restart new requests succeed', async () => {
    const root = scripts();
    const fpm = await php(root);
    const port = fpm.port as number;
    const client = new Client({ address: fpm.address, connections: 4, headersTimeout: 5000, connectTimeout: 1000, queueTimeout: 5000 });
    cleanups.push(() => client.destroy());
    expect(await settle(client, root, 'small.php')).toBe('small');
    const inFlight = Array.from({ length: 12 }, () => settle(client, root, 'sleep.php'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    process.kill(-fpm.pid, 'SIGKILL');
    const started = Date.now();
    const outcomes = await Promise.all(inFlight);
    expect(Date.now() - started).toBeLessThan(6000);
    for (const outcome of outcomes) expect(outcome).toMatch(/^(slept|ERR_FCGI_[A-Z_]+)$/);
    expect(outcomes.filter((outcome) => outcome.startsWith('ERR_FCGI_')).length).toBeGreaterThan(0);
    // Nobody listens now: a clear error, fast.
    expect(await settle(client, root, 'small.php')).toMatch(/^ERR_FCGI_(CONNECT_FAILED|UPSTREAM_CLOSED)$/);
    await fpm.stop();
    await php(root, port);
    const after = await Promise.all(Array.from({ length: 8 }, () => settle(client, root, 'small.php')));
    expect(after).toEqual(Array.from({ length: 8 }, () => 'small'));
  }, 60_000);

  it('php-fpm saturated (1 worker, 300 ms scripts): the queue bound and the queue timeout hold, nothing hangs', async () => {
    const root = scripts();
    const fpm = await php(root, undefined, 1);
    const client = new Client({ address: fpm.address, connections: 1, maxQueue: 3, queueTimeout: 500 });
    cleanups.push(() => client.destroy());
    const started = Date.now();
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => settle(client, root, 'sleep.php')));
    expect(Date.now() - started).toBeLessThan(3000);
    const tally = (value: string): number => outcomes.filter((outcome) => outcome === value).length;
    // At most maxQueue (3) wait, plus the one starting on the connection (maybe still queued while it connects).
    expect(tally('ERR_FCGI_QUEUE_FULL')).toBeGreaterThanOrEqual(6);
    expect(tally('slept')).toBeGreaterThanOrEqual(1);
    expect(tally('ERR_FCGI_QUEUE_TIMEOUT')).toBeGreaterThanOrEqual(1);
    expect(tally('slept') + tally('ERR_FCGI_QUEUE_FULL') + tally('ERR_FCGI_QUEUE_TIMEOUT')).toBe(10);
  }, 30_000);
});
