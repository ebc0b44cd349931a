/**
 * The gateway's dispatch handler: passes the app's answer to a node:http response with no
 * stream in between. An answer that arrived whole in one read (head, body and
 * END_REQUEST: what php-fpm sends for any page that fits its output buffer) goes out in
 * one `end()` with a Content-Length; a longer one is streamed with backpressure.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastCgiError, HeaderEntry } from '@fcgi/codec';
import type { DispatchController, DispatchHandler } from '../dispatch.js';
import type { ForwardOutcome } from './forwarder.js';
import { upstreamFailure } from './forward-error.js';
import { StderrLines, setRawHeaders } from './upstream-response.js';

/** The outcome of every answer sent (one object for all: outcomes are read-only). */
const sent: ForwardOutcome = Object.freeze({ kind: 'sent' });

/** Up to this many bytes, a whole body is sent as a latin1 string joined to the head. */
const joinLimit = 16 * 1024;

/** Statuses that carry no body, so no Content-Length either (RFC 9110 8.6). */
function mayHaveBody(status: number, method: string | undefined): boolean {
  return status >= 200 && status !== 204 && status !== 304 && method !== 'HEAD';
}

/**
 * Where the relay is: waiting for the head; holding the head (and the body of the same
 * read) until that read is over; streaming; draining a 404 handed back; finished.
 */
type RelayState = 'waiting' | 'holding' | 'streaming' | 'draining' | 'finished';

/**
 * What a {@link ResponseRelay} needs besides the response.
 *
 * @example
 * ```ts
 * const settings: RelaySettings = { fallthrough: false, onStderr: undefined };
 * ```
 */
export interface RelaySettings {
  /** Hand a 404 of the app back (drained) instead of sending it. */
  readonly fallthrough: boolean;
  /** Receives each STDERR line of the app. */
  readonly onStderr: ((line: string, request: IncomingMessage) => void) | undefined;
}

/**
 * Relays one answer of the app to `response`, and reports the {@link ForwardOutcome}
 * once: `sent` when the answer was handed to node:http, `reset` when it failed midway
 * (the response is destroyed), `failed` before anything was sent, `fallthrough` for a
 * 404 handed back. When `response` closes before the answer ended, the request to the app
 * is aborted.
 *
 * @example
 * ```ts
 * const relay = new ResponseRelay(request, response, settings, (outcome) => console.log(outcome.kind));
 * relay.attach(client.dispatch({ params }, relay));
 * ```
 */
export class ResponseRelay implements DispatchHandler {
  readonly #request: IncomingMessage;
  readonly #response: ServerResponse;
  readonly #settings: RelaySettings;
  readonly #report: (outcome: ForwardOutcome) => void;
  #controller: DispatchController | undefined;
  #state: RelayState = 'waiting';
  #reported = false;
  #status = 0;
  #statusText = '';
  #rawHeaders: readonly HeaderEntry[] = [];
  /** Body bytes of the read that brought the head, held until that read is over. */
  #held: Buffer[] = [];
  #stderrLines: StderrLines | undefined;
  /** The drain listener while one is registered (made on the first full write: most answers never wait). */
  #onDrain: (() => void) | undefined;

  constructor(request: IncomingMessage, response: ServerResponse, settings: RelaySettings, report: (outcome: ForwardOutcome) => void) {
    this.#request = request;
    this.#response = response;
    this.#settings = settings;
    this.#report = report;
    // `on`, not `once`: a response closes once, and no once-wrapper is made per request.
    response.on('close', () => this.#onResponseClose());
  }

  /** The controller of the dispatched request (to abort it, resume it after a drain). */
  attach(controller: DispatchController): void {
    this.#controller = controller;
  }

  #onResponseClose(): void {
    if (this.#state === 'finished' || this.#response.writableFinished) return;
    this.#controller?.abort(new Error('The response closed before the answer was sent'));
  }

  #settle(outcome: ForwardOutcome): void {
    if (this.#reported) return;
    this.#reported = true;
    this.#report(outcome);
  }

  onHead(status: number, statusText: string, rawHeaders: readonly HeaderEntry[]): void {
    if (this.#settings.fallthrough && status === 404) {
      this.#state = 'draining';
      this.#settle({ kind: 'fallthrough', reason: 'not-found' });
      return;
    }
    this.#status = status;
    this.#statusText = statusText;
    this.#rawHeaders = rawHeaders;
    this.#state = 'holding';
    // The rest of this read (body, END_REQUEST) is decoded before any microtask runs.
    queueMicrotask(() => this.#startStreaming());
  }

  onData(chunk: Buffer): boolean {
    if (this.#state === 'holding') {
      this.#held.push(chunk);
      return true;
    }
    if (this.#state !== 'streaming') return true;
    return this.#write(chunk);
  }

  onStderr(chunk: Buffer): void {
    const onStderr = this.#settings.onStderr;
    if (onStderr === undefined) return;
    this.#stderrLines ??= new StderrLines((line) => onStderr(line, this.#request));
    this.#stderrLines.push(chunk);
  }

  onEnd(): void {
    this.#stderrLines?.end();
    const state = this.#state;
    this.#state = 'finished';
    if (state === 'holding') this.#sendWhole();
    else if (state === 'streaming') {
      if (this.#onDrain !== undefined) this.#response.off('drain', this.#onDrain);
      this.#response.end();
      this.#settle(sent);
    }
  }

  onError(error: FastCgiError): void {
    this.#stderrLines?.end();
    const state = this.#state;
    this.#state = 'finished';
    if (state === 'streaming') {
      this.#response.destroy();
      this.#settle({ kind: 'reset', error: upstreamFailure(error) });
    } else {
      this.#settle({ kind: 'failed', error: upstreamFailure(error) });
    }
  }

  /** The whole answer in one `end()`, with a Content-Length when it may have a body. */
  #sendWhole(): void {
    const response = this.#response;
    const held = this.#held;
    const body = held.length === 1 ? (held[0] as Buffer) : Buffer.concat(held);
    this.#held = [];
    try {
      setRawHeaders(response, this.#rawHeaders);
      if (mayHaveBody(this.#status, this.#request.method) && !response.hasHeader('content-length')) response.setHeader('Content-Length', body.length);
      response.writeHead(this.#status, this.#statusText);
    } catch (error) {
      this.#settle({ kind: 'failed', error: upstreamFailure(error) });
      return;
    }
    // A small body as a latin1 string (a lossless round trip of bytes): node:http joins it to
    // the head and sends both with one write instead of a writev of two buffers.
    if (body.length <= joinLimit) response.end(body.toString('latin1'), 'latin1');
    else response.end(body);
    this.#settle(sent);
  }

  /** The read that brought the head is over and the answer goes on: send the head, then stream. */
  #startStreaming(): void {
    if (this.#state !== 'holding') return;
    try {
      setRawHeaders(this.#response, this.#rawHeaders);
      this.#response.writeHead(this.#status, this.#statusText);
    } catch (error) {
      this.#state = 'finished';
      this.#controller?.abort(error);
      this.#settle({ kind: 'failed', error: upstreamFailure(error) });
      return;
    }
    this.#state = 'streaming';
    const held = this.#held;
    this.#held = [];
    for (const chunk of held) this.#write(chunk);
  }

  #write(chunk: Buffer): boolean {
    if (this.#response.write(chunk)) return true;
    if (this.#onDrain === undefined) {
      const onDrain = (): void => {
        this.#onDrain = undefined;
        this.#controller?.resume();
      };
      this.#onDrain = onDrain;
      this.#response.once('drain', onDrain);
    }
    return false;
  }
}
