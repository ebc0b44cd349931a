/**
 * Maps a node:http request to CGI/1.1 params (RFC 3875), as nginx's fastcgi_params and
 * fastcgi.conf do, with the safety rules applied: the Proxy header dropped (httpoxy),
 * header names outside [A-Za-z0-9-] dropped, and the script path confined to the
 * document root after decoding.
 *
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { posix } from 'node:path';
import type { TLSSocket } from 'node:tls';

/**
 * How the gateway splits a path into SCRIPT_NAME and PATH_INFO (nginx's `fastcgi_split_path_info`).
 *
 * @example
 * ```ts
 * DEFAULT_SPLIT_PATH_INFO.exec('/app.php/extra'); // [..., '/app.php', '/extra']
 * ```
 */
export const DEFAULT_SPLIT_PATH_INFO = /^(.+?\.php)(\/.*)?$/;

/**
 * What the mapping needs besides the request.
 *
 * @example
 * ```ts
 * const options: CgiParamsOptions = { documentRoot: '/srv/www', index: 'index.php' };
 * ```
 */
export interface CgiParamsOptions {
  /** Absolute directory scripts live in; without it no SCRIPT_FILENAME is sent. */
  documentRoot?: string | undefined;
  /** File appended to paths ending in `/` (default `index.php`). */
  index?: string | undefined;
  /** Two capture groups: script name, path info (default `^(.+?\.php)(/.*)?$`). */
  splitPathInfo?: RegExp | undefined;
  /** SERVER_SOFTWARE (default `fcgi-gateway`). */
  serverSoftware?: string | undefined;
  /** SERVER_NAME (default: the Host header's name, else the local address). */
  serverName?: string | undefined;
}

/**
 * The result of mapping: the params, or an HTTP status to answer with instead.
 *
 * @example
 * ```ts
 * const mapping: CgiMapping = mapCgiParams(request, { documentRoot: '/srv/www' });
 * if (!mapping.ok) response.writeHead(mapping.status).end();
 * ```
 */
export type CgiMapping =
  | { readonly ok: true; readonly params: [string, string][]; readonly scriptFilename: string | undefined }
  | { readonly ok: false; readonly status: 400 | 404; readonly reason: string };

const headerNamePattern = /^[A-Za-z0-9-]+$/;
const forbiddenPathCharacters = /[\0\r\n]/;
/** A path normalizePath leaves as it is: no escape, no empty, `.` or `..` segment (a last empty one aside), no NUL/CR/LF. */
const normalPath = /^(?:(?:\/(?!\.\.?(?:\/|$))[^/%\0\r\n]+)+\/?|\/)$/;

/**
 * Decodes and normalises a URL path; `undefined` when it cannot be served safely
 * (malformed escapes, NUL/CR/LF, `..` above the root) with the status to answer.
 *
 * @example
 * ```ts
 * normalizePath('/a/./b/../c.php'); // { path: '/a/c.php' }
 * normalizePath('/x.php%0ainfo.php'); // { status: 404, ... }
 * ```
 */
export function normalizePath(rawPath: string): { path: string } | { status: 400 | 404; reason: string } {
  if (normalPath.test(rawPath)) return { path: rawPath };
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return { status: 400, reason: 'malformed percent-encoding in the path' };
  }
  if (forbiddenPathCharacters.test(decoded)) return { status: 404, reason: 'NUL, CR or LF in the path' };
  if (!decoded.startsWith('/')) return { status: 400, reason: 'the path must start with /' };
  const segments: string[] = [];
  const parts = decoded.split('/');
  for (let index = 1; index < parts.length; index++) {
    const part = parts[index] as string;
    const last = index === parts.length - 1;
    if (part === '..') {
      if (segments.length === 0) return { status: 400, reason: 'the path escapes the document root' };
      segments.pop();
      if (last) segments.push('');
    } else if (part === '.' || (part === '' && !last)) {
      if (last) segments.push('');
    } else {
      segments.push(part);
    }
  }
  return { path: `/${segments.join('/')}` };
}

/** Most header names whose param name is remembered; past it the memory starts over (a client sending random names costs no memory). */
const maxRememberedHeaderNames = 512;
/** Raw header name -> its HTTP_* param name, or null when the header is dropped. */
const headerKeys = new Map<string, string | null>();

/** HTTP_* param name of a header, computed once per distinct raw name; null when it is dropped. */
function headerKey(name: string): string | null {
  let key = headerKeys.get(name);
  if (key !== undefined) return key;
  // X_Foo and other odd names are dropped, as nginx does; Proxy too (httpoxy: never HTTP_PROXY).
  key = !headerNamePattern.test(name) || name.toLowerCase() === 'proxy' ? null : `HTTP_${name.toUpperCase().replace(/-/g, '_')}`;
  if (headerKeys.size >= maxRememberedHeaderNames) headerKeys.clear();
  headerKeys.set(name, key);
  return key;
}

/** Up to this many headers, a repeated name is found by scanning the params; past it, with a map. */
const scanLimit = 16;

/** The HTTP_* param `key` among `params` from `start` on (undefined when absent). */
function findHeaderParam(params: [string, string][], start: number, key: string): [string, string] | undefined {
  for (let index = start; index < params.length; index++) {
    const entry = params[index] as [string, string];
    if (entry[0] === key) return entry;
  }
  return undefined;
}

