// Static files next to the scripts, served by Node itself: PHP is asked only for scripts.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';

/** The only extensions served from disk; anything else (.php, .ini, dotfiles) is never sent as a file. */
const contentTypes = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/**
 * The static file for a normalised URL path (already decoded, no `..`), or undefined.
 *
 * @example
 * await findStaticFile('/srv/site', '/assets/style.css'); // { path, size, modified, contentType }
 * @param {string} root the site directory
 * @param {string} urlPath
 */
export async function findStaticFile(root, urlPath) {
  const contentType = contentTypes[extname(urlPath)];
  if (contentType === undefined || urlPath.split('/').some((segment) => segment.startsWith('.'))) return undefined;
  const path = join(root, urlPath);
  const info = await stat(path).catch(() => undefined);
  if (info === undefined || !info.isFile()) return undefined;
  return { path, size: info.size, modified: info.mtime, contentType };
}

/**
 * Sends a file found by {@link findStaticFile} (GET and HEAD).
 *
 * @example
 * await sendStaticFile(request, response, file);
 * @param {import('node:http').IncomingMessage} request
 * @param {import('node:http').ServerResponse} response
 * @param {{ path: string, size: number, modified: Date, contentType: string }} file
 */
export async function sendStaticFile(request, response, file) {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  response.writeHead(200, {
    'Content-Type': file.contentType,
    'Content-Length': file.size,
    'Last-Modified': file.modified.toUTCString(),
    'Cache-Control': 'public, max-age=3600',
  });
  if (request.method === 'HEAD') response.end();
  else await pipeline(createReadStream(file.path), response);
}
