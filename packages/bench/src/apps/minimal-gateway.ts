/**
 * The ceiling of an HTTP-to-FastCGI gateway on node:http: a request listener that forwards
 * each request to the app on @fcgi/codec alone, over kept connections (one request at a
 * time on each, up to a cap), with the same params @fcgi/client's gateway sends for a plain
 * GET, and answers with a minimally parsed CGI head and the whole body in one `end()`. No
 * path checks, no timeouts, no streaming, no error handling beyond not crashing: not a
 * product, the floor of what any Node gateway built on node:http costs per request.
 *
 * @module
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { keptUpstreams } from './kept-upstreams.js';

/** Raw header name -> HTTP_* param name (what every gateway caches). */
const headerKeys = new Map<string, string>();

function headerKey(name: string): string {
  let key = headerKeys.get(name);
  if (key === undefined) {
    key = `HTTP_${name.toUpperCase().replace(/-/g, '_')}`;
    headerKeys.set(name, key);
  }
  return key;
}

/** The Host header without its port. */
function hostName(host: string): string {
  const colon = host.lastIndexOf(':');
  return colon > host.lastIndexOf(']') ? host.slice(0, colon) : host;
}

/** The gateway's params for a plain GET, in its order, with the path taken as is. */
function cgiParams(request: IncomingMessage, documentRoot: string): [string, string][] {
  const url = request.url ?? '/';
  const queryIndex = url.indexOf('?');
  const path = queryIndex === -1 ? url : url.slice(0, queryIndex);
  const socket = request.socket;
  const params: [string, string][] = [
    ['QUERY_STRING', queryIndex === -1 ? '' : url.slice(queryIndex + 1)],
    ['REQUEST_METHOD', request.method ?? 'GET'],
    ['CONTENT_TYPE', request.headers['content-type'] ?? ''],
    ['CONTENT_LENGTH', request.headers['content-length'] ?? ''],
    ['SCRIPT_NAME', path],
    ['REQUEST_URI', url],
    ['DOCUMENT_URI', path],
    ['DOCUMENT_ROOT', documentRoot],
    ['SCRIPT_FILENAME', `${documentRoot}${path}`],
    ['PATH_INFO', ''],
    ['SERVER_PROTOCOL', `HTTP/${request.httpVersion}`],
    ['REQUEST_SCHEME', 'http'],
    ['GATEWAY_INTERFACE', 'CGI/1.1'],
    ['SERVER_SOFTWARE', 'fcgi-gateway'],
    ['REMOTE_ADDR', socket.remoteAddress ?? ''],
    ['REMOTE_PORT', String(socket.remotePort ?? '')],
    ['SERVER_ADDR', socket.localAddress ?? ''],
    ['SERVER_PORT', String(socket.localPort ?? '')],
    ['SERVER_NAME', hostName(request.headers.host ?? '')],
    ['REDIRECT_STATUS', '200'],
  ];
  const raw = request.rawHeaders;
  for (let index = 0; index + 1 < raw.length; index += 2) params.push([headerKey(raw[index] as string), raw[index + 1] as string]);
  return params;
}

/** Sends the CGI answer `raw` (head, blank line, body) to `response`. */
function sendAnswer(response: ServerResponse, raw: Buffer): void {
  const end = raw.indexOf('\r\n\r\n');
  const headers: string[] = [];
  let status = 200;
  for (const line of raw.toString('latin1', 0, Math.max(0, end)).split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
    if (name.length === 6 && name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
    else headers.push(name, value);
  }
  const body = raw.subarray(end + 4);
  headers.push('Content-Length', String(body.length));
  response.writeHead(status, headers);
  response.end(body.toString('latin1'), 'latin1');
}

/**
 * A request listener forwarding to the FastCGI app at `address` (a socket path, or
 * `host:port`) with SCRIPT_FILENAME under `documentRoot`, over at most `connections` kept
 * connections; requests beyond them wait in a queue.
 *
 * @example
 * ```ts
 * http.createServer(minimalGateway('/run/php-fpm.sock', '/srv/www', 8)).listen(8080);
 * ```
 */
export function minimalGateway(address: string, documentRoot: string, connections: number): RequestListener {
  const submit = keptUpstreams<[IncomingMessage, ServerResponse]>(address, connections, {
    params: ([request]) => cgiParams(request, documentRoot),
    answer: ([, response], stdout) => sendAnswer(response, stdout),
    lost: ([, response]) => response.writeHead(502).end(),
  });
  return (request, response) => submit([request, response]);
}
