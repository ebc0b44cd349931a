// The Fastify app: its own API routes and static files, and everything else forwarded to
// the PHP site's front controller (php-fpm, or the Node stand-in) by the @fcgi/fastify plugin.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { STATUS_CODES } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { fastcgi } from '@fcgi/fastify';

/** The PHP site this app serves. */
export const siteDirectory = fileURLToPath(new URL('../site', import.meta.url));

/** The only files served from site/assets, by extension: never .php, never a dotfile. */
const contentTypes = { '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png' };

async function sendAsset(request, reply) {
  const name = request.params['*'];
  const contentType = contentTypes[extname(name)];
  // The wildcard can hold anything (a decoded `%2f`, `..`, a dotfile): plain file names only.
  if (contentType === undefined || !/^[a-z0-9][a-z0-9._-]*$/i.test(name)) return reply.callNotFound();
  const path = join(siteDirectory, 'assets', name);
  const info = await stat(path).catch(() => undefined);
  if (info === undefined || !info.isFile()) return reply.callNotFound();
  reply.header('Content-Type', contentType).header('Content-Length', info.size).header('Cache-Control', 'public, max-age=3600');
  return reply.send(createReadStream(path));
}

/**
 * Builds the Fastify instance (not listening). `backend.address` is the FastCGI app that
 * plays PHP; `backend.name` is reported by /api/health.
 *
 * @example
 * const fastify = await buildApp({ backend: { address: 'unix:/tmp/php.sock', name: 'php-fpm' }, connections: 3 });
 * await fastify.listen({ port: 8080 });
 * @param {{ backend: { address: string, name: string }, connections?: number, log?: (line: string) => void }} options
 */
export async function buildApp(options) {
  const log = options.log ?? (() => undefined);
  // On close, end kept-alive HTTP connections at once: otherwise one that had just finished a
  // response (not idle yet when close() looked) holds close() for the keep-alive timeout.
  const fastify = Fastify({ forceCloseConnections: true });
  fastify.get('/api/health', async () => ({ status: 'ok', php: options.backend.name }));
  fastify.get('/api/time', async () => ({ now: new Date().toISOString(), from: 'fastify' }));
  fastify.get('/assets/*', sendAsset);
  // Everything else: the PHP site, pretty URLs to its front controller. php-fpm never
  // multiplexes and each kept connection pins a worker: no more connections than workers.
  await fastify.register(fastcgi, {
    upstream: { address: options.backend.address, connections: options.connections ?? 3 },
    documentRoot: siteDirectory,
    prefix: '/',
    frontController: 'index.php',
    onStderr: (line) => log(`php: ${line}`),
  });
  fastify.addHook('onResponse', async (request, reply) => log(`${request.method} ${request.url} ${reply.statusCode} ${Math.round(reply.elapsedTime)}ms`));
  fastify.setErrorHandler(async (error, request, reply) => {
    log(`error: ${request.url}: ${error.code ?? ''} ${error.message}`);
    const status = error.statusCode ?? 500; // 502/503/504 when PHP failed, 400/404/413 for refused requests
    return reply.code(status).type('text/plain').send(`${STATUS_CODES[status] ?? 'Error'}\n`);
  });
  return fastify;
}
