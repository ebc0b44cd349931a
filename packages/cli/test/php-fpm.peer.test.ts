/** `fcgi request`, `ping` and `values` against a real php-fpm (skipped, with the reason, when php-fpm is missing). */
import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { concatBytes, encodeParams, encodeRecord } from '@fcgi/codec';
import { type PhpFpmPeer, requirePeers, startPhpFpm } from '@fcgi/test-peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/index.js';
import { captureIo } from './support/io.js';

const peers = requirePeers('php-fpm');

const scripts: Record<string, string> = {
  'hello.php': "<?php header('Content-Type: text/plain'); echo 'Hello from PHP';",
  'echo.php': "<?php header('Content-Type: application/json'); echo json_encode(['method' => $_SERVER['REQUEST_METHOD'], 'body' => file_get_contents('php://input'), 'type' => $_SERVER['CONTENT_TYPE'] ?? null, 'query' => $_SERVER['QUERY_STRING'], 'info' => $_SERVER['PATH_INFO'] ?? null, 'x' => $_SERVER['HTTP_X_TEST'] ?? null]);",
  'stderr.php': "<?php error_log('note to stderr'); echo 'ok';",
  'teapot.php': "<?php http_response_code(418); echo 'short and stout';",
};

async function fcgi(argv: string[], stdin?: readonly Uint8Array[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const captured = captureIo(stdin === undefined ? {} : { stdin });
  const status = await main(argv, captured.io);
  return { status, stdout: captured.stdout(), stderr: captured.stderr() };
}

describe.skipIf(!peers.available)(peers.title('fcgi against php-fpm'), () => {
  let php: PhpFpmPeer;

  beforeAll(async () => {
    php = await startPhpFpm({ listen: 'unix' });
    await Promise.all(Object.entries(scripts).map(([name, source]) => writeFile(join(php.documentRoot, name), source)));
  });
  afterAll(async () => php?.stop());

  it('requests a script with --root and prints head and body with --include', async () => {
    const result = await fcgi(['request', php.address, '/hello.php', '--root', php.documentRoot, '--include']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n(.+\r\n)*Content-type: text\/plain;charset=UTF-8\r\n(.+\r\n)*\r\nHello from PHP$/);
  });

  it('posts standard input with headers, query and PATH_INFO', async () => {
    const result = await fcgi(['request', php.address, '/echo.php/extra?a=1', '--root', php.documentRoot, '--body', '-', '-H', 'Content-Type: text/plain', '-H', 'X-Test: yes'], [Buffer.from('posted body')]);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ method: 'POST', body: 'posted body', type: 'text/plain', query: 'a=1', info: '/extra', x: 'yes' });
  });

  it('passes PHP\'s STDERR to stderr', async () => {
    const result = await fcgi(['request', php.address, '/stderr.php', '--root', php.documentRoot]);
    expect(result).toMatchObject({ status: 0, stdout: 'ok' });
    expect(result.stderr).toContain('note to stderr');
  });

  it('exits 22 with --fail on an error status, and 0 without it', async () => {
    expect(await fcgi(['request', php.address, '/teapot.php', '--root', php.documentRoot])).toMatchObject({ status: 0, stdout: 'short and stout' });
    const failed = await fcgi(['request', php.address, '/teapot.php', '--root', php.documentRoot, '--fail']);
    expect(failed).toMatchObject({ status: 22, stdout: '' });
    expect(failed.stderr).toMatch(/^fcgi request: the app answered 418 [^\n]+\n$/);
  });

  it('pings php-fpm\'s ping.path and expects pong', async () => {
    const result = await fcgi(['ping', php.address, '--expect', 'pong']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^fcgi ping: ok, .+ answered 200 OK in \d+ ms\n$/);
  });

  it('prints php-fpm\'s GET_VALUES answer', async () => {
    const result = await fcgi(['values', php.address]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('FCGI_MPXS_CONNS=0\n');
    expect(result.stdout).toMatch(/^(FCGI_[A-Z_]+=\d+\n)+$/);
  });

  it('decodes a real php-fpm response capture, one line per record', async () => {
    const request = concatBytes([
      encodeRecord({ type: 1, requestId: 1, role: 1, keepConn: false }),
      encodeRecord({ type: 4, requestId: 1, content: encodeParams({ REQUEST_METHOD: 'GET', SCRIPT_FILENAME: join(php.documentRoot, 'stderr.php'), SCRIPT_NAME: '/stderr.php', QUERY_STRING: '' }) }),
      encodeRecord({ type: 4, requestId: 1, content: new Uint8Array(0) }),
      encodeRecord({ type: 5, requestId: 1, content: new Uint8Array(0) }),
    ]);
    const capture = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const socket = connect(php.socketPath!, () => socket.write(request));
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('error', reject);
      socket.on('close', () => resolve(Buffer.concat(chunks)));
    });
    const result = await fcgi(['decode', '-'], [capture]);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines.some((line) => /^STDERR +id=1 len=\d+ pad=\d+ {2}".*note to stderr/.test(line))).toBe(true);
    expect(lines.some((line) => /^STDOUT +id=1 len=\d+ pad=\d+ {2}".*ok"$/.test(line))).toBe(true);
    expect(lines.at(-1)).toMatch(/^END_REQUEST +id=1 len=8 pad=0 {2}appStatus=0 protocolStatus=REQUEST_COMPLETE$/);
  });
});
