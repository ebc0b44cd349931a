/**
 * `createGateway()`: a node:http request handler that forwards requests to a FastCGI app
 * (php-fpm first of all) and maps the CGI response back to HTTP.
 *
 * @module
 */
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { CodecErrorCode, FastCgiError } from '@fcgi/codec';
import { BalancedClient } from '../balanced.js';
import { Client } from '../client.js';
import { ClientErrorCode } from '../errors.js';
import { type ClientOptions, invalidOption, readInteger } from '../options.js';
import type { ClientResponse } from '../request-options.js';
import { type CgiParamsOptions, mapCgiParams } from './cgi-params.js';

/**
 * Options of {@link createGateway}.
 *
 * @example
 * ```ts
 * const options: GatewayOptions = { upstream: '127.0.0.1:9000', documentRoot: '/srv/www', checkScriptExists: true };
 * ```
 */
export interface GatewayOptions extends CgiParamsOptions {
  /** The app: an address, several addresses (balanced, with failover), client options, or a `Client` / `BalancedClient` you own. */
  upstream: string | readonly string[] | ClientOptions | Client | BalancedClient;
  /** Extra or overriding params (trusted configuration, e.g. PHP_VALUE), or a function of the request. */
  params?: Readonly<Record<string, string>> | ((request: IncomingMessage) => Readonly<Record<string, string>>);
  /** Answer 404 without asking the app when SCRIPT_FILENAME is not a file (like `try_files`; default false). */
  checkScriptExists?: boolean;
  /** A body without Content-Length is buffered up to this many bytes to learn its length; more gets 413 (default 10 MiB). */
  maxBufferedBody?: number;
  /** Most ms until the CGI head (default: the client's headersTimeout). */
  timeout?: number;
  /** Receives each STDERR line of the app, control characters replaced (default: dropped). */
  onStderr?: (line: string, request: IncomingMessage) => void;
  /** Receives errors that became a 4xx/5xx or a reset connection (default: none). */
  onError?: (error: unknown, request: IncomingMessage) => void;
}

/**
 * The handler returned by {@link createGateway}: a node:http listener with its client.
 *
 * @example
 * ```ts
 * const gateway: Gateway = createGateway({ upstream: '127.0.0.1:9000' });
 * http.createServer(gateway).listen(8080);
 * ```
 */
export interface Gateway {
  (request: IncomingMessage, response: ServerResponse): void;
  /** The client the gateway forwards with. */
  readonly client: Client | BalancedClient;
  /** Closes the client when the gateway created it. */
  close(): Promise<void>;
}

const hopByHopHeaders = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);

function errorStatus(error: unknown): number {
  if (!FastCgiError.is(error)) return 502;
  if (error.code === ClientErrorCode.QueueFull) return 503;
  // A header too large for one PARAMS record is the HTTP client's fault, not the app's.
  if (error.code === CodecErrorCode.ParamTooLarge) return 431;
  return error.name === 'FastCgiTimeoutError' ? 504 : 502;
}

function answer(response: ServerResponse, status: number, text: string): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}

/**
 * Replaces control characters (except tab) so a log line cannot forge others.
 *
 * @example
 * ```ts
 * sanitizeLogLine('a\nb'); // 'a\\x0ab'
 * ```
 */
