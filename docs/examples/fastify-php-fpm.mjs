import Fastify from 'fastify';
import { fastcgi } from '@fcgi/fastify';

const fastify = Fastify();
// WordPress-style: every path under the prefix goes to php-fpm, pretty URLs to index.php.
const documentRoot = process.env.DOCUMENT_ROOT ?? '/srv/wordpress';
await fastify.register(fastcgi, { upstream: process.env.PHP_FPM ?? '127.0.0.1:9001', documentRoot, prefix: '/', frontController: 'index.php' });
fastify.get('/health', async () => 'ok'); // Fastify's own routes keep working
fastify.setErrorHandler(async (error, request, reply) => reply.code(error.statusCode ?? 500).send(error.code));
await fastify.listen({ port: Number(process.env.PORT ?? 8080) });
