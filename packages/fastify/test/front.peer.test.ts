import type { AddressInfo } from 'node:net';
import { webServerFrontSuite } from '../../express/test/web-server-front.js';
import { buildFastifyApp } from './fastify-app.js';

webServerFrontSuite('a Fastify instance with fastcgiServerFactory', async (context) => {
  const fastify = buildFastifyApp(context, { factory: true });
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  return { address: `127.0.0.1:${(fastify.server.address() as AddressInfo).port}`, close: () => fastify.close() };
});
