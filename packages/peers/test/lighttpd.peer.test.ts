import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpPeer, type PhpFpmPeer, curl, requirePeers, startLighttpd, startPhpFpm, writeRunFile } from '../src/index.js';
import { startFailure } from './start-failure.js';

const peers = requirePeers('lighttpd', 'php-fpm', 'curl');

describe.skipIf(!peers.available)(peers.title('startLighttpd'), () => {
  let php: PhpFpmPeer | undefined;
  let lighttpd: HttpPeer | undefined;

  beforeAll(async () => {
    php = await startPhpFpm({ listen: 'unix', maxChildren: 1 });
    await writeRunFile(php.documentRoot, 'index.php', '<?php echo "php via lighttpd: ", $_SERVER["SCRIPT_NAME"];');
    lighttpd = await startLighttpd({
      documentRoot: php.documentRoot,
      config: `fastcgi.server = ( ".php" => (( "socket" => "${php.socketPath}", "check-local" => "disable" )) )`,
    });
  });

  afterAll(async () => {
    await lighttpd?.stop();
    await php?.stop();
  });

  it('proxies a request to php-fpm over a Unix socket with mod_fastcgi', async () => {
    const response = await curl(`${lighttpd!.url}/index.php`);
    expect(response.status, lighttpd!.logs()).toBe(200);
    expect(response.body.toString()).toBe('php via lighttpd: /index.php');
  });

  it('rejects a bad config with lighttpd\'s own error message', async () => {
    expect(await startFailure(startLighttpd({ config: 'server.port = ' }))).toMatch(/parser failed somehow/);
  });
});
