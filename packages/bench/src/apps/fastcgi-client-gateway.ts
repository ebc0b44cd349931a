/**
 * The npm fastcgi-client 0.2.0 baseline: a node:http server that forwards each request to
 * php-fpm with it, reads the whole CGI answer (hello.php is tiny), parses the head and sends
 * the body. The params are the same set @fcgi/client's gateway sends for a plain GET.
 *
 * @module
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';

interface FastcgiClientRequest {
  stdin: Writable;
  stdout: Readable;
  stderr: Readable;
}

interface FastcgiClient extends EventEmitter {
  request(params: Record<string, string | number>, callback: (error: Error | null, request: FastcgiClientRequest) => void): void;
}

// fastcgi-client is CommonJS exporting the function itself (its bundled types say `export default`).
const createClient = createRequire(import.meta.url)('fastcgi-client') as (options: Record<string, string | number | boolean>) => FastcgiClient;

function parseAnswer(raw: Buffer): { status: number; headers: Record<string, string>; body: Buffer } {
  const end = raw.indexOf('\r\n\r\n');
  const head = end < 0 ? '' : raw.subarray(0, end).toString('latin1');
  const headers: Record<string, string> = {};
  let status = 200;
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
    else headers[name] = value;
  }
  return { status, headers, body: end < 0 ? raw : raw.subarray(end + 4) };
}

function fail(response: ServerResponse): void {
  if (!response.headersSent) response.writeHead(502);
  response.end();
}

/**
 * A request listener forwarding to php-fpm at `address` (`host:port` or a socket path) with
 * `documentRoot`, through npm fastcgi-client.
 *
 * @example
 * ```ts
 * http.createServer(fastcgiClientGateway('127.0.0.1:9000', '/srv/www')).listen(8080);
 * ```
 */
export function fastcgiClientGateway(address: string, documentRoot: string): RequestListener {
  const [host, port] = address.split(':');
  const client = address.startsWith('/')
    ? createClient({ sockFile: address, maxConns: 64, maxReqs: 64, mpxsConns: 0, skipCheckServer: true })
    : createClient({ host: host ?? '127.0.0.1', port: Number(port), maxConns: 64, maxReqs: 64, mpxsConns: 0, skipCheckServer: true });
  client.on('error', () => undefined);
  return (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://x');
    const params = {
      QUERY_STRING: url.search.slice(1),
      REQUEST_METHOD: request.method ?? 'GET',
      CONTENT_TYPE: '',
      CONTENT_LENGTH: '',
      SCRIPT_FILENAME: `${documentRoot}${url.pathname}`,
      SCRIPT_NAME: url.pathname,
      REQUEST_URI: request.url ?? '/',
      DOCUMENT_URI: url.pathname,
      DOCUMENT_ROOT: documentRoot,
      SERVER_PROTOCOL: `HTTP/${request.httpVersion}`,
      GATEWAY_INTERFACE: 'CGI/1.1',
      REMOTE_ADDR: request.socket.remoteAddress ?? '',
      REMOTE_PORT: request.socket.remotePort ?? 0,
      SERVER_ADDR: request.socket.localAddress ?? '',
      SERVER_PORT: request.socket.localPort ?? 0,
      SERVER_NAME: 'localhost',
      REDIRECT_STATUS: 200,
    };
    client.request(params, (error, fastcgiRequest) => {
      if (error !== null) return fail(response);
      const chunks: Buffer[] = [];
      fastcgiRequest.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
      fastcgiRequest.stdout.on('error', () => fail(response));
      fastcgiRequest.stdout.on('end', () => {
        const answer = parseAnswer(Buffer.concat(chunks));
        response.writeHead(answer.status, { ...answer.headers, 'Content-Length': String(answer.body.length) });
        response.end(answer.body);
      });
      fastcgiRequest.stderr.resume();
      fastcgiRequest.stdin.end();
    });
  };
}
