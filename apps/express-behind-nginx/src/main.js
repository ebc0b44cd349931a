#!/usr/bin/env node
// `pnpm --filter @fcgi/app-express-behind-nginx start`: an Express app over FastCGI behind nginx
// (fastcgi_keep_conn on, upstream keepalive). PORT (default 8082) is nginx's port,
// APP_PORT (default 9002) the FastCGI app's.
import { startSetup } from './setup.js';

const setup = await startSetup({ port: Number(process.env.PORT ?? 8082), appPort: Number(process.env.APP_PORT ?? 9002) });
let connections = 0;
setup.fastcgi.on('connection', () => console.log(`FastCGI connection #${++connections} from nginx`));

const url = setup.url;
console.log(`nginx on ${url} -> Express over FastCGI on ${setup.appAddress.host}:${setup.appAddress.port}
nginx's config: ${setup.nginx.runDirectory}/nginx.conf (from config/nginx.conf)
Try:
  curl ${url}/
  curl -H 'Content-Type: application/json' -d '{"text":"hi"}' ${url}/api/notes
  curl -L -c /tmp/jar -b /tmp/jar '${url}/login?name=ada'     # Set-Cookie, redirect to /me, cookie sent back
  curl -i ${url}/old-home                                      # 301
(New FastCGI connections are printed: with keep_conn they stay few.)
Ctrl-C stops nginx and the app.`);

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
