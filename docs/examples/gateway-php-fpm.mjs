// Node in front of php-fpm: an HTTP server that forwards *.php to the pool, as nginx would.
import { createServer } from 'node:http';
import { createGateway } from '@fcgi/client';

const gateway = createGateway({
  upstream: process.env.PHP_FPM ?? 'unix:/run/php/php8.2-fpm.sock', // the pool's `listen`
  documentRoot: process.env.DOCUMENT_ROOT ?? '/srv/www', // sets DOCUMENT_ROOT and SCRIPT_FILENAME
  index: 'index.php',
  onStderr: (line) => console.error(`php: ${line}`), // error_log() output arrives as STDERR
});
const http = createServer(gateway);
process.on('SIGTERM', () => http.close(() => gateway.close()));

if (process.env.FCGI_EXAMPLE_ONCE) {
  // Self-check: one HTTP request through the gateway, then exit.
  http.listen(0, '127.0.0.1', async () => {
    const response = await fetch(`http://127.0.0.1:${http.address().port}/index.php?x=1`);
    console.log(response.status, await response.text());
    http.close(() => gateway.close());
  });
} else {
  http.listen(8080, '127.0.0.1');
}
