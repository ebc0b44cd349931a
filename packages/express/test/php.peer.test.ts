import { type Server, createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type HttpPeer, type PhpFpmPeer, requirePeers, startNginx, startPhpFpm } from '@fcgi/test-peers';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FastCgiMiddleware, fastcgi } from '../src/index.js';
import { expectedUploadMd5, installPhpApp, nginxPhpServer, phpIni, runPhpRequests } from './php-comparison.js';

const peers = requirePeers('nginx', 'php-fpm');

describe.skipIf(!peers.available)(peers.title('Express fastcgi() -> php-fpm, compared with nginx -> php-fpm'), () => {
  let php: PhpFpmPeer | undefined;
  let nginx: HttpPeer | undefined;
  let http: Server | undefined;
  let middleware: FastCgiMiddleware | undefined;
  let expressBase = '';

  const sessions = mkdtempSync(join(tmpdir(), 'fcgi-sessions-'));

  beforeAll(async () => {
    php = await startPhpFpm({ maxChildren: 3, ini: phpIni(sessions) });
    installPhpApp(php.documentRoot);
    nginx = await startNginx({ server: nginxPhpServer(php.documentRoot, php.address) });
    middleware = fastcgi({ upstream: php.address, documentRoot: php.documentRoot, frontController: 'index.php' });
    const app = express();
    app.use(middleware);
    app.use(express.static(php.documentRoot, { index: false }));
    http = createServer(app);
    await new Promise<void>((resolve) => http!.listen(0, '127.0.0.1', resolve));
    expressBase = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    if (http !== undefined) await new Promise((resolve) => http!.close(resolve));
    await middleware?.close();
    await nginx?.stop();
    await php?.stop();
    rmSync(sessions, { recursive: true, force: true });
  });

  it('answers routes, forms, uploads, cookies, redirects and sessions as nginx does', async () => {
    const throughNginx = await runPhpRequests(nginx!.url);
    const throughExpress = await runPhpRequests(expressBase);
    expect(throughNginx.upload?.body, nginx!.logs()).toContain(expectedUploadMd5);
    expect(throughNginx.account?.body).toBe('{"user":"alice","theme":"dark"}');
    expect(throughNginx.pretty?.body).toBe('Hello, world! q=1\n');
    expect(throughNginx.static).toMatchObject({ status: 200, type: 'text/css', script: undefined });
    expect(throughExpress).toEqual(throughNginx);
  });

  it('never serves PHP source as a static file', async () => {
    const { fetchFrom } = await import('./php-comparison.js');
    const answer = await fetchFrom(expressBase, '/index.php');
    expect(answer.body.toString()).toBe('home\n');
    expect(join(php!.documentRoot, 'index.php')).toMatch(/index\.php$/);
  });
});
