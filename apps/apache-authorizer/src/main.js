#!/usr/bin/env node
// `pnpm --filter @fcgi/app-apache-authorizer start [-- --server apache|lighttpd|both]`:
// Apache httpd (mod_authnz_fcgi) and/or lighttpd (mod_fastcgi, "mode" => "authorizer")
// asking a Node FastCGI authorizer about every request under /private/ and /api/.
// --server (or WEB_SERVER) defaults to `auto`: every one of the two that is installed.
// PORT (default 8081) is Apache's port, LIGHTTPD_PORT (default 8083) lighttpd's, APP_PORT
// (default 9001) the Node app's; 0 picks a free one.
import { parseArgs } from 'node:util';
import { demoTokens } from './auth-app.js';
import { chooseServers, startSetup } from './setup.js';

const args = process.argv.slice(2).filter((arg) => arg !== '--'); // `pnpm start -- --server x` may pass the `--` on
const { values } = parseArgs({ args, options: { server: { type: 'string', default: process.env.WEB_SERVER ?? 'auto' } } });
let servers;
try {
  servers = chooseServers(values.server);
} catch (error) {
  console.error(`apache-authorizer: ${error.message}`);
  process.exit(2);
}

const setup = await startSetup({
  servers,
  port: Number(process.env.PORT ?? 8081),
  lighttpdPort: Number(process.env.LIGHTTPD_PORT ?? 8083),
  appPort: Number(process.env.APP_PORT ?? 9001),
  log: (line) => console.log(line),
});
const [aliceToken, bobToken] = Object.keys(demoTokens);
const app = `${setup.nodeApp.host}:${setup.nodeApp.port}`;

function tryLines(url) {
  return `  curl -i ${url}/                                                    # public
  curl -i ${url}/private/report.txt                                  # 401: no token
  curl -i -H 'Authorization: Bearer ${aliceToken}' ${url}/private/report.txt  # 200
  curl -H 'Authorization: Bearer ${aliceToken}' ${url}/api/whoami               # the Node API sees AUTH_USER, AUTH_TEAM
  curl -i -H 'Authorization: Bearer ${bobToken}' ${url}/api/admin/stats         # 403: guests may not`;
}

const sections = [];
if (setup.apache !== undefined) {
  sections.push(`Apache on ${setup.apache.url} -> Node FastCGI authorizer and API on ${app}
Apache's config: ${setup.apache.runDirectory}/httpd.conf (from config/httpd.conf)
Try (X-Auth-User: alice on the allowed file):
${tryLines(setup.apache.url)}`);
}
if (setup.lighttpd !== undefined) {
  sections.push(`lighttpd on ${setup.lighttpd.url} -> Node FastCGI authorizer and API on ${app}
lighttpd's config: ${setup.lighttpd.runDirectory}/lighttpd.conf (from config/lighttpd.conf)
Try:
${tryLines(setup.lighttpd.url)}`);
}
console.log(`${sections.join('\n\n')}
Ctrl-C stops ${servers.map((name) => (name === 'apache' ? 'Apache' : name)).join(', ')} and the Node app.`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    setup.stop().then(() => process.exit(0), (error) => {
      console.error(error);
      process.exit(1);
    });
  });
}
