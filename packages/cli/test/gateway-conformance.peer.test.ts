/** `fcgi gateway --root` and `fcgi conformance --profile php-fpm` against a real php-fpm (skipped, with the reason, when php-fpm is missing). */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type PhpFpmPeer, requirePeers, startPhpFpm } from '@fcgi/test-peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/index.js';
import { captureIo } from './support/io.js';
import { type FcgiProcess, freePort, spawnFcgi } from './support/serve-process.js';

const peers = requirePeers('php-fpm');

describe.skipIf(!peers.available)(peers.title('fcgi gateway and conformance against php-fpm'), () => {
  let php: PhpFpmPeer;

  beforeAll(async () => {
    php = await startPhpFpm({ listen: 'unix' });
    await writeFile(join(php.documentRoot, 'index.php'), "<?php header('Content-Type: text/plain'); echo 'php says ', $_SERVER['REQUEST_METHOD'], ' ', $_SERVER['SCRIPT_NAME'], ' ', file_get_contents('php://input');");
    await writeFile(join(php.documentRoot, 'readme.txt'), 'static text');
  });
  afterAll(async () => php?.stop());

  it('gateway --root: scripts through php-fpm, other files served statically', async () => {
    const port = await freePort();
    const gateway: FcgiProcess = spawnFcgi(['gateway', '--listen', `127.0.0.1:${port}`, '--upstream', php.address, '--root', php.documentRoot]);
    try {
      await gateway.waitForOutput(/listening on http:/);
      const script = await fetch(`http://127.0.0.1:${port}/index.php`, { method: 'POST', body: 'a=1' });
      expect([script.status, await script.text()]).toEqual([200, 'php says POST /index.php a=1']);
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('php says GET /index.php ');
      const text = await fetch(`http://127.0.0.1:${port}/readme.txt`);
      expect([text.status, text.headers.get('content-type'), await text.text()]).toEqual([200, 'text/plain; charset=utf-8', 'static text']);
      expect((await fetch(`http://127.0.0.1:${port}/nothing.php`)).status).toBe(404);
      gateway.child.kill('SIGTERM');
      expect(await gateway.exited).toBe(0);
    } finally {
      await gateway.kill();
    }
  });

  it('conformance --profile php-fpm: exits 0 with the known deviations marked, in under 90 s', async () => {
    const captured = captureIo();
    const started = performance.now();
    const status = await main(['conformance', php.address, '--profile', 'php-fpm', '--param', `SCRIPT_FILENAME=${join(php.documentRoot, 'index.php')}`], captured.io);
    expect(performance.now() - started).toBeLessThan(90_000);
    expect(captured.stdout()).toMatch(/^streams-ended\s+MUST\s+known deviation\s+/m);
    expect(captured.stdout()).toMatch(/^get-values\s+MUST\s+ok\b/m);
    expect(status).toBe(0);
  }, 90_000);
});
