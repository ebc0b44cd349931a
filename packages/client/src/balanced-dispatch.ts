/**
 * `BalancedClient.dispatch()`: one request's attempts over the upstreams, with the same
 * failover and health rules as `BalancedClient.request()`, as a dispatch handler wrapped
 * around the caller's.
 *
 * @module
 */
import type { FastCgiError, HeaderEntry } from '@fcgi/codec';
import type { Client } from './client.js';
import { type DispatchController, type DispatchHandler, rethrowLater } from './dispatch.js';
import { ClientErrorCode, FastCgiClientError } from './errors.js';
import type { RequestEnd, RequestOptions } from './request-options.js';

/**
 * What the attempts need from their `BalancedClient`: the next upstream to try and the
 * health bookkeeping.
 *
 * @example
 * ```ts
 * const pool: UpstreamPicker<Upstream> = { pick: (tried) => next(tried), record: (upstream, error) => note(upstream, error), clientOf: (upstream) => upstream.client };
 * ```
 */
export interface UpstreamPicker<U> {
  pick(tried: ReadonlySet<U>): U | undefined;
  record(upstream: U, error: unknown): void;
  clientOf(upstream: U): Client;
  /** True when a request failed with `error` before reaching an app may go to the next upstream. */
  mayFailOver(error: unknown, options: RequestOptions): boolean;
}

/**
 * One dispatched request over several upstreams: tries them in turn while the request was
 * not sent, passes everything else on to the caller's handler.
 *
 * @example
 * ```ts
 * const attempts = new BalancedDispatch(picker, options, handler);
 * attempts.next();
 * return attempts; // the caller's controller
 * ```
 */
export class BalancedDispatch<U> implements DispatchHandler, DispatchController {
  readonly #picker: UpstreamPicker<U>;
  readonly #options: RequestOptions;
  readonly #handler: DispatchHandler;
  readonly #tried = new Set<U>();
  #upstream: U | undefined;
  #controller: DispatchController | undefined;
  #headSeen = false;
  #aborted = false;
  #lastError: FastCgiError = new FastCgiClientError(ClientErrorCode.ClientClosed, 'No upstream to send the request to', { unsent: true });

  constructor(picker: UpstreamPicker<U>, options: RequestOptions, handler: DispatchHandler) {
    this.#picker = picker;
    this.#options = options;
    this.#handler = handler;
  }

  /** Sends the request to the next untried upstream, or reports the last error. */
  next(): void {
    const upstream = this.#picker.pick(this.#tried);
    if (upstream === undefined) {
      this.#finishWith(this.#lastError);
      return;
    }
    this.#tried.add(upstream);
    this.#upstream = upstream;
    this.#controller = undefined;
    const controller = this.#picker.clientOf(upstream).dispatch(this.#options, this);
    // A failed attempt may have moved on to the next upstream already.
    if (this.#upstream === upstream) this.#controller = controller;
  }

  abort(reason?: unknown): void {
    this.#aborted = true;
    this.#controller?.abort(reason);
  }

  resume(): void {
    this.#controller?.resume();
  }

  onHead(status: number, statusText: string, rawHeaders: readonly HeaderEntry[]): void {
    this.#headSeen = true;
    this.#picker.record(this.#upstream as U, undefined);
    this.#handler.onHead(status, statusText, rawHeaders);
  }

  onData(chunk: Buffer): boolean | void {
    return this.#handler.onData(chunk);
  }

  onStderr(chunk: Buffer): void {
    this.#handler.onStderr?.(chunk);
  }

  onEnd(end: RequestEnd): void {
    this.#handler.onEnd(end);
  }

  onError(error: FastCgiError): void {
    if (this.#headSeen) {
      this.#handler.onError(error);
      return;
    }
    this.#picker.record(this.#upstream as U, error);
    this.#lastError = error;
    if (this.#aborted || this.#options.signal?.aborted === true || !this.#picker.mayFailOver(error, this.#options)) {
      this.#finishWith(error);
      return;
    }
    this.next();
  }

  #finishWith(error: FastCgiError): void {
    try {
      this.#handler.onError(error);
    } catch (thrown) {
      rethrowLater(thrown);
    }
  }
}
