/**
 * The static side of `fcgi gateway --root DIR`: which requests go to the FastCGI app
 * (script paths) and serving the other existing files, streamed with a content type.
 *
 * @module
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, sep } from 'node:path';
import { DEFAULT_SPLIT_PATH_INFO } from '@fcgi/client';

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8', '.htm': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8', '.xml': 'application/xml', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp', '.avif': 'image/avif',
  '.ico': 'image/x-icon', '.pdf': 'application/pdf', '.wasm': 'application/wasm', '.woff': 'font/woff', '.woff2': 'font/woff2',
  '.mp4': 'video/mp4', '.webm': 'video/webm', '.mp3': 'audio/mpeg', '.map': 'application/json',
};

/**
 * The content type served for a file name (`application/octet-stream` when unknown).
 *
 * @example
 * ```ts
 * contentTypeOf('style.css'); // 'text/css; charset=utf-8'
 * ```
 */
export function contentTypeOf(name: string): string {
  return contentTypes[extname(name).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The request's path, percent-decoded, or undefined when it is malformed or would leave
 * the root (such requests go to the gateway, which answers them 400/404 by its rules).
 *
 * @example
 * ```ts
 * requestPath('/a%20b.txt?x=1'); // '/a b.txt'
 * ```
 */
export function requestPath(url: string): string | undefined {
  const raw = url.split('?')[0] ?? '';
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  if (!path.startsWith('/') || /[\0\r\n]/.test(path) || path.split('/').some((segment) => segment === '..')) return undefined;
  return path;
}

/**
 * Whether a path is a script for the app: the path itself, or its script part before a
 * PATH_INFO (`/index.php/users`), matches the scripts pattern; a path ending in `/` is
 * looked at with the index appended.
 *
 * @example
 * ```ts
 * isScriptPath('/index.php/users', /\.php$/, 'index.php'); // true
 * ```
 */
export function isScriptPath(path: string, scripts: RegExp, index: string): boolean {
  const full = path.endsWith('/') ? path + index : path;
  if (scripts.test(full)) return true;
  const scriptPart = DEFAULT_SPLIT_PATH_INFO.exec(full)?.[1];
  return scriptPart !== undefined && scripts.test(scriptPart);
}

/** Sets headers with setHeader (so the access log can read Content-Length back), then the status. */
function head(response: ServerResponse, status: number, headers: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  response.writeHead(status);
}

function plain(response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  head(response, status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)), ...headers });
  response.end(text);
}

/**
 * Serves an existing file under ROOT (GET and HEAD; a directory redirects to its `/` form
 * or serves its index when that is not a script). Resolves to false when there is no such
 * file, so the caller can answer 404.
 *
 * @example
 * ```ts
 * if (!(await serveStatic(request, response, '/srv/www', '/logo.png', 'index.html'))) notFound(response);
 * ```
 */
export async function serveStatic(request: IncomingMessage, response: ServerResponse, root: string, path: string, index: string): Promise<boolean> {
  let file = join(root, path);
  if (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep)) return false;
  let info = await stat(file).catch(() => undefined);
  if (info?.isDirectory() === true) {
    if (!path.endsWith('/')) {
      plain(response, 301, 'Moved Permanently\n', { Location: `${path}/${request.url?.includes('?') === true ? request.url.slice(request.url.indexOf('?')) : ''}` });
      return true;
    }
    file = join(file, index);
    info = await stat(file).catch(() => undefined);
  }
  if (info?.isFile() !== true) return false;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    plain(response, 405, 'Method Not Allowed\n', { Allow: 'GET, HEAD' });
    return true;
  }
  head(response, 200, { 'Content-Type': contentTypeOf(file), 'Content-Length': String(info.size), 'Last-Modified': info.mtime.toUTCString() });
  if (request.method === 'HEAD') {
    response.end();
    return true;
  }
  const stream = createReadStream(file);
  stream.on('error', () => response.destroy());
  stream.pipe(response);
  return true;
}

/**
 * Answers 404 Not Found.
 *
 * @example
 * ```ts
 * notFound(response);
 * ```
 */
export function notFound(response: ServerResponse): void {
  plain(response, 404, 'Not Found\n');
}
