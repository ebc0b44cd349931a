/**
 * The soak's second target: gateway (node:http) -> @fcgi/client -> a real php-fpm (static
 * pool), started through @fcgi/peers, with three small scripts: `hello.php`,
 * `echo.php` (the body's length and MD5) and `stream.php` (a streamed response, flushed
 * in 16 KiB pieces). Every reply is checked byte for byte.
 *
 * When php-fpm is not installed the soak runs without it and says so; under
 * `FCGI_REQUIRE_PEERS=1` a missing php-fpm is an error instead.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, type Server as HttpServer, createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, type Gateway, createGateway } from '@fcgi/client';
import { PeerMissingError, type PhpFpmPeer, locatePeer, peersRequired, startPhpFpm } from '@fcgi/peers';
import { httpExchange } from './soak-http.js';
import { treeUsage } from './soak-metrics.js';

/** php-fpm's workers (`pm = static`); the gateway keeps as many connections. */
export const PHP_CHILDREN = 4;

/** KiB that `stream.php` sends in the soak, in 16 KiB flushed pieces. */
export const PHP_STREAM_KIB = 256;

const streamPiece = '0123456789abcdef'.repeat(1024);
const expectedStream = Buffer.from(streamPiece.repeat(PHP_STREAM_KIB / 16));

const scripts: Readonly<Record<string, string>> = {
  'hello.php': "<?php echo 'hello';",
  'echo.php': "<?php $body = file_get_contents('php://input'); echo strlen($body), ' ', md5($body);",
  'stream.php': `<?php $piece = str_repeat('0123456789abcdef', 1024); $pieces = intdiv((int) ($_GET['kib'] ?? 16), 16); for ($index = 0; $index < $pieces; $index++) { echo $piece; flush(); }`,
};

/**
 * Whether php-fpm can join the soak: `{ available: true }`, or why not. Throws
 * `PeerMissingError` when it is missing and `FCGI_REQUIRE_PEERS=1`.
 *
 * @example
 * ```ts
 * phpFpmAvailability(); // { available: false, reason: 'php-fpm (php-fpm8.2) not found ...' }
 * ```
 */
export function phpFpmAvailability(): { available: boolean; reason: string } {
  const binary = locatePeer('php-fpm');
  if (!binary.available && peersRequired()) throw new PeerMissingError([binary]);
  return { available: binary.available, reason: binary.reason };
}

/** A started php-fpm with its gateway in front. */
export interface PhpTarget {
  fpm: PhpFpmPeer;
  client: Client;
  gateway: Gateway;
  http: HttpServer;
  httpPort: number;
  agent: Agent;
  documentRoot: string;
}

/**
 * Starts php-fpm (static pool of {@link PHP_CHILDREN}, output buffering off) and a gateway
 * in front of it on loopback.
 *
 * @example
 * ```ts
 * const target = await startPhpTarget();
 * await sendPhpRequest(target, 'php-echo', 1); // 'ok'
 * await stopPhpTarget(target);
 * ```
 */
export async function startPhpTarget(): Promise<PhpTarget> {
  const documentRoot = mkdtempSync(join(tmpdir(), 'fcgi-soak-php-'));
  for (const [name, text] of Object.entries(scripts)) writeFileSync(join(documentRoot, name), text);
  const fpm = await startPhpFpm({ documentRoot, maxChildren: PHP_CHILDREN, ini: 'output_buffering = 0' });
  // The master listens before it has forked every worker: measure the pool only once it is whole.
  for (let waited = 0; treeUsage(fpm.pid).processes < PHP_CHILDREN + 1 && waited < 10_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
  const client = new Client({ address: fpm.address, connections: PHP_CHILDREN, headersTimeout: 10_000, bodyTimeout: 10_000 });
  const gateway = createGateway({ upstream: client, documentRoot });
  const http = createHttpServer(gateway);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  return { fpm, client, gateway, http, httpPort: (http.address() as AddressInfo).port, agent, documentRoot };
}

/**
 * Closes the gateway and its client (php-fpm keeps running, to be measured without
 * connections).
 *
 * @example
 * ```ts
 * await closePhpGateway(target);
 * ```
 */
export async function closePhpGateway(target: PhpTarget): Promise<void> {
  target.agent.destroy();
  target.http.closeAllConnections();
  await new Promise((resolve) => target.http.close(resolve));
  await target.client.close();
}

/**
 * Closes the gateway, its client and php-fpm, and removes the scripts.
 *
 * @example
 * ```ts
 * await stopPhpTarget(target);
 * ```
 */
export async function stopPhpTarget(target: PhpTarget): Promise<void> {
  await closePhpGateway(target);
  await target.fpm.stop();
  rmSync(target.documentRoot, { recursive: true, force: true });
}

/** The php-fpm request kinds of the mix. */
export type PhpRequestKind = 'php-hello' | 'php-echo' | 'php-chunked' | 'php-stream';

const echoBodies = [0, 10_000, 65_536, 99_000].map((size) => Buffer.from(Array.from({ length: size }, (_, index) => 65 + (index % 50))));
const echoAnswers = echoBodies.map((body) => `${body.length} ${createHash('md5').update(body).digest('hex')}`);

function expect(result: { status: number; body: Buffer }, body: string | Buffer): string {
  if (result.status !== 200) return result.status >= 500 ? `HTTP_${result.status}` : `WRONG_STATUS_${result.status}`;
  return result.body.equals(typeof body === 'string' ? Buffer.from(body) : body) ? 'ok' : 'WRONG_BODY';
}

/**
 * Sends one php-fpm request of `kind` through the gateway; resolves to 'ok' or the code
 * of what went wrong (`HTTP_5xx`, `WRONG_BODY`, a socket error code...).
 *
 * @example
 * ```ts
 * await sendPhpRequest(target, 'php-stream', 7); // 'ok'
 * ```
 */
export async function sendPhpRequest(target: PhpTarget, kind: PhpRequestKind, sequence: number): Promise<string> {
  const port = target.httpPort;
  const agent = target.agent;
  const which = sequence % echoBodies.length;
  try {
    switch (kind) {
      case 'php-hello': return expect(await httpExchange({ port, agent, path: `/hello.php?n=${sequence}` }), 'hello');
      case 'php-echo': return expect(await httpExchange({ port, agent, path: '/echo.php', body: echoBodies[which] }), echoAnswers[which] as string);
      case 'php-chunked': return expect(await httpExchange({ port, agent, path: '/echo.php', body: echoBodies[which], chunked: true }), echoAnswers[which] as string);
      case 'php-stream': return expect(await httpExchange({ port, agent, path: `/stream.php?kib=${PHP_STREAM_KIB}` }), expectedStream);
    }
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? code : `ERROR ${String(error)}`;
  }
}
