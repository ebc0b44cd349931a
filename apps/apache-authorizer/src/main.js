#!/usr/bin/env node
// `pnpm --filter @fcgi/app-apache-authorizer start`: Apache httpd (mod_authnz_fcgi) asking a
// Node FastCGI authorizer about every request under /private/ and /api/.
// PORT (default 8081) is Apache's port, APP_PORT (default 9001) the Node app's.
import { demoTokens } from './auth-app.js';
import { startSetup } from './setup.js';

const setup = await startSetup({
  port: Number(process.env.PORT ?? 8081),
  appPort: Number(process.env.APP_PORT ?? 9001),
  log: (line) => console.log(line),
});
const [aliceToken, bobToken] = Object.keys(demoTokens);

console.log(`Apache on ${setup.url} -> Node FastCGI authorizer and API on ${setup.nodeApp.host}:${setup.nodeApp.port}
Apache's config: ${setup.apache.runDirectory}/httpd.conf (from config/httpd.conf)
Try:
  curl -i ${setup.url}/                                                    # public
  curl -i ${setup.url}/private/report.txt                                  # 401: no token
  curl -i -H 'Authorization: Bearer ${aliceToken}' ${setup.url}/private/report.txt  # 200, X-Auth-User: alice
  curl -H 'Authorization: Bearer ${aliceToken}' ${setup.url}/api/whoami               # the Node API sees AUTH_USER, AUTH_TEAM
  curl -i -H 'Authorization: Bearer ${bobToken}' ${setup.url}/api/admin/stats         # 403: guests may not
Ctrl-C stops Apache and the Node app.`);

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
