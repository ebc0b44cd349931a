// Forwarder: php-fpm answers the scripts, your own handler everything else.
import { createServer } from 'node:http';
import { Forwarder } from '@fcgi/client';

const php = new Forwarder({
  upstream: process.env.PHP_FPM ?? '127.0.0.1:9000',
  documentRoot: process.env.DOCUMENT_ROOT ?? '/srv/www',
  scriptsOnly: true,
  fallthrough: true,
});
const http = createServer(async (req, res) => {
  const outcome = await php.forward(req, res);
  if (outcome.kind === 'fallthrough') res.end(`not for php: ${outcome.reason}\n`); // static files, your routes...
  else if (outcome.kind === 'failed') res.writeHead(outcome.error.status).end(outcome.error.code);
}).listen(process.env.PORT ?? 8080);
process.on('SIGTERM', () => http.close(() => php.close()));
