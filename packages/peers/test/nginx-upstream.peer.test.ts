import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpPeer, type PhpFpmPeer, curl, requirePeers, startNginx, startPhpFpm } from '../src/index.js';
import { type CountingProxy, countingProxy } from './counting-proxy.js';

const peers = requirePeers('nginx', 'php-fpm', 'curl');
const requests = 10;

describe.skipIf(!peers.available)(peers.title('startNginx({ upstream, keepConn }) in front of startPhpFpm({ children, files })'), () => {
  let php: PhpFpmPeer | undefined;
  let kept: HttpPeer | undefined;
  let unkept: HttpPeer | undefined;
  // nginx -> counting proxy -> php-fpm: the proxy sees every FastCGI connection nginx opens.
  let keptProxy: CountingProxy | undefined;
  let unkeptProxy: CountingProxy | undefined;

  beforeAll(async () => {
    php = await startPhpFpm({
      listen: 'unix',
      children: 2,
      files: { 'index.php': '<?php echo "php ", $_SERVER["REQUEST_METHOD"], " ", $_SERVER["SCRIPT_FILENAME"], " ", $_GET["n"] ?? "";' },
    });
    keptProxy = await countingProxy(php.address);
    unkeptProxy = await countingProxy(php.address);
    kept = await startNginx({ upstream: keptProxy.address, documentRoot: php.documentRoot, keepConn: true });
    unkept = await startNginx({ upstream: unkeptProxy.address, root: php.documentRoot });
  }, 60_000);

  afterAll(async () => {
    await kept?.stop();
    await unkept?.stop();
    await keptProxy?.close();
    await unkeptProxy?.close();
    await php?.stop();
  });

  it('runs a PHP page, SCRIPT_FILENAME under the php-fpm document root', async () => {
    expect(php!.address).toMatch(/^unix:\//);
    const direct = await startNginx({ upstream: php! }); // a unix: upstream, the root taken from the peer
    try {
      const response = await curl(`${direct.url}/index.php?n=0`);
      expect(response.body.toString(), direct.logs()).toBe(`php GET ${php!.documentRoot}/index.php 0`);
    } finally {
      await direct.stop();
    }
    const response = await curl(`${kept!.url}/index.php?n=1`);
    expect(response.status, kept!.logs()).toBe(200);
    expect(response.body.toString()).toBe(`php GET ${php!.documentRoot}/index.php 1`);
    const other = await curl(`${unkept!.url}/index.php?n=2`);
    expect(other.body.toString(), unkept!.logs()).toBe(`php GET ${php!.documentRoot}/index.php 2`);
  });

  it('keepConn: many requests share one FastCGI connection', async () => {
    const before = keptProxy!.connections;
    for (let index = 0; index < requests; index += 1) {
      const response = await curl(`${kept!.url}/index.php?n=${index}`);
      expect(response.body.toString()).toBe(`php GET ${php!.documentRoot}/index.php ${index}`);
    }
    // One nginx worker sending one request at a time reuses its kept connection.
    expect(keptProxy!.connections - before, kept!.logs()).toBeLessThanOrEqual(1);
  });

  it('without keepConn: one FastCGI connection per request (nginx default)', async () => {
    const before = unkeptProxy!.connections;
    for (let index = 0; index < requests; index += 1) expect((await curl(`${unkept!.url}/index.php?n=${index}`)).status).toBe(200);
    expect(unkeptProxy!.connections - before).toBe(requests);
  });

  it('stops cleanly: the process is gone, the run directory removed, a second stop does nothing', async () => {
    const extra = await startNginx({ upstream: php!, keepConn: 1 });
    expect((await curl(`${extra.url}/index.php`)).status).toBe(200);
    await Promise.all([extra.stop(), extra.stop()]);
    expect(() => process.kill(extra.pid, 0)).toThrow();
    expect(existsSync(extra.runDirectory)).toBe(false);
    await extra.stop();
  });
});
