// Real nginx in front of real php-fpm with @fcgi/peers: generated configs, free ports, clean stops.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePeers, startNginx, startPhpFpm } from '@fcgi/peers';

const peers = requirePeers('nginx', 'php-fpm'); // missing: skip, or fail under FCGI_REQUIRE_PEERS=1

describe.skipIf(!peers.available)(peers.title('nginx -> php-fpm'), () => {
  let php, nginx;
  beforeAll(async () => {
    php = await startPhpFpm({ children: 2, files: { 'index.php': '<?php echo "hello ", $_GET["name"];' } });
    nginx = await startNginx({ upstream: php, keepConn: true }); // root: php.documentRoot
  });
  afterAll(async () => {
    await nginx?.stop();
    await php?.stop();
  });

  it('runs PHP behind nginx', async () => {
    const response = await fetch(`${nginx.url}/index.php?name=ada`);
    expect(await response.text()).toBe('hello ada');
  });
});
