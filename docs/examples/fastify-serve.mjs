import Fastify from 'fastify';
import { fastcgiRequest, fastcgiServerFactory } from '@fcgi/fastify';

const fastify = Fastify({ serverFactory: fastcgiServerFactory({ closeTimeout: 5000 }), trustProxy: 'loopback' });
await fastify.register(fastcgiRequest); // request.fastcgi
fastify.get('/users/:id', async (request) => ({ id: request.params.id, ip: request.ip, role: request.fastcgi.role }));

await fastify.listen({ port: Number(process.env.PORT ?? 9000), host: '127.0.0.1' }); // or { path }, or { fd: 0 }
process.on('SIGTERM', () => fastify.close()); // onClose hooks run, in-flight requests finish
