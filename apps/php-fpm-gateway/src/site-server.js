// The Node front of the PHP site: one node:http server that serves static files itself and
// hands everything else to php-fpm through createGateway over a pooled Client. URLs that are
// not files go to the front controller, index.php, with the path as PATH_INFO.
import { once } from 'node:events';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Client, createGateway, normalizePath } from '@fcgi/client';
import { startPhpFpm } from './php-fpm.js';
import { findStaticFile, sendStaticFile } from './static-files.js';

/** The PHP site this app serves. */
export const siteDirectory = fileURLToPath(new URL('../site', import.meta.url));

/** The URL the visitor asked for, kept when a request is rewritten to the front controller. */
const originalUrls = new WeakMap();

/**
 * Rewrites a pretty URL to the front controller, as nginx's `try_files $uri /index.php$uri`:
 * `/blog/hello/?x=1` becomes `/index.php/blog/hello?x=1` (SCRIPT_NAME /index.php, PATH_INFO
 * /blog/hello; a trailing slash is dropped) and `/` becomes `/index.php`, while REQUEST_URI
 * stays what the visitor sent.
 */
function rewriteToFrontController(request) {
  const url = request.url ?? '/';
  const queryStart = url.indexOf('?');
  const path = queryStart === -1 ? url : url.slice(0, queryStart);
  const query = queryStart === -1 ? '' : url.slice(queryStart);
  originalUrls.set(request, url);
  request.url = `/index.php${path.replace(/\/+$/, '')}${query}`;
}

function createHandler(gateway, log) {
  return async (request, response) => {
    const started = Date.now();
    response.once('finish', () => log(`${request.method} ${originalUrls.get(request) ?? request.url} ${response.statusCode} ${Date.now() - started}ms`));
    const path = normalizePath((request.url ?? '/').split('?')[0]);
    // Unsafe paths (CR/LF, bad escapes, `..`) and scripts go to the gateway, which refuses the first kind itself.
    if ('status' in path || /\.php(\/|$)/.test(path.path)) return gateway(request, response);
    const file = await findStaticFile(siteDirectory, path.path);
    if (file !== undefined) return sendStaticFile(request, response, file).catch(() => response.destroy());
    rewriteToFrontController(request);
    return gateway(request, response);
  };
}

/**
 * Starts php-fpm (unless `phpFpmAddress` names a running pool) and the Node HTTP front.
 *
 * @example
 * const site = await startSite({ port: 8080 });
 * console.log(site.url); // 'http://127.0.0.1:8080'
 * await site.stop();
 * @param {{ host?: string, port?: number, phpFpmAddress?: string, maxChildren?: number, log?: (line: string) => void }} [options]
 */
export async function startSite(options = {}) {
  const log = options.log ?? (() => undefined);
  const maxChildren = options.maxChildren ?? 4;
  const phpFpm = options.phpFpmAddress === undefined ? await startPhpFpm({ maxChildren }) : undefined;
  // php-fpm never multiplexes and each kept connection pins a worker: no more connections than workers.
  const client = new Client({ address: options.phpFpmAddress ?? phpFpm.address, connections: maxChildren });
  const gateway = createGateway({
    upstream: client,
    documentRoot: siteDirectory,
    index: 'index.php',
    checkScriptExists: true, // a missing .php is a 404 from Node, as nginx's try_files
    params: (request) => ({ REQUEST_URI: originalUrls.get(request) ?? request.url }),
    onStderr: (line) => log(`php: ${line}`),
    onError: (error, request) => log(`gateway: ${request.url}: ${error.code ?? ''} ${error.message}`),
  });
  const server = createServer(createHandler(gateway, log));
  server.listen(options.port ?? 8080, options.host ?? '127.0.0.1');
  try {
    await once(server, 'listening');
  } catch (error) {
    await client.close();
    await phpFpm?.stop();
    throw error;
  }
  const { address, port } = server.address();
  const stop = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await client.close();
    await phpFpm?.stop();
  };
  return { url: `http://${address}:${port}`, phpFpmAddress: options.phpFpmAddress ?? phpFpm.address, phpFpm, client, stop };
}
