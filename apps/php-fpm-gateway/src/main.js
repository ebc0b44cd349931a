#!/usr/bin/env node
// `pnpm --filter @fcgi/app-php-fpm-gateway start`: php-fpm behind a Node HTTP gateway.
// PORT (default 8080) and HOST (default 127.0.0.1) choose where Node listens;
// PHP_FPM_ADDRESS (`127.0.0.1:9000`, `unix:/run/php/php8.2-fpm.sock`) uses a running pool
// instead of starting one (it must see this app's site/ directory at the same path).
import { siteDirectory, startSite } from './site-server.js';

const site = await startSite({
  host: process.env.HOST ?? '127.0.0.1',
  port: Number(process.env.PORT ?? 8080),
  phpFpmAddress: process.env.PHP_FPM_ADDRESS || undefined,
  log: (line) => console.log(line),
});

console.log(`Node gateway on ${site.url} -> php-fpm at ${site.phpFpmAddress}${site.phpFpm ? ' (a pool started by this app)' : ''}
Site: ${siteDirectory}
Try:
  curl ${site.url}/                                  # index.php, the front controller
  curl ${site.url}/blog/hello-world                  # a pretty URL: PATH_INFO=/blog/hello-world
  curl -d 'name=Ada&message=hi' ${site.url}/contact  # a form POST
  curl -I ${site.url}/assets/style.css               # a static file, served by Node
  curl -i '${site.url}/index.php/PHP%0Ais_the_shittiest_lang.php'  # CVE-2019-11043: 404, never reaches PHP
Ctrl-C stops the gateway and php-fpm.`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    site.stop().then(() => process.exit(0), (error) => {
      console.error(error);
      process.exit(1);
    });
  });
}
