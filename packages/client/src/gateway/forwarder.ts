/**
 * The forwarding core of the gateway and the framework adapters: decides whether a
 * node:http request goes to the FastCGI app (script rules, front controller), sends it,
 * and reports what happened as a {@link ForwardOutcome} the caller acts on (send the
 * answer, let the framework go on, or answer an error).
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BalancedClient } from '../balanced.js';
import { Client } from '../client.js';
import { type ClientOptions, invalidOption, readInteger } from '../options.js';
import type { ClientResponse } from '../request-options.js';
import { type FastCgiForwardError, refusal, upstreamFailure } from './forward-error.js';
import { type ScriptRoute, type ScriptRoutingOptions, routeRequest, setParam } from './script-routing.js';
import { type RelaySettings, ResponseRelay } from './response-relay.js';
import { relayStderr } from './upstream-response.js';

/**
 * Options of a {@link Forwarder}: the app to talk to and how requests map to scripts.
 *
 * @example
 * ```ts
 * const options: ForwardOptions = { upstream: '127.0.0.1:9000', documentRoot: '/srv/www', scriptsOnly: true, frontController: 'index.php' };
 * ```
 */
export interface ForwardOptions extends ScriptRoutingOptions {
  /** The app: an address, several addresses (balanced, with failover), client options, or a `Client` / `BalancedClient` you own. */
  upstream: string | readonly string[] | ClientOptions | Client | BalancedClient;
  /** Extra or overriding params (trusted configuration, e.g. PHP_VALUE), or a function of the request. */
  params?: Readonly<Record<string, string>> | ((request: IncomingMessage) => Readonly<Record<string, string>>);
  /** Hand back requests the app answers 404 and (with a `documentRoot`) missing scripts, as `fallthrough` (default false). */
  fallthrough?: boolean;
  /** A body without Content-Length is buffered up to this many bytes to learn its length; more is refused with 413 (default 10 MiB). */
  maxBufferedBody?: number;
  /** Most ms until the CGI head (default: the client's headersTimeout). */
  timeout?: number;
  /** Receives each STDERR line of the app, control characters escaped (default: dropped). */
  onStderr?: (line: string, request: IncomingMessage) => void;
}

/**
 * Why a request was handed back: a path that is not a script (with `scriptsOnly`), a
 * script missing on disk, or a 404 of the app (with `fallthrough`).
 *
 * @example
 * ```ts
 * const reason: FallthroughReason = 'missing-script';
 * ```
 */
export type FallthroughReason = 'not-a-script' | 'missing-script' | 'not-found';

/**
 * What {@link Forwarder.open} got: the app's answer at its CGI head, a request handed
 * back, or a failure (`error.status` is the HTTP status to answer with).
 *
 * @example
 * ```ts
 * const outcome: UpstreamOutcome = await forwarder.open(request);
 * if (outcome.kind === 'answered') outcome.response.body.pipe(response);
 * ```
 */
export type UpstreamOutcome =
  | { readonly kind: 'answered'; readonly response: ClientResponse }
  | { readonly kind: 'fallthrough'; readonly reason: FallthroughReason }
  | { readonly kind: 'failed'; readonly error: FastCgiForwardError };

/**
 * What {@link Forwarder.forward} did: sent the app's answer, reset the connection when the
 * answer failed midway (`error`), handed the request back, or failed before sending
 * anything (answer with `error.status`).
 *
 * @example
 * ```ts
 * const outcome: ForwardOutcome = await forwarder.forward(req, res);
 * if (outcome.kind === 'fallthrough') next();
 * else if (outcome.kind === 'failed') next(outcome.error);
 * ```
 */
export type ForwardOutcome =
  | { readonly kind: 'sent' }
  | { readonly kind: 'reset'; readonly error: FastCgiForwardError }
  | Exclude<UpstreamOutcome, { kind: 'answered' }>;

/**
 * Per-request options of {@link Forwarder.open}.
 *
 * @example
 * ```ts
 * await forwarder.open(req, { url: req.originalUrl, response: res, signal: AbortSignal.timeout(5000) });
 * ```
 */
export interface OpenOptions {
  /** The full URL, sent as REQUEST_URI (default `request.url`). */
  url?: string | undefined;
  /** Aborts the request to the app. */
  signal?: AbortSignal | undefined;
  /** The response the answer goes to: the request to the app is aborted when it closes before it finished. */
  response?: ServerResponse | undefined;
}

