import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpPeer, type PhpFpmPeer, curl, nginxFastcgiLocation, peerPath, requirePeers, startNginx, startPhpFpm, writeRunFile } from '../src/index.js';

const peers = requirePeers('php-fpm', 'nginx', 'curl', 'cgi-fcgi');
const script = '<?php header("Content-Type: text/plain"); error_log("to stderr"); echo "php ", $_SERVER["REQUEST_METHOD"], " ", $_SERVER["SCRIPT_NAME"];';

/** Runs cgi-fcgi against `address` with the CGI variables in its environment. */
async function cgiFcgi(address: string, variables: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
  const child = spawn(peerPath('cgi-fcgi'), ['-bind', '-connect', address], { env: variables, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await once(child, 'close');
  return { stdout, stderr };
}

describe.skipIf(!peers.available)(peers.title('startPhpFpm'), () => {
  let unixPhp: PhpFpmPeer | undefined;
  let tcpPhp: PhpFpmPeer | undefined;
  let nginx: HttpPeer | undefined;

  beforeAll(async () => {
    unixPhp = await startPhpFpm({ listen: 'unix', maxChildren: 1 });
    tcpPhp = await startPhpFpm({ maxChildren: 1 });
    await writeRunFile(unixPhp.documentRoot, 'index.php', script);
    await writeRunFile(tcpPhp.documentRoot, 'index.php', script);
    nginx = await startNginx({ server: `root ${unixPhp.documentRoot};\n${nginxFastcgiLocation({ pass: unixPhp.address })}` });
  });

  afterAll(async () => {
    await nginx?.stop();
    await unixPhp?.stop();
    await tcpPhp?.stop();
  });

  it('listens on a Unix socket and answers nginx', async () => {
    expect(unixPhp!.address).toMatch(/^unix:\/.*php-fpm\.sock$/);
    const response = await curl(`${nginx!.url}/index.php`);
    expect(response.status, nginx!.logs()).toBe(200);
    expect(response.body.toString()).toBe('php GET /index.php');
    expect(nginx!.logs()).toContain('PHP message: to stderr');
  });

  it('listens on a TCP port and answers cgi-fcgi, error_log() arriving as STDERR', async () => {
    expect(tcpPhp!.address).toBe(`127.0.0.1:${tcpPhp!.port}`);
    const result = await cgiFcgi(tcpPhp!.address, {
      REQUEST_METHOD: 'GET',
      SCRIPT_FILENAME: `${tcpPhp!.documentRoot}/index.php`,
      SCRIPT_NAME: '/index.php',
    });
    expect(result.stdout).toMatch(/^Content-type: text\/plain;charset=UTF-8\r?$/m);
    expect(result.stdout.endsWith('php GET /index.php')).toBe(true);
    expect(result.stderr).toContain('PHP message: to stderr');
  });
});
