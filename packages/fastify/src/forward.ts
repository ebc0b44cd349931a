/**
 * The forwarding core shared by the middleware: maps a request to CGI params with the
 * client's `mapCgiParams` (all the gateway's safety rules), decides whether the backend
 * should see it at all (scripts only, front controller, missing scripts), and sends it.
 *
 * @module
 */
import { stat } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { posix } from 'node:path';
import { type BalancedClient, type CgiParamsOptions, Client, type ClientOptions, type ClientResponse, DEFAULT_SPLIT_PATH_INFO, BalancedClient as Balanced, mapCgiParams } from '@fcgi/client';
import { invalidOption } from './errors.js';

/**
 * Options of the forwarding core: the app to talk to and how requests map to scripts.
 *
 * @example
 * ```ts
 * const options: ForwardOptions = { upstream: '127.0.0.1:9000', documentRoot: '/srv/www', frontController: 'index.php' };
 * ```
 */
export interface ForwardOptions extends CgiParamsOptions {
  /** The FastCGI app: an address, several (balanced with failover), client options, or a `Client`/`BalancedClient` you own. */
  upstream: string | readonly string[] | ClientOptions | Client | BalancedClient;
  /** Extra or overriding params (trusted configuration, e.g. PHP_VALUE), or a function of the request. */
  params?: Readonly<Record<string, string>> | ((request: IncomingMessage) => Readonly<Record<string, string>>);
  /**
   * With a `documentRoot`: the script that answers every path that is neither an existing
   * script nor an existing file (those call `next()` for the framework's static files),
   * with the path as PATH_INFO (WordPress-style pretty URLs: `/blog/hello` runs
   * `/index.php` with PATH_INFO `/blog/hello`; REQUEST_URI stays `/blog/hello`).
   */
  frontController?: string;
  /** Check on disk that the script exists before asking the app (default false; implied by `fallthrough`). */
  checkScriptExists?: boolean;
  /** A body without Content-Length is buffered up to this many bytes (default 10 MiB); more is refused with 413. */
  maxBufferedBody?: number;
  /** Most milliseconds until the CGI head (default: the client's). */
  timeout?: number;
  /** Receives each STDERR line of the app (default: dropped). */
  onStderr?: (line: string, request: IncomingMessage) => void;
}

/**
 * What to do with a request: forward it, let the framework go on, or refuse it.
 *
 * @example
 * ```ts
 * const decision: ForwardDecision = await forwarder.prepare(req, req.originalUrl);
 * if (decision.kind === 'skip') next();
 * ```
 */
export type ForwardDecision =
  | { readonly kind: 'skip'; readonly reason: 'not-a-script' | 'missing-script' }
  | { readonly kind: 'refuse'; readonly status: 400 | 404 | 413; readonly reason: string }
  | { readonly kind: 'forward'; readonly params: Map<string, string>; readonly body: IncomingMessage | Buffer | undefined };

const hopByHop = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);

/**
 * The response headers of the app worth passing on (hop-by-hop ones dropped), repeated
 * names (Set-Cookie) kept as arrays.
 *
 * @example
 * ```ts
 * for (const [name, value] of responseHeaders(upstream)) res.setHeader(name, value);
 * ```
 */
export function responseHeaders(upstream: ClientResponse): Map<string, string | string[]> {
  const grouped = new Map<string, string[]>();
  for (const [name, value] of upstream.rawHeaders) {
    const key = name.toLowerCase();
    if (hopByHop.has(key)) continue;
    const list = grouped.get(key) ?? [];
    if (list.length === 0) grouped.set(key, list);
    list.push(value);
  }
  return new Map([...grouped].map(([name, values]) => [name, values.length === 1 ? (values[0] as string) : values]));
}

/**
 * The HTTP status for an error of the app: 503 when the client's queue is full, 504 on a
 * timeout, 502 otherwise.
 *
 * @example
 * ```ts
 * upstreamStatus(error); // 502
 * ```
 */
export function upstreamStatus(error: unknown): number {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ERR_FCGI_QUEUE_FULL') return 503;
  return (error as { name?: unknown } | null)?.name === 'FastCgiTimeoutError' ? 504 : 502;
}

/**
 * Sends the app's STDERR lines to `onStderr`, or drops them.
 *
 * @example
 * ```ts
 * void relayStderr(upstream, req, (line) => console.warn(line));
 * ```
 */
export async function relayStderr(upstream: ClientResponse, request: IncomingMessage, onStderr: ForwardOptions['onStderr']): Promise<void> {
  if (onStderr === undefined) {
    upstream.stderr.resume();
    return;
  }
  let pending = '';
  try {
    for await (const chunk of upstream.stderr) {
      const lines = (pending + (chunk as Buffer).toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) onStderr(line.replace(/\r$/, ''), request);
    }
  } catch {
    // The request failed; that error is reported on the response path.
  }
  if (pending !== '') onStderr(pending, request);
}

function requestView(request: IncomingMessage, url: string): IncomingMessage {
  const { method, headers, rawHeaders, httpVersion, socket } = request;
  return { url, method, headers, rawHeaders, httpVersion, socket } as IncomingMessage;
}