function createClient(upstream: ForwardOptions['upstream']): Client | BalancedClient {
  if (upstream instanceof Client || upstream instanceof BalancedClient) return upstream;
  if (typeof upstream === 'string') return new Client({ address: upstream });
  if (Array.isArray(upstream)) return new BalancedClient({ upstreams: upstream as readonly string[] });
  return new Client(upstream as ClientOptions);
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

function tooLarge(limit: number): Extract<UpstreamOutcome, { kind: 'failed' }> {
  return { kind: 'failed', error: refusal(413, `the body is larger than maxBufferedBody (${limit} bytes)`) };
}

/** An AbortSignal that fires when `response` closes before it finished. */
function abortOnClose(response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  response.once('close', () => {
    if (!response.writableFinished) controller.abort();
  });
  return controller.signal;
}

/** The signal of the request to the app: `signal`, the early close of `response`, or both. */
function requestSignal(options: OpenOptions): AbortSignal | undefined {
  const closed = options.response === undefined ? undefined : abortOnClose(options.response);
  if (closed === undefined || options.signal === undefined) return closed ?? options.signal;
  return AbortSignal.any([closed, options.signal]);
}

/** Receives what a forward did (see {@link forwardWithCallbacks}). */
type Report = (outcome: ForwardOutcome) => void;
/** Receives what threw while forwarding (a `params` function failing, a request body failing). */
type Fail = (error: unknown) => void;

/** Set by Forwarder's static block: its private `#forward`, for {@link forwardWithCallbacks}. */
let forwardPrivately: (forwarder: Forwarder, request: IncomingMessage, response: ServerResponse, report: Report, fail: Fail) => void;

/**
 * `forwarder.forward(request, response)` reporting to callbacks instead of a promise:
 * `report` gets the outcome, `fail` what the promise would have been rejected with. Not
 * exported from the package: createGateway's path, with no promise per request.
 *
 * @example
 * ```ts
 * forwardWithCallbacks(forwarder, req, res, (outcome) => console.log(outcome.kind), (error) => console.error(error));
 * ```
 */
export function forwardWithCallbacks(forwarder: Forwarder, request: IncomingMessage, response: ServerResponse, report: Report, fail: Fail): void {
  forwardPrivately(forwarder, request, response, report, fail);
}

/**
 * Forwards node:http requests to one FastCGI app with the gateway's CGI mapping and
 * safety rules. `forward(req, res)` sends the answer to a node:http response;
 * `open(req)` stops at the app's CGI head for a framework that sends replies itself.
 * Neither throws for a failure of the app or a refused request: the outcome says what
 * happened, and `createGateway`, `@fcgi/express` and `@fcgi/fastify` are thin layers
 * mapping it to their own answers.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { Forwarder } from '@fcgi/client';
 * const php = new Forwarder({ upstream: '127.0.0.1:9000', documentRoot: '/srv/www', scriptsOnly: true });
 * createServer(async (req, res) => {
 *   const outcome = await php.forward(req, res);
 *   if (outcome.kind === 'fallthrough') res.writeHead(404).end('static files here\n');
 *   else if (outcome.kind === 'failed') res.writeHead(outcome.error.status).end();
 * }).listen(8080);
 * ```
 */
export class Forwarder {
  /** The client requests go through. */
  readonly client: Client | BalancedClient;
  readonly #ownsClient: boolean;
  readonly #options: ForwardOptions;
  readonly #maxBufferedBody: number;
  readonly #relaySettings: RelaySettings;

  static {
    forwardPrivately = (forwarder, request, response, report, fail) => forwarder.#forward(request, response, undefined, undefined, report, fail);
  }

  constructor(options: ForwardOptions) {
    if (typeof options !== 'object' || options === null || options.upstream === undefined) {
      throw invalidOption('forwarding needs an `upstream` (an address, addresses, client options or a Client)');
    }
    if (options.documentRoot !== undefined && !options.documentRoot.startsWith('/')) throw invalidOption('documentRoot must be an absolute path');
    this.#maxBufferedBody = readInteger('maxBufferedBody', options.maxBufferedBody, 10 * 1024 * 1024, 0);
    this.client = createClient(options.upstream);
    this.#ownsClient = this.client !== options.upstream;
    this.#options = options.fallthrough === true ? { ...options, checkScriptExists: true } : options;
    this.#relaySettings = { fallthrough: options.fallthrough === true, onStderr: options.onStderr };
  }

  /** Decides, asks the app and resolves at its CGI head (a 404 of the app is drained and handed back with `fallthrough`). */
  async open(request: IncomingMessage, options: OpenOptions = {}): Promise<UpstreamOutcome> {
    const route = await routeRequest(request, options.url ?? request.url ?? '/', this.#options);
    if (route.kind === 'fallthrough') return route;
    if (route.kind === 'refused') return { kind: 'failed', error: refusal(route.status, route.reason) };
    this.#addParams(request, route.params);
    const body = await this.#body(request, route.params);
    if (body === false) return tooLarge(this.#maxBufferedBody);
    return this.#ask(request, route.params, body, requestSignal(options));
  }

  /**
   * Forwards `request` and sends the app's answer to `response`; resolves when it is done.
   * An answer whose body arrived whole with its head goes out in one write with a
   * Content-Length (resolving once it is handed to the socket); a longer one is streamed.
   * Built on `dispatch()`: no stream, promise or AbortController per request besides the
   * one this returns.
   */
  forward(request: IncomingMessage, response: ServerResponse, options: Omit<OpenOptions, 'response'> = {}): Promise<ForwardOutcome> {
    return new Promise((resolve, reject) => this.#forward(request, response, options.url, options.signal, resolve, reject));
  }

  /** `forward()` reporting to callbacks: `report` gets the outcome, `fail` what threw (a `params` function failing, say). */
  #forward(request: IncomingMessage, response: ServerResponse, url: string | undefined, signal: AbortSignal | undefined, report: Report, fail: Fail): void {
    try {
      const route = routeRequest(request, url ?? request.url ?? '/', this.#options);
      if (route instanceof Promise) {
        route.then((settled) => this.#forwardRoute(request, response, signal, settled, report, fail)).catch(fail);
      } else {
        this.#forwardRoute(request, response, signal, route, report, fail);
      }
    } catch (error) {
      fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #forwardRoute(request: IncomingMessage, response: ServerResponse, signal: AbortSignal | undefined, route: ScriptRoute, report: Report, fail: Fail): void {
    if (route.kind === 'fallthrough') return report(route);
    if (route.kind === 'refused') return report({ kind: 'failed', error: refusal(route.status, route.reason) });
    this.#addParams(request, route.params);
    const body = this.#body(request, route.params);
    if (body instanceof Promise) body.then((settled) => this.#relay(request, response, signal, route.params, settled, report)).catch(fail);
    else this.#relay(request, response, signal, route.params, body, report);
  }

  #relay(request: IncomingMessage, response: ServerResponse, signal: AbortSignal | undefined, params: [string, string][], body: IncomingMessage | Buffer | undefined | false, report: Report): void {
    if (body === false) return report(tooLarge(this.#maxBufferedBody));
    const relay = new ResponseRelay(request, response, this.#relaySettings, report);
    relay.attach(this.client.dispatch({ params, body, signal, timeout: this.#options.timeout }, relay));
  }

  #addParams(request: IncomingMessage, params: [string, string][]): void {
    const extra = typeof this.#options.params === 'function' ? this.#options.params(request) : this.#options.params;
    if (extra === undefined) return;
    for (const name of Object.keys(extra)) setParam(params, name, extra[name] as string);
  }

  /** Closes the client when it was created from the options. */
  close(): Promise<void> {
    return this.#ownsClient ? this.client.close() : Promise.resolve();
  }

  /** The body to send: the request itself, none, or (without Content-Length) buffered; `false` when too large. */
  #body(request: IncomingMessage, params: [string, string][]): IncomingMessage | undefined | Promise<Buffer | false> {
    if (request.headers['content-length'] !== undefined) return request;
    if (request.headers['transfer-encoding'] === undefined) return undefined;
    return readLimited(request, this.#maxBufferedBody).then((buffered) => {
      if (buffered === undefined) return false;
      setParam(params, 'CONTENT_LENGTH', String(buffered.length));
      return buffered;
    });
  }

  async #ask(request: IncomingMessage, params: [string, string][], body: IncomingMessage | Buffer | undefined, signal: AbortSignal | undefined): Promise<UpstreamOutcome> {
    const timeout = this.#options.timeout;
    let response: ClientResponse;
    try {
      response = await this.client.request({ params, body, signal, ...(timeout === undefined ? {} : { timeout }) });
    } catch (error) {
      return { kind: 'failed', error: upstreamFailure(error) };
    }
    void relayStderr(response, request, this.#options.onStderr);
    if (this.#options.fallthrough !== true || response.status !== 404) return { kind: 'answered', response };
    response.body.resume();
    return { kind: 'fallthrough', reason: 'not-found' };
  }
}
