/**
 * What `inject()` takes, and how it becomes CGI params and a body.
 *
 * @module
 */
import type { RequestBody, RoleInput } from '@fcgi/client';
import type { ServerOptions } from '@fcgi/server';
import { FastCgiHarnessError, HarnessErrorCode } from './errors.js';

/**
 * Header values as `inject()` takes them.
 *
 * @example
 * ```ts
 * const headers: InjectHeaders = { 'x-one': '1', cookie: ['a=1', 'b=2'], 'content-length': 3 };
 * ```
 */
export type InjectHeaders = Readonly<Record<string, string | number | readonly string[] | undefined>>;

/**
 * Options of one injected request. Everything is optional: the default is `GET /`.
 *
 * @example
 * ```ts
 * const request: InjectRequest = { method: 'POST', url: '/items?x=1', json: { name: 'a' }, headers: { 'x-trace': '7' } };
 * ```
 */
export interface InjectRequest {
  /** HTTP method (default `GET`). */
  method?: string;
  /** Request URI with optional query, e.g. `/items?page=2` (default `/`). */
  url?: string;
  /** Alias of `url`. */
  path?: string;
  /** Query parameters appended to the URL. */
  query?: Readonly<Record<string, string>> | string;
  /** HTTP headers, sent as `HTTP_*` params (`content-type` / `content-length` as CONTENT_TYPE / CONTENT_LENGTH). */
  headers?: InjectHeaders;
  /** The request body: bytes, a string, a Readable or any (async) iterable of chunks, a web ReadableStream. */
  body?: RequestBody;
  /** Shortcut: send this value as JSON with `content-type: application/json`. */
  json?: unknown;
  /** FastCGI role: `'responder'` (default), `'authorizer'` or `'filter'`. */
  role?: RoleInput;
  /** Extra CGI params, overriding the generated ones (e.g. `SCRIPT_FILENAME` for php-fpm). */
  params?: Readonly<Record<string, string | undefined>>;
  /** The Filter role's data stream. */
  data?: RequestBody;
  /** Send FCGI_KEEP_CONN (default false: the app closes the connection after the request). */
  keepConn?: boolean;
  /** Abort the request this many ms after it starts; the result then has `aborted: true`. With `keepConn` the client sends ABORT_REQUEST (and waits for END_REQUEST); without it, it closes the connection, as nginx does. */
  abortAfter?: number;
  /** Most ms for the whole exchange (default 10000); more rejects with the client's timeout error. */
  timeout?: number;
  /** REMOTE_ADDR (default `127.0.0.1`). */
  remoteAddress?: string;
  /** Options of the in-process server built for a handler target (ignored for addresses and server targets). */
  server?: ServerOptions;
}

/**
 * The defaults of {@link InjectRequest}'s numeric options.
 *
 * @example
 * ```ts
 * await inject(app, { url: '/slow', timeout: INJECT_DEFAULTS.timeout * 3 });
 * ```
 */
export const INJECT_DEFAULTS = { timeout: 10_000 } as const;

function requestTarget(request: InjectRequest): { path: string; query: string } {
  const url = request.url ?? request.path ?? '/';
  const questionMark = url.indexOf('?');
  const path = questionMark === -1 ? url : url.slice(0, questionMark);
  let query = questionMark === -1 ? '' : url.slice(questionMark + 1);
  const extra = typeof request.query === 'string' ? request.query.replace(/^\?/, '') : request.query === undefined ? '' : new URLSearchParams(request.query).toString();
  if (extra !== '') query = query === '' ? extra : `${query}&${extra}`;
  if (!path.startsWith('/') && path !== '*') throw new FastCgiHarnessError(HarnessErrorCode.InvalidOption, `url must start with "/", got ${JSON.stringify(url)}`);
  return { path, query };
}

function headerParams(headers: InjectHeaders): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(name.toLowerCase() === 'cookie' ? '; ' : ', ') : String(value);
    const key = name.toUpperCase().replace(/-/g, '_');
    if (key === 'CONTENT_TYPE' || key === 'CONTENT_LENGTH') params[key] = text;
    else params[`HTTP_${key}`] = text;
  }
  return params;
}

/**
 * The body to send, with `json` turned into bytes.
 *
 * @example
 * ```ts
 * requestBody({ json: { a: 1 } }); // '{"a":1}'
 * ```
 */
export function requestBody(request: InjectRequest): RequestBody {
  if (request.json !== undefined) {
    if (request.body !== undefined) throw new FastCgiHarnessError(HarnessErrorCode.InvalidOption, 'Pass either body or json, not both');
    return JSON.stringify(request.json);
  }
  return request.body;
}

/**
 * The CGI params of a request, as nginx's `fastcgi_params` would build them, with the
 * request's `params` applied last.
 *
 * @example
 * ```ts
 * cgiParams({ method: 'POST', url: '/a?b=1' }).QUERY_STRING; // 'b=1'
 * ```
 */
export function cgiParams(request: InjectRequest): Record<string, string | undefined> {
  const { path, query } = requestTarget(request);
  const headers: Record<string, string> = { host: 'localhost' };
  if (request.json !== undefined) headers['content-type'] = 'application/json';
  const fromHeaders = headerParams({ ...headers, ...request.headers });
  const body = requestBody(request);
  if (fromHeaders.CONTENT_LENGTH === undefined) {
    if (typeof body === 'string') fromHeaders.CONTENT_LENGTH = String(Buffer.byteLength(body));
    else if (body instanceof Uint8Array) fromHeaders.CONTENT_LENGTH = String(body.byteLength);
  }
  return {
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_SOFTWARE: '@fcgi/harness',
    SERVER_PROTOCOL: 'HTTP/1.1',
    SERVER_NAME: (fromHeaders.HTTP_HOST ?? 'localhost').replace(/:\d+$/, ''),
    SERVER_ADDR: '127.0.0.1',
    SERVER_PORT: '80',
    REMOTE_ADDR: request.remoteAddress ?? '127.0.0.1',
    REMOTE_PORT: '40000',
    REQUEST_SCHEME: 'http',
    REQUEST_METHOD: (request.method ?? 'GET').toUpperCase(),
    REQUEST_URI: query === '' ? path : `${path}?${query}`,
    SCRIPT_NAME: path,
    DOCUMENT_URI: path,
    QUERY_STRING: query,
    ...fromHeaders,
    ...request.params,
  };
}
