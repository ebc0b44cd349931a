/**
 * `createGateway()`: a node:http request handler that forwards requests to a FastCGI app
 * (php-fpm first of all) and maps the CGI response back to HTTP, a thin layer over
 * {@link Forwarder} that answers every outcome itself.
 *
 * @module
 */
import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type { BalancedClient } from '../balanced.js';
import type { Client } from '../client.js';
import { invalidOption } from '../options.js';
import { ForwardErrorCode } from './forward-error.js';
import { type ForwardOptions, type ForwardOutcome, Forwarder, forwardWithCallbacks } from './forwarder.js';

/**
 * Options of {@link createGateway}: those of a {@link Forwarder} (a request handed back is
 * answered 404) and an error callback.
 *
 * @example
 * ```ts
 * const options: GatewayOptions = { upstream: '127.0.0.1:9000', documentRoot: '/srv/www', checkScriptExists: true };
 * ```
 */
export interface GatewayOptions extends ForwardOptions {
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

/** The gateway's answer texts (a 503 keeps the "Bad Gateway" text it always had). */
const answerTexts: Readonly<Record<number, string>> = { 503: 'Bad Gateway' };

function answer(response: ServerResponse, status: number): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const text = `${answerTexts[status] ?? STATUS_CODES[status] ?? 'Bad Gateway'}\n`;
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}

function settle(outcome: ForwardOutcome, request: IncomingMessage, response: ServerResponse, onError: GatewayOptions['onError']): void {
  if (outcome.kind === 'sent') return;
  if (outcome.kind === 'reset') {
    onError?.(outcome.error.cause, request);
    return;
  }
  if (outcome.kind === 'fallthrough' || outcome.error.code === ForwardErrorCode.ScriptRefused) request.resume();
  if (outcome.kind === 'failed' && outcome.error.code === ForwardErrorCode.UpstreamFailed) {
    onError?.(outcome.error.cause, request);
    if (response.destroyed) return;
  }
  answer(response, outcome.kind === 'fallthrough' ? 404 : outcome.error.status);
}

/** Something threw while forwarding: onError, then a 502 (or a reset when the head was sent). */
function fail(error: unknown, request: IncomingMessage, response: ServerResponse, options: GatewayOptions): void {
  options.onError?.(error, request);
  answer(response, 502);
}

function settleOrFail(outcome: ForwardOutcome, request: IncomingMessage, response: ServerResponse, options: GatewayOptions): void {
  try {
    settle(outcome, request, response, options.onError);
  } catch (error) {
    fail(error, request, response, options);
  }
}

/**
 * Creates a node:http handler that forwards every request to a FastCGI app as CGI/1.1
 * params, streams the body both ways (an answer whose body arrived whole with its head goes
 * out in one write, with a Content-Length) and maps the CGI head back: `Status`, headers
 * (several Set-Cookie kept), `Location` alone as 302; 502 when the app fails before the
 * head, 504 on a timeout, 503 when the queue is full, a reset connection when it fails
 * mid-body. Build your own handler on {@link Forwarder} to act on the outcomes yourself.
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
  const forwarder = new Forwarder(options);
  const gateway = ((request: IncomingMessage, response: ServerResponse): void => {
    // Callbacks, not forward()'s promise: no promise per request. The rest runs on a
    // microtask, as it did after the promise: what `settle` throws is answered as a failure.
    forwardWithCallbacks(
      forwarder,
      request,
      response,
      (outcome) => {
        if (outcome.kind !== 'sent') queueMicrotask(() => settleOrFail(outcome, request, response, options));
      },
      (error) => queueMicrotask(() => fail(error, request, response, options)),
    );
  }) as Gateway;
  Object.defineProperty(gateway, 'client', { value: forwarder.client });
  Object.defineProperty(gateway, 'close', { value: () => forwarder.close() });
  return gateway;
}
