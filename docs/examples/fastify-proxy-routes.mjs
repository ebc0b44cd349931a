// The plugin under a prefix, and reply.fastcgi() from routes of your own.
import Fastify from 'fastify';
import { fastcgi, keepRawBody } from '@fcgi/fastify';

const fastify = Fastify();
await fastify.register(fastcgi, {
  upstream: process.env.PHP_FPM ?? '127.0.0.1:9001',
  documentRoot: process.env.DOCUMENT_ROOT ?? '/srv/www',
  prefix: '/blog',
  frontController: 'index.php',
});
// or forward from your own routes:
await fastify.register(async (php) => {
  keepRawBody(php); // bodies stay unparsed in this context, for php-fpm to read
  php.post('/legacy/upload.php', async (request, reply) => reply.fastcgi());
});
await fastify.listen({ port: Number(process.env.PORT ?? 8080) });
