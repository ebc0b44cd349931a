#!/usr/bin/env node
// `pnpm --filter @fcgi/app-node-in-front-of-php start`: Fastify serving its own API routes
// and a small PHP site through php-fpm with the @fcgi/fastify plugin; without php-fpm a
// Node FastCGI app stands in for PHP (one line says so).
// PORT (default 8080; 0 for any free port) and HOST (default 127.0.0.1): where Fastify listens.
// `--once` (or FCGI_EXAMPLE_ONCE=1): send a few requests, print them, stop, exit 0 if all passed.
import { runChecks } from './once.js';
import { startSite } from './site.js';

const once = process.argv.includes('--once') || process.env.FCGI_EXAMPLE_ONCE === '1';
const site = await startSite({
  host: process.env.HOST ?? '127.0.0.1',
  port: Number(process.env.PORT ?? (once ? 0 : 8080)),
  log: once ? undefined : (line) => console.log(line),
});

const url = site.url;
console.log(site.backend.note
  ? `note: ${site.backend.note}.`
  : `PHP: php-fpm pool at ${site.backend.address} (started by this app, pm static, ${site.workers} workers)`);
console.log(`Fastify on ${url}
  Fastify's own routes:  ${url}/api/health  ${url}/api/time  ${url}/assets/style.css
  the PHP site:          ${url}/  ${url}/hello/ada  ${url}/guestbook  ${url}/old-home`);

if (once) {
  const passed = await runChecks(url, (line) => console.log(`  ${line}`));
  await site.stop();
  process.exit(passed ? 0 : 1);
}

console.log(`Try:
  curl -c /tmp/jar -b /tmp/jar ${url}/                                   # PHP session: the visit count grows
  curl -i -c /tmp/jar -b /tmp/jar -d 'name=Ada&message=hi' ${url}/guestbook   # 303 to /guestbook
Ctrl-C stops Fastify and ${site.backend.name}.`);

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
