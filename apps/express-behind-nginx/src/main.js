#!/usr/bin/env node
// `pnpm --filter @fcgi/app-express-behind-nginx start`: an Express app over FastCGI behind nginx
// (fastcgi_keep_conn on, upstream keepalive), or behind `fcgi gateway` when nginx is not
// installed (or hidden: FCGI_HIDE_PEERS=nginx). PORT (default 8082) is the front's port,
// APP_PORT (default 9002) the FastCGI app's.
import { startSetup } from './setup.js';

const setup = await startSetup({ port: Number(process.env.PORT ?? 8082), appPort: Number(process.env.APP_PORT ?? 9002) });
let connections = 0;
setup.fastcgi.on('connection', () => console.log(`FastCGI connection #${++connections} from ${setup.front.name}`));

const url = setup.url;
const app = `${setup.appAddress.host}:${setup.appAddress.port}`;
const front = setup.nginx !== undefined
  ? `nginx on ${url} -> Express over FastCGI on ${app}
nginx's config: ${setup.nginx.runDirectory}/nginx.conf (from config/nginx.conf)`
  : `${setup.front.reason}: using the embedded default instead.
fcgi gateway on ${url} -> Express over FastCGI on ${app}
Started as: ${setup.front.gateway.command}`;
console.log(`${front}
Try:
  curl ${url}/
  curl -H 'Content-Type: application/json' -d '{"text":"hi"}' ${url}/api/notes
  curl -L -c /tmp/jar -b /tmp/jar '${url}/login?name=ada'     # Set-Cookie, redirect to /me, cookie sent back
  curl -i ${url}/old-home                                      # 301
(New FastCGI connections are printed: with keep_conn they stay few.)
Ctrl-C stops ${setup.front.name} and the app.`);

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
