import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpPeer, type PhpFpmPeer, curl, requirePeers, startHaproxy, startPhpFpm, writeRunFile } from '../src/index.js';
import { startFailure } from './start-failure.js';

const peers = requirePeers('haproxy', 'php-fpm', 'curl');

describe.skipIf(!peers.available)(peers.title('startHaproxy'), () => {
  let php: PhpFpmPeer | undefined;
  let haproxy: HttpPeer | undefined;

  beforeAll(async () => {
    php = await startPhpFpm({ maxChildren: 1 });
    await writeRunFile(php.documentRoot, 'index.php', '<?php echo "php via haproxy: ", $_SERVER["SCRIPT_FILENAME"];');
    haproxy = await startHaproxy({
      defaultBackend: 'php',
      config: `fcgi-app php
  docroot ${php.documentRoot}

backend php
  use-fcgi-app php
  # HAProxy keeps php-fpm connections open (pinning a worker) and, with the default
  # 'safe' reuse, never gives a new client connection's first request an idle one.
  http-reuse always
  server php1 127.0.0.1:${php.port} proto fcgi
`,
    });
  });

  afterAll(async () => {
    await haproxy?.stop();
    await php?.stop();
  });

  it('proxies a request to php-fpm with an fcgi-app backend', async () => {
    const response = await curl(`${haproxy!.url}/index.php`);
    expect(response.status, haproxy!.logs()).toBe(200);
    expect(response.body.toString()).toBe(`php via haproxy: ${php!.documentRoot}/index.php`);
  });

  it('logs requests to stderr, kept in logs()', async () => {
    await curl(`${haproxy!.url}/index.php?logged=1`);
    await expect.poll(() => haproxy!.logs(), { timeout: 5000 }).toContain('GET /index.php?logged=1');
  });

  it('rejects a bad config with HAProxy\'s own error message', async () => {
    expect(await startFailure(startHaproxy({ config: 'backend broken\n  no-such-keyword\n' }))).toMatch(/no-such-keyword/);
  });
});
