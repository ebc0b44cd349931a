/**
 * Interop with libfcgi's reference client: `cgi-fcgi -bind -connect` sends PARAMS and STDIN
 * cut into 8184-byte records regardless of pair boundaries.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findExecutable, peersRequired } from '@fcgi/test-peers';
import { type FastCgiServer, createServer } from '../src/index.js';

const cgiFcgi = findExecutable('cgi-fcgi');
if (cgiFcgi === undefined && peersRequired()) throw new Error('cgi-fcgi (libfcgi-bin) is required by FCGI_REQUIRE_PEERS=1 but was not found');

async function run(address: string, env: Record<string, string>, body: Buffer): Promise<{ code: number | null; stdout: Buffer }> {
  const child = spawn(cgiFcgi!, ['-bind', '-connect', address], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stdin.end(body);
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout: Buffer.concat(chunks) };
}

describe.skipIf(cgiFcgi === undefined)('cgi-fcgi (libfcgi) -> @fcgi/server', () => {
  let server: FastCgiServer;
  let address: string;

  beforeAll(async () => {
    server = createServer(async (req, res) => {
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of req) {
        hash.update(chunk as Buffer);
        size += (chunk as Buffer).length;
      }
      res.setHeader('Content-Type', 'text/plain');
      res.end(`${req.method} ${req.url} ${String(req.headers['x-long']?.length)} ${size} ${hash.digest('hex')}`);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server?.closeAllConnections();
    if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('serves a POST whose params and body span many records', async () => {
    const body = Buffer.alloc(100_000, 5);
    const long = 'v'.repeat(20_000);
    const { code, stdout } = await run(address, { REQUEST_METHOD: 'POST', REQUEST_URI: '/libfcgi?x=1', CONTENT_LENGTH: String(body.length), HTTP_X_LONG: long }, body);
    expect(code).toBe(0);
    const text = stdout.toString('latin1');
    expect(text.startsWith('Status: 200 OK\r\n')).toBe(true);
    expect(text.slice(text.indexOf('\r\n\r\n') + 4)).toBe(`POST /libfcgi?x=1 20000 ${body.length} ${createHash('sha256').update(body).digest('hex')}`);
  });
});