export function sanitizeLogLine(line: string): string {
  // eslint-disable-next-line no-control-regex
  return line.replace(/[\x00-\x08\x0a-\x1f\x7f]/g, (character) => `\\x${character.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Longest STDERR line given to `onStderr`; longer lines come in pieces (memory stays bounded). */
const maxStderrLine = 16 * 1024;

async function forwardStderr(upstream: ClientResponse, request: IncomingMessage, onStderr: GatewayOptions['onStderr']): Promise<void> {
  if (onStderr === undefined) {
    upstream.stderr.resume();
    return;
  }
  const emit = (line: string): void => {
    for (let start = 0; start < line.length || start === 0; start += maxStderrLine) onStderr(sanitizeLogLine(line.slice(start, start + maxStderrLine)), request);
  };
  let pending = '';
  try {
    for await (const chunk of upstream.stderr) {
      pending += (chunk as Buffer).toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) emit(line.replace(/\r$/, ''));
      // A line without an end is not buffered without bound: full pieces go out now.
      if (pending.length > maxStderrLine) {
        const cut = pending.length - (pending.length % maxStderrLine);
        emit(pending.slice(0, cut));
        pending = pending.slice(cut);
      }
    }
  } catch {
    // the request failed: its error is reported elsewhere
  }
  if (pending !== '') emit(pending);
}

async function readLimited(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of request) {
    total += (chunk as Buffer).length;
    if (total > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function hasBody(request: IncomingMessage): boolean {
  return request.headers['content-length'] !== undefined || request.headers['transfer-encoding'] !== undefined;
}

function writeHead(response: ServerResponse, upstream: ClientResponse): void {
  const grouped = new Map<string, string[]>();
  for (const [name, value] of upstream.rawHeaders) {
    if (hopByHopHeaders.has(name.toLowerCase())) continue;
    const list = grouped.get(name.toLowerCase()) ?? [];
    if (list.length === 0) grouped.set(name.toLowerCase(), list);
    list.push(value);
  }
  for (const [name, values] of grouped) response.setHeader(name, values.length === 1 ? (values[0] as string) : values);
  response.writeHead(upstream.status, upstream.statusText);
}

/**
 * `pipeline(body, response)` without its per-call AbortController and listeners (a measurable
 * share of a small request's cost): pipes, rejects when the body fails, destroys the body
 * when the response closes before it finished.
 */
function forwardBody(body: Readable, response: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      response.off('close', onClose);
      body.unpipe(response);
      reject(error);
    };
    const onClose = (): void => {
      body.off('error', onError);
      if (response.writableFinished) resolve();
      else {
        body.destroy();
        reject(new Error('The response closed before its body was sent'));
      }
    };
    body.once('error', onError);
    response.once('close', onClose);
    body.pipe(response);
  });
}

function upstreamClient(upstream: GatewayOptions['upstream']): Client | BalancedClient {
  if (upstream instanceof Client || upstream instanceof BalancedClient) return upstream;
  if (typeof upstream === 'string') return new Client({ address: upstream });
  if (Array.isArray(upstream)) return new BalancedClient({ upstreams: upstream as readonly string[] });
  return new Client(upstream as ClientOptions);
}

/**
 * Creates a node:http handler that forwards every request to a FastCGI app as CGI/1.1
 * params, streams the body both ways and maps the CGI head back: `Status`, headers
 * (several Set-Cookie kept), `Location` alone as 302; 502 when the app fails before the
 * head, 504 on a timeout, 503 when the queue is full, a reset connection when it fails
 * mid-body.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { createGateway } from '@fcgi/client';
 * const gateway = createGateway({ upstream: '127.0.0.1:9000', documentRoot: '/srv/www', index: 'index.php' });
 * createServer(gateway).listen(8080);
 * ```
 */
export function createGateway(options: GatewayOptions): Gateway {
  if (typeof options !== 'object' || options === null) throw invalidOption('createGateway options must be an object');
  const client = upstreamClient(options.upstream);
  const ownsClient = client !== options.upstream;
  const maxBufferedBody = readInteger('maxBufferedBody', options.maxBufferedBody, 10 * 1024 * 1024, 0);
  if (options.documentRoot !== undefined && !options.documentRoot.startsWith('/')) throw invalidOption('documentRoot must be an absolute path');

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const mapping = mapCgiParams(request, options);
    if (!mapping.ok) {
      request.resume();
      answer(response, mapping.status, mapping.status === 404 ? 'Not Found\n' : 'Bad Request\n');
      return;
    }
    if (options.checkScriptExists === true && mapping.scriptFilename !== undefined) {
      const file = await stat(mapping.scriptFilename).catch(() => undefined);
      if (file === undefined || !file.isFile()) {
        request.resume();
        answer(response, 404, 'Not Found\n');
        return;
      }
    }
    const params = new Map(mapping.params);
    let body: IncomingMessage | Buffer | undefined;
    if (request.headers['content-length'] !== undefined) body = request;
    else if (hasBody(request)) {
      const buffered = await readLimited(request, maxBufferedBody);
      if (buffered === undefined) {
        answer(response, 413, 'Payload Too Large\n');
        return;
      }
      body = buffered;
      params.set('CONTENT_LENGTH', String(buffered.length));
    }
    const extra = typeof options.params === 'function' ? options.params(request) : options.params;
    for (const [name, value] of Object.entries(extra ?? {})) params.set(name, value);
    const controller = new AbortController();
    response.once('close', () => {
      if (!response.writableFinished) controller.abort();
    });
    let upstream: ClientResponse;
    try {
      upstream = await client.request({ params, body, signal: controller.signal, ...(options.timeout === undefined ? {} : { timeout: options.timeout }) });
    } catch (error) {
      options.onError?.(error, request);
      const status = errorStatus(error);
      if (!response.destroyed) answer(response, status, status === 504 ? 'Gateway Timeout\n' : status === 431 ? 'Request Header Fields Too Large\n' : 'Bad Gateway\n');
      return;
    }
    void forwardStderr(upstream, request, options.onStderr);
    try {
      writeHead(response, upstream);
    } catch (error) {
      upstream.body.destroy();
      options.onError?.(error, request);
      answer(response, 502, 'Bad Gateway\n');
      return;
    }
    try {
      await forwardBody(upstream.body, response);
    } catch (error) {
      options.onError?.(error, request);
      response.destroy();
    }
  };

  const gateway = ((request: IncomingMessage, response: ServerResponse): void => {
    handle(request, response).catch((error: unknown) => {
      options.onError?.(error, request);
      answer(response, 502, 'Bad Gateway\n');
    });
  }) as Gateway;
  Object.defineProperty(gateway, 'client', { value: client });
  Object.defineProperty(gateway, 'close', { value: () => (ownsClient ? client.close() : Promise.resolve()) });
  return gateway;
}
