/* eslint-disable @typescript-eslint/require-await -- Fastify handlers and hooks are async functions by convention. */
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { servedAppSuite } from '../../express/test/served-app-suite.js';
import { Client, send } from '../../express/test/fastcgi-request.js';
import { fastcgiRequest, fastcgiRoleConstraint, fastcgiServerFactory, isFastCgiServer, serve } from '../src/index.js';
import { buildFastifyApp } from './fastify-app.js';

servedAppSuite('Fastify with fastcgiServerFactory', async (context) => {
  const fastify = buildFastifyApp(context, { factory: true });
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  return { address: `127.0.0.1:${(fastify.server.address() as AddressInfo).port}`, close: () => fastify.close() };
});

servedAppSuite('Fastify with serve()', async (context) => {
  const fastify = buildFastifyApp(context);
  const server = await serve(fastify, { listen: 0 });
  return { address: `127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => fastify.close() };
});

describe('Fastify lifecycle and request.fastcgi', () => {
  it('runs hooks, decorates request.fastcgi and closes the FastCGI server on fastify.close()', async () => {
    const seen: string[] = [];
    const fastify = Fastify({ serverFactory: fastcgiServerFactory() });
    await fastify.register(fastcgiRequest);
    fastify.addHook('onRequest', async (request) => {
      seen.push(`onRequest ${request.url}`);
    });
    fastify.addHook('onClose', async () => {
      seen.push('onClose');
    });
    fastify.get('/info', async (request) => ({ role: request.fastcgi?.role, id: request.fastcgi?.requestId, software: request.fastcgi?.params.SERVER_SOFTWARE }));
    await serve(fastify, { listen: 0 });
    expect(isFastCgiServer(fastify.server)).toBe(true);
    const client = new Client({ address: `127.0.0.1:${(fastify.server.address() as AddressInfo).port}` });
    const response = await client.request({ params: { REQUEST_METHOD: 'GET', REQUEST_URI: '/info', SERVER_SOFTWARE: 'nginx/1.22.1' } });
    const chunks: Buffer[] = [];
    for await (const chunk of response.body) chunks.push(chunk as Buffer);
    expect(JSON.parse(Buffer.concat(chunks).toString())).toEqual({ role: 'responder', id: 1, software: 'nginx/1.22.1' });
    await client.close();
    await fastify.close();
    expect(seen).toEqual(['onRequest /info', 'onClose']);
    expect(fastify.server.listening).toBe(false);
  });

  it('lets Authorizer requests reach only routes constrained to the authorizer role', async () => {
    const fastify = Fastify({ serverFactory: fastcgiServerFactory(), constraints: { fastcgiRole: fastcgiRoleConstraint } });
    fastify.get('/private', async () => 'responder answer');
    fastify.get('/private', { constraints: { fastcgiRole: 'authorizer' } }, async (_request, reply) => reply.header('Variable-ROLE', 'admin').code(200).send());
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    const client = new Client({ address: `127.0.0.1:${(fastify.server.address() as AddressInfo).port}` });
    expect((await send(client, { url: '/private' })).text).toBe('responder answer');
    const allowed = await client.request({ role: 'authorizer', params: { REQUEST_METHOD: 'GET', REQUEST_URI: '/private' } });
    allowed.body.resume();
    // Fastify lower-cases header names; web servers (Apache) look for `Variable-NAME`.
    expect([allowed.status, allowed.rawHeaders.find(([name]) => /^variable-/i.test(name))]).toEqual([200, ['Variable-ROLE', 'admin']]);
    expect(allowed.variables).toEqual({ ROLE: 'admin' });
    expect((await send(client, { url: '/elsewhere', role: 'authorizer' })).status).toBe(404);
    await client.close();
    await fastify.close();
  });
});
