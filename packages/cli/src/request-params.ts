/**
 * Building a request's CGI/1.1 params from the command line: the defaults a web server
 * would send, the script split of PATH, `--root`, `--header` and `--param`.
 *
 * @module
 */
import { usageError } from './errors.js';

/**
 * What the params are built from.
 *
 * @example
 * ```ts
 * const input: RequestParamsInput = { method: 'GET', target: '/index.php?a=1', headers: [], params: [], root: '/srv/www', bodyLength: undefined, serverSoftware: 'fcgi/0.1.0' };
 * ```
 */
export interface RequestParamsInput {
  readonly method: string;
  /** PATH with an optional `?query`, as given on the command line. */
  readonly target: string;
  /** `--header` values, `Name: value`. */
  readonly headers: readonly string[];
  /** `--param` values, `NAME=VALUE`; they override every computed param. */
  readonly params: readonly string[];
  /** `--root`: DOCUMENT_ROOT, and SCRIPT_FILENAME = ROOT + SCRIPT_NAME. */
  readonly root: string | undefined;
  /** The body's length in bytes (sets CONTENT_LENGTH), when there is a body. */
  readonly bodyLength: number | undefined;
  /** SERVER_SOFTWARE. */
  readonly serverSoftware: string;
}

/** The split of a path into the script and the extra path after it (nginx's fastcgi_split_path_info). */
const scriptPattern = /^(.+?\.php)(\/.*)?$/;
const headerNamePattern = /^[A-Za-z0-9-]+$/;
const methodPattern = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/**
 * Splits PATH into SCRIPT_NAME and PATH_INFO: `/index.php/extra` gives `/index.php` and
 * `/extra`; a path with no `.php` segment is all script.
 *
 * @example
 * ```ts
 * splitScriptPath('/app/index.php/users/1'); // { scriptName: '/app/index.php', pathInfo: '/users/1' }
 * splitScriptPath('/hello'); // { scriptName: '/hello', pathInfo: '' }
 * ```
 */
export function splitScriptPath(path: string): { scriptName: string; pathInfo: string } {
  const decoded = decodePath(path);
  const match = scriptPattern.exec(decoded);
  if (match === null) return { scriptName: decoded, pathInfo: '' };
  return { scriptName: match[1] as string, pathInfo: match[2] ?? '' };
}

/**
 * Parses a `--header 'Name: value'` into the CGI param it becomes: `HTTP_NAME` (upper
 * case, `-` as `_`), or CONTENT_TYPE / CONTENT_LENGTH for those two headers (RFC 3875).
 *
 * @example
 * ```ts
 * headerParam('X-Request-Id: 42'); // ['HTTP_X_REQUEST_ID', '42']
 * headerParam('Content-Type: application/json'); // ['CONTENT_TYPE', 'application/json']
 * ```
 */
export function headerParam(header: string): [string, string] {
  const colon = header.indexOf(':');
  const name = colon < 0 ? '' : header.slice(0, colon).trim();
  if (!headerNamePattern.test(name)) throw usageError(`--header must be 'Name: value' with a name of letters, digits and '-', got '${header}'`);
  const value = header.slice(colon + 1).trim();
  const upper = name.toUpperCase().replaceAll('-', '_');
  return [upper === 'CONTENT_TYPE' || upper === 'CONTENT_LENGTH' ? upper : `HTTP_${upper}`, value];
}

/**
 * Parses a `--param NAME=VALUE` (the value may be empty or contain `=`).
 *
 * @example
 * ```ts
 * paramPair('SCRIPT_FILENAME=/srv/www/index.php'); // ['SCRIPT_FILENAME', '/srv/www/index.php']
 * ```
 */
export function paramPair(param: string): [string, string] {
  const equals = param.indexOf('=');
  if (equals <= 0) throw usageError(`--param must be NAME=VALUE, got '${param}'`);
  return [param.slice(0, equals), param.slice(equals + 1)];
}

/**
 * Checks an HTTP method token.
 *
 * @example
 * ```ts
 * checkMethod('PATCH'); // 'PATCH'
 * ```
 */
export function checkMethod(method: string): string {
  if (!methodPattern.test(method)) throw usageError(`--method must be an HTTP method such as GET or POST, got '${method}'`);
  return method;
}

function setParam(params: [string, string][], name: string, value: string): void {
  const existing = params.findIndex(([known]) => known === name);
  if (existing >= 0) params[existing] = [name, value];
  else params.push([name, value]);
}

function serverName(headers: readonly [string, string][]): string {
  const host = headers.findLast(([name]) => name === 'HTTP_HOST')?.[1];
  return host === undefined || host === '' ? 'localhost' : host.replace(/:\d+$/, '');
}

/**
 * The params of a request, in order: the CGI/1.1 basics, the script split of PATH,
 * DOCUMENT_ROOT and SCRIPT_FILENAME with `--root`, CONTENT_LENGTH with a body, the
 * headers, and last the `--param` overrides.
 *
 * @example
 * ```ts
 * buildRequestParams({ method: 'GET', target: '/index.php?a=1', headers: [], params: [], root: '/srv/www', bodyLength: undefined, serverSoftware: 'fcgi' });
 * // [['GATEWAY_INTERFACE', 'CGI/1.1'], ..., ['SCRIPT_FILENAME', '/srv/www/index.php'], ...]
 * ```
 */
export function buildRequestParams(input: RequestParamsInput): [string, string][] {
  const question = input.target.indexOf('?');
  const path = question < 0 ? input.target : input.target.slice(0, question);
  const query = question < 0 ? '' : input.target.slice(question + 1);
  const { scriptName, pathInfo } = splitScriptPath(path);
  const headers = input.headers.map(headerParam);
  const params: [string, string][] = [
    ['GATEWAY_INTERFACE', 'CGI/1.1'],
    ['SERVER_SOFTWARE', input.serverSoftware],
    ['SERVER_PROTOCOL', 'HTTP/1.1'],
    ['SERVER_NAME', serverName(headers)],
    ['SERVER_ADDR', '127.0.0.1'],
    ['SERVER_PORT', '80'],
    ['REMOTE_ADDR', '127.0.0.1'],
    ['REQUEST_SCHEME', 'http'],
    ['REQUEST_METHOD', input.method],
    ['REQUEST_URI', input.target],
    ['DOCUMENT_URI', scriptName + pathInfo],
    ['SCRIPT_NAME', scriptName],
    ['QUERY_STRING', query],
  ];
  if (pathInfo !== '') params.push(['PATH_INFO', pathInfo]);
  if (input.root !== undefined) {
    const root = input.root.length > 1 ? input.root.replace(/\/+$/, '') : input.root;
    params.push(['DOCUMENT_ROOT', root], ['SCRIPT_FILENAME', `${root === '/' ? '' : root}${scriptName}`]);
    if (pathInfo !== '') params.push(['PATH_TRANSLATED', `${root === '/' ? '' : root}${pathInfo}`]);
  }
  if (input.bodyLength !== undefined) params.push(['CONTENT_LENGTH', String(input.bodyLength)]);
  for (const [name, value] of headers) setParam(params, name, value);
  for (const [name, value] of input.params.map(paramPair)) setParam(params, name, value);
  return params;
}

/**
 * Parses a `--timeout MS` value: a whole number of milliseconds above 0.
 *
 * @example
 * ```ts
 * parseTimeout('2500', '--timeout'); // 2500
 * ```
 */
export function parseTimeout(text: string, flag: string): number {
  const value = /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN;
  if (!(value > 0)) throw usageError(`${flag} must be a whole number of milliseconds above 0, got '${text}'`);
  return value;
}