/** Appends the HTTP_* params of the request's headers; repeated headers joined (cookies with `; `). */
function pushHeaderParams(request: IncomingMessage, params: [string, string][]): void {
  const raw = request.rawHeaders;
  const start = params.length;
  // A few headers (the common case): no map to allocate; many: no quadratic scan.
  const positions = raw.length > 2 * scanLimit ? new Map<string, [string, string]>() : undefined;
  for (let index = 0; index + 1 < raw.length; index += 2) {
    const key = headerKey(raw[index] as string);
    if (key === null) continue;
    const value = raw[index + 1] as string;
    const previous = positions === undefined ? findHeaderParam(params, start, key) : positions.get(key);
    if (previous === undefined) {
      const entry: [string, string] = [key, value];
      positions?.set(key, entry);
      params.push(entry);
    } else {
      previous[1] = `${previous[1]}${key === 'HTTP_COOKIE' ? '; ' : ', '}${value}`;
    }
  }
}

const hostPattern = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::\d+)?$/;
/** The last Host header seen and its name (clients send the same one request after request). */
let lastHost = '';
let lastHostName: string | undefined;

function hostName(request: IncomingMessage): string | undefined {
  const host = request.headers.host;
  if (host === undefined) return undefined;
  if (host !== lastHost) {
    lastHostName = hostPattern.exec(host)?.[1];
    lastHost = host;
  }
  return lastHostName;
}

/** The last document root resolved, and the result (an absolute root resolves the same whatever the cwd). */
let lastRoot = '';
let lastResolvedRoot = '';

function resolveRoot(documentRoot: string): string {
  if (!documentRoot.startsWith('/')) return posix.resolve(documentRoot);
  if (documentRoot !== lastRoot) {
    lastResolvedRoot = posix.resolve(documentRoot);
    lastRoot = documentRoot;
  }
  return lastResolvedRoot;
}

/** A path posix.join would leave as it is after a root: absolute, no empty, `.` or `..` segment. */
const normalAbsolutePath = /^(?:\/(?!\.\.?(?:\/|$))[^/]+)+$/;

/** SCRIPT_FILENAME: `scriptName` under `root` (a resolved root), joined without posix.join when nothing needs normalising. */
function underRoot(root: string, scriptName: string): string {
  if (!normalAbsolutePath.test(scriptName)) return posix.join(root, scriptName);
  return root === '/' ? scriptName : `${root}${scriptName}`;
}

/**
 * Builds the CGI params of a request, in nginx's order, or the status to answer with.
 * `url` is the URL to map (default `request.url`): a framework that rewrote `request.url`
 * for a mounted router passes the full one (Express's `req.originalUrl`).
 *
 * @example
 * ```ts
 * const mapping = mapCgiParams(request, { documentRoot: '/srv/www' });
 * if (mapping.ok) await client.request({ params: mapping.params, body: request });
 * mapCgiParams(req, { documentRoot: '/srv/www' }, req.originalUrl); // REQUEST_URI as the client sent it
 * ```
 */
export function mapCgiParams(request: IncomingMessage, options: CgiParamsOptions, url: string = request.url ?? '/'): CgiMapping {
  const queryIndex = url.indexOf('?');
  const rawPath = queryIndex === -1 ? url : url.slice(0, queryIndex);
  const query = queryIndex === -1 ? '' : url.slice(queryIndex + 1);
  const normalized = normalizePath(rawPath);
  if ('status' in normalized) return { ok: false, ...normalized };
  const documentUri = normalized.path;
  const scriptPath = documentUri.endsWith('/') ? `${documentUri}${options.index ?? 'index.php'}` : documentUri;
  const split = (options.splitPathInfo ?? DEFAULT_SPLIT_PATH_INFO).exec(scriptPath);
  const scriptName = split?.[1] ?? scriptPath;
  const pathInfo = split?.[2] ?? '';
  const root = options.documentRoot === undefined ? undefined : resolveRoot(options.documentRoot);
  let scriptFilename: string | undefined;
  if (root !== undefined) {
    scriptFilename = underRoot(root, scriptName);
    if (scriptFilename !== root && !scriptFilename.startsWith(root === '/' ? '/' : `${root}/`)) {
      return { ok: false, status: 400, reason: 'the script path escapes the document root' };
    }
  }
  const socket = request.socket;
  const https = (socket as TLSSocket).encrypted === true;
  const headers = request.headers;
  const params: [string, string][] = [
    ['QUERY_STRING', query],
    ['REQUEST_METHOD', request.method ?? 'GET'],
    ['CONTENT_TYPE', headers['content-type'] ?? ''],
    ['CONTENT_LENGTH', headers['content-length'] ?? ''],
    ['SCRIPT_NAME', scriptName],
    ['REQUEST_URI', url],
    ['DOCUMENT_URI', scriptPath],
  ];
  if (root !== undefined) params.push(['DOCUMENT_ROOT', root], ['SCRIPT_FILENAME', scriptFilename as string]);
  params.push(['PATH_INFO', pathInfo]);
  if (root !== undefined && pathInfo !== '') params.push(['PATH_TRANSLATED', posix.join(root, pathInfo)]);
  params.push(['SERVER_PROTOCOL', `HTTP/${request.httpVersion}`], ['REQUEST_SCHEME', https ? 'https' : 'http']);
  if (https) params.push(['HTTPS', 'on']);
  params.push(
    ['GATEWAY_INTERFACE', 'CGI/1.1'],
    ['SERVER_SOFTWARE', options.serverSoftware ?? 'fcgi-gateway'],
    ['REMOTE_ADDR', socket.remoteAddress ?? ''],
    ['REMOTE_PORT', String(socket.remotePort ?? '')],
    ['SERVER_ADDR', socket.localAddress ?? ''],
    ['SERVER_PORT', String(socket.localPort ?? '')],
    ['SERVER_NAME', options.serverName ?? hostName(request) ?? socket.localAddress ?? ''],
    ['REDIRECT_STATUS', '200'],
  );
  pushHeaderParams(request, params);
  return { ok: true, params, scriptFilename };
}
