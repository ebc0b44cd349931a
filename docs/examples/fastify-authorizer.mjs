// An Authorizer route (Apache mod_authnz_fcgi, lighttpd) next to the app's own routes.
import Fastify from 'fastify';
import { fastcgiRequest, fastcgiRoleConstraint, fastcgiServerFactory } from '@fcgi/fastify';

const fastify = Fastify({ serverFactory: fastcgiServerFactory(), constraints: { fastcgiRole: fastcgiRoleConstraint } });
await fastify.register(fastcgiRequest);
fastify.get('/', async (request) => `hello ${request.fastcgi.params.TEAM ?? 'nobody'}`); // TEAM: set by the authorizer

fastify.all('/*', { constraints: { fastcgiRole: 'authorizer' } }, async (request, reply) => {
  const { REMOTE_USER, REMOTE_PASSWD } = request.fastcgi.params;
  if (REMOTE_USER === 'alice' && REMOTE_PASSWD === 'secret') return reply.header('Variable-TEAM', 'ops').code(200).send();
  return reply.code(401).send();
});
await fastify.listen({ port: Number(process.env.PORT ?? 9000), host: '127.0.0.1' });
process.on('SIGTERM', () => fastify.close());
