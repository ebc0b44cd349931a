/* eslint-disable @typescript-eslint/require-await -- Fastify handlers and hooks are async functions by convention. */
/** The Fastify instance of the shared suite (see ../../express/test/served-app-suite.ts for the routes). */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fastifyCookie from '@fastify/cookie';
import fastifyMultipart from '@fastify/multipart';
import Fastify, { type FastifyInstance } from 'fastify';
import type { SuiteContext } from '../../express/test/served-app-suite.js';
import { fastcgiRequest, fastcgiRoleConstraint, fastcgiServerFactory } from '../src/index.js';

export function buildFastifyApp(context: SuiteContext, options: { factory?: boolean } = {}): FastifyInstance {
  const base = { trustProxy: '203.0.113.0/24', constraints: { fastcgiRole: fastcgiRoleConstraint } };
  const fastify = options.factory === true ? Fastify({ ...base, serverFactory: fastcgiServerFactory() }) : Fastify(base);
  void fastify.register(fastcgiRequest);
  void fastify.register(fastifyCookie);
  void fastify.register(fastifyMultipart);
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  fastify.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_request, body, done) => {
    done(null, body);
  });
  fastify.get('/users/:id', async (request) => ({ id: (request.params as { id: string }).id, query: request.query }));
  fastify.get('/whoami', async (request) => ({
    ip: request.ip,
    protocol: request.protocol,
    secure: request.protocol === 'https',
    role: request.fastcgi?.role,
    remoteAddr: request.fastcgi?.params.REMOTE_ADDR,
  }));
  fastify.post('/echo/json', async (request) => ({ body: request.body }));
  fastify.post('/echo/form', async (request) => ({ body: request.body }));
  fastify.post('/echo/raw', async (request) => {
    const body = request.body as Buffer;
    return { length: body.length, hex: body.toString('hex') };
  });
  fastify.post('/upload', async (request) => {
    const fields: Record<string, string> = {};
    const files: { field: string; name: string; size: number }[] = [];
    for await (const part of request.parts()) {
      if (part.type === 'file') files.push({ field: part.fieldname, name: part.filename, size: (await part.toBuffer()).length });
      else fields[part.fieldname] = String(part.value);
    }
    return { fields, files };
  });
  fastify.get('/redirect', async (_request, reply) => reply.redirect('/target'));
  fastify.get('/cookies/set', async (_request, reply) => reply.setCookie('session', 'abc', { httpOnly: true }).setCookie('theme', 'dark').send('ok'));
  fastify.get('/cookies/read', async (request) => ({ cookies: request.cookies }));
  fastify.get('/static/:name', async (request, reply) => reply.type('text/plain; charset=utf-8').send(createReadStream(join(context.staticRoot, (request.params as { name: string }).name))));
  fastify.get('/file', async (_request, reply) => reply.type('application/octet-stream').send(createReadStream(join(context.staticRoot, 'big.bin'))));
  fastify.get('/download', async (_request, reply) =>
    reply.header('content-disposition', 'attachment; filename="report.txt"').type('text/plain').send(createReadStream(join(context.staticRoot, 'hello.txt'))),
  );
  fastify.get('/fail', async () => {
    throw new Error('boom');
  });
  fastify.get('/stream', async (_request, reply) => {
    async function* chunks(): AsyncGenerator<string> {
      for (let index = 0; index < 3; index++) {
        if (index > 0) await new Promise((resolve) => setTimeout(resolve, 20));
        yield `chunk-${index}\n`;
      }
    }
    return reply.send(Readable.from(chunks()));
  });
  fastify.get('/hang', (request, reply) => {
    request.raw.on('close', () => {
      if (!reply.raw.writableEnded) context.onAbort();
    });
  });
  fastify.get('/secure/data', async (request) => ({ remoteUser: request.fastcgi?.params.REMOTE_USER, user: request.fastcgi?.params.USER }));
  fastify.get('/slow', async () => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    return 'done';
  });
  fastify.all('/*', { constraints: { fastcgiRole: 'authorizer' } }, async (request, reply) => {
    const params = request.fastcgi?.params;
    const basic = params?.REMOTE_USER === 'alice' && params.REMOTE_PASSWD === 'secret';
    if (request.headers.authorization === 'Bearer good' || basic) return reply.header('Variable-USER', 'alice').code(200).send();
    return reply.code(401).header('WWW-Authenticate', 'Bearer').send('who are you?');
  });
  fastify.setErrorHandler(async (error: Error, _request, reply) => reply.code(418).send({ error: error.message }));
  return fastify;
}
