import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpPeer, type PhpFpmPeer, curl, requirePeers, startApache, startPhpFpm, writeRunFile } from '../src/index.js';
import { startFailure } from './start-failure.js';

const peers = requirePeers('apache', 'php-fpm', 'curl');

describe.skipIf(!peers.available)(peers.title('startApache'), () => {
  let php: PhpFpmPeer | undefined;
  let apache: HttpPeer | undefined;

  beforeAll(async () => {
    php = await startPhpFpm({ maxChildren: 1 });
    await writeRunFile(php.documentRoot, 'index.php', '<?php echo "php via apache: ", $_SERVER["SCRIPT_FILENAME"];');
    const upstream = `fcgi://127.0.0.1:${php.port}`;
    apache = await startApache({
      documentRoot: php.documentRoot,
      // mod_authnz_fcgi is loaded: this directive is a config error without it.
      config: `AuthnzFcgiDefineProvider authz fcgi-check ${upstream}/
<FilesMatch "\\.php$">
  SetHandler "proxy:${upstream}"
</FilesMatch>
ProxyFCGIBackendType GENERIC`,
    });
  });

  afterAll(async () => {
    await apache?.stop();
    await php?.stop();
  });

  it('proxies a request to php-fpm with mod_proxy_fcgi', async () => {
    const response = await curl(`${apache!.url}/index.php`);
    expect(response.status, apache!.logs()).toBe(200);
    expect(response.body.toString()).toBe(`php via apache: ${php!.documentRoot}/index.php`);
  });

  it('rejects a bad config with Apache\'s own error message', async () => {
    expect(await startFailure(startApache({ config: 'NoSuchDirective on' }))).toMatch(/Invalid command 'NoSuchDirective'/);
  });
});
