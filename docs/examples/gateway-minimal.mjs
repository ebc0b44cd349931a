// php-fpm behind a node:http server, mapped as nginx's fastcgi_params do.
import { createServer } from 'node:http';
import { createGateway } from '@fcgi/client';

const gateway = createGateway({
  upstream: process.env.PHP_FPM ?? '127.0.0.1:9000',
  documentRoot: process.env.DOCUMENT_ROOT ?? '/srv/www',
  index: 'index.php',
});
const http = createServer(gateway).listen(process.env.PORT ?? 8080);
process.on('SIGTERM', () => http.close(() => gateway.close()));
