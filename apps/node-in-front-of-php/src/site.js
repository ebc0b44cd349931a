// The whole setup: php-fpm when it is installed (else the Node stand-in), then Fastify.
import { findPeer } from '@fcgi/app-support/processes';
import { buildApp } from './app.js';
import { startPhpFpm } from './php-fpm.js';
import { startStandIn } from './stand-in.js';

/**
 * Starts php-fpm, or the Node stand-in when php-fpm is absent (or hidden by FCGI_HIDE_PEERS).
 *
 * @example
 * const backend = await startBackend({ workers: 3 });
 * console.log(backend.name, backend.note); // 'php-fpm', undefined
 * @param {{ workers: number }} options
 */
export async function startBackend(options) {
  const found = findPeer('php-fpm', ['php-fpm8.2', 'php-fpm']);
  if (found.path !== undefined) {
    const php = await startPhpFpm({ command: found.path, maxChildren: options.workers });
    return { name: 'php-fpm', address: php.address, phpFpm: php, stop: php.stop };
  }
  const standIn = await startStandIn();
  const note = `${found.reason}: a Node FastCGI app (@fcgi/server, src/stand-in.js) stands in for PHP and answers the same routes`;
  return { name: 'node-stand-in', address: standIn.address, note, stop: standIn.stop };
}

/**
 * Starts the backend and Fastify in front of it; `stop()` stops both.
 *
 * @example
 * const site = await startSite({ port: 8080 });
 * console.log(site.url, site.backend.name);
 * await site.stop();
 * @param {{ host?: string, port?: number, workers?: number, log?: (line: string) => void }} [options]
 */
export async function startSite(options = {}) {
  const workers = options.workers ?? 3;
  const backend = await startBackend({ workers });
  let fastify;
  try {
    fastify = await buildApp({ backend, connections: workers, log: options.log });
    await fastify.listen({ port: options.port ?? 8080, host: options.host ?? '127.0.0.1' });
  } catch (error) {
    await fastify?.close();
    await backend.stop();
    throw error;
  }
  const { address, port } = fastify.server.address();
  return {
    url: `http://${address}:${port}`,
    workers,
    backend,
    fastify,
    stop: async () => {
      await fastify.close(); // closes the plugin's FastCGI client too
      await backend.stop();
    },
  };
}