/** The URL that runs the front controller with the request path as PATH_INFO. */
function frontControllerUrl(url: string, frontController: string): string {
  const queryIndex = url.indexOf('?');
  const path = queryIndex === -1 ? url : url.slice(0, queryIndex);
  const query = queryIndex === -1 ? '' : url.slice(queryIndex);
  return `/${frontController.replace(/^\//, '')}${path === '/' ? '' : path}${query}`;
}

async function isFile(path: string | undefined): Promise<boolean> {
  if (path === undefined) return false;
  const info = await stat(path).catch(() => undefined);
  return info?.isFile() === true;
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

function createClient(upstream: ForwardOptions['upstream']): { client: Client | BalancedClient; owned: boolean } {
  if (upstream instanceof Client || upstream instanceof Balanced) return { client: upstream, owned: false };
  if (typeof upstream === 'string') return { client: new Client({ address: upstream }), owned: true };
  if (Array.isArray(upstream)) return { client: new Balanced({ upstreams: upstream as readonly string[] }), owned: true };
  return { client: new Client(upstream as ClientOptions), owned: true };
}

/**
 * Forwards requests to one FastCGI app: `prepare()` decides, `send()` asks the app.
 *
 * @example
 * ```ts
 * const forwarder = new Forwarder({ upstream: '127.0.0.1:9000', documentRoot: '/srv/www' });
 * const decision = await forwarder.prepare(req, req.url);
 * if (decision.kind === 'forward') (await forwarder.send(req, decision, signal)).body.pipe(res);
 * ```
 */
export class Forwarder {
  /** The client requests go through. */
  readonly client: Client | BalancedClient;
  readonly #owned: boolean;
  readonly #options: ForwardOptions;
  readonly #maxBufferedBody: number;

  constructor(options: ForwardOptions) {
    if (typeof options !== 'object' || options === null || options.upstream === undefined) {
      throw invalidOption('the fastcgi plugin needs an `upstream` (an address, addresses, client options or a Client)');
    }
    if (options.documentRoot !== undefined && !options.documentRoot.startsWith('/')) throw invalidOption('documentRoot must be an absolute path');
    const maxBufferedBody = options.maxBufferedBody ?? 10 * 1024 * 1024;
    if (!Number.isSafeInteger(maxBufferedBody) || maxBufferedBody < 0) throw invalidOption('maxBufferedBody must be a non-negative integer');
    const { client, owned } = createClient(options.upstream);
    this.client = client;
    this.#owned = owned;
    this.#options = options;
    this.#maxBufferedBody = maxBufferedBody;
  }

  /** Decides what to do with `request`, `url` being its full URL (REQUEST_URI). */
  async prepare(request: IncomingMessage, url: string, checkScript: boolean): Promise<ForwardDecision> {
    const options = this.#options;
    let mapping = mapCgiParams(requestView(request, url), options);
    if (!mapping.ok) return { kind: 'refuse', status: mapping.status, reason: mapping.reason };
    if (options.documentRoot !== undefined) {
      const documentUri = mapping.params.find(([name]) => name === 'DOCUMENT_URI')?.[1] ?? '';
      const isScript = (options.splitPathInfo ?? DEFAULT_SPLIT_PATH_INFO).test(documentUri);
      const front = options.frontController;
      const mustCheck = front !== undefined || checkScript || options.checkScriptExists === true;
      const exists = isScript && (!mustCheck || (await isFile(mapping.scriptFilename)));
      if (!isScript && (front === undefined || (await isFile(posix.join(posix.resolve(options.documentRoot), documentUri))))) return { kind: 'skip', reason: 'not-a-script' };
      if (!exists && front !== undefined) {
        mapping = mapCgiParams(requestView(request, frontControllerUrl(url, front)), options);
        if (!mapping.ok) return { kind: 'refuse', status: mapping.status, reason: mapping.reason };
      } else if (!exists) return { kind: 'skip', reason: 'missing-script' };
    }
    const params = new Map(mapping.params);
    params.set('REQUEST_URI', url);
    return this.#withBody(request, params);
  }

  async #withBody(request: IncomingMessage, params: Map<string, string>): Promise<ForwardDecision> {
    const extra = typeof this.#options.params === 'function' ? this.#options.params(request) : this.#options.params;
    for (const [name, value] of Object.entries(extra ?? {})) params.set(name, value);
    if (request.headers['content-length'] !== undefined) return { kind: 'forward', params, body: request };
    if (request.headers['transfer-encoding'] === undefined) return { kind: 'forward', params, body: undefined };
    const buffered = await readLimited(request, this.#maxBufferedBody);
    if (buffered === undefined) return { kind: 'refuse', status: 413, reason: `the body is larger than maxBufferedBody (${this.#maxBufferedBody} bytes)` };
    params.set('CONTENT_LENGTH', String(buffered.length));
    return { kind: 'forward', params, body: buffered };
  }

  /** Asks the app; resolves at its CGI head. */
  send(request: IncomingMessage, decision: Extract<ForwardDecision, { kind: 'forward' }>, signal: AbortSignal): Promise<ClientResponse> {
    const timeout = this.#options.timeout;
    const pending = this.client.request({ params: decision.params, body: decision.body, signal, ...(timeout === undefined ? {} : { timeout }) });
    return pending.then((upstream) => {
      void relayStderr(upstream, request, this.#options.onStderr);
      return upstream;
    });
  }

  /** Closes the client when it was created from the options. */
  close(): Promise<void> {
    return this.#owned ? this.client.close() : Promise.resolve();
  }
}
