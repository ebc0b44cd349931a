import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { type HttpPeer, type PhpFpmPeer, requirePeers, startNginx, startPhpFpm } from '@fcgi/test-peers';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedUploadMd5, installPhpApp, nginxPhpServer, phpIni, runPhpRequests } from '../../express/test/php-comparison.js';
import { fastcgi } from '../src/index.js';

const peers = requirePeers('nginx', 'php-fpm');

describe.skipIf(!peers.available)(peers.title('Fastify fastcgi plugin -> php-fpm, compared with nginx -> php-fpm'), () => {
  let php: PhpFpmPeer | undefined;
  let nginx: HttpPeer | undefined;
  let fastify: FastifyInstance | undefined;
  let fastifyBase = '';

  const sessions = mkdtempSync(join(tmpdir(), 'fcgi-sessions-'));

  beforeAll(async () => {
    php = await startPhpFpm({ maxChildren: 3, ini: phpIni(sessions) });
    installPhpApp(php.documentRoot);
    nginx = await startNginx({ server: nginxPhpServer(php.documentRoot, php.address) });
    const documentRoot = php.documentRoot;
    fastify = Fastify();
    await fastify.register(fastcgi, { upstream: php.address, documentRoot, prefix: '/', frontController: 'index.php' });
    // Static files: what the plugin hands back (existing non-script files) is served here.
    fastify.setNotFoundHandler(async (request, reply) => {
      const path = join(documentRoot, normalize(decodeURIComponent(request.url.split('?')[0] ?? '/')));
      const file = await stat(path).catch(() => undefined);
      if (file?.isFile() !== true || path.endsWith('.php')) return reply.code(404).send('not found');
      return reply.type(path.endsWith('.css') ? 'text/css' : 'application/octet-stream').send(createReadStream(path));
    });
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    fastifyBase = `http://127.0.0.1:${(fastify.server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await fastify?.close();
    await nginx?.stop();
    await php?.stop();
    rmSync(sessions, { recursive: true, force: true });
  });

  it('answers routes, forms, uploads, cookies, redirects and sessions as nginx does', async () => {
    const throughNginx = await runPhpRequests(nginx!.url);
    const throughFastify = await runPhpRequests(fastifyBase);
    expect(throughNginx.upload?.body, nginx!.logs()).toContain(expectedUploadMd5);
    expect(throughNginx.account?.body).toBe('{"user":"alice","theme":"dark"}');
    expect(throughFastify).toEqual(throughNginx);
  });
});
