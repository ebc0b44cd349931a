/**
 * The callback API under `request()`: `client.dispatch(options, handler)` calls the
 * handler as the answer arrives, and allocates no stream, promise or AbortController.
 *
 * @module
 */
import type { FastCgiError, HeaderEntry } from '@fcgi/codec';
import type { RequestEnd } from './request-options.js';

/**
 * What `client.dispatch()` calls as the answer arrives. Exactly one of `onEnd` and
 * `onError` is called, once, last. The callbacks run synchronously inside the socket's
 * read: an exception thrown by `onHead`, `onData` or `onStderr` aborts the request (and
 * reaches `onError` as its `cause`); one thrown by `onEnd` or `onError` is rethrown on the
 * next tick.
 *
 * @example
 * ```ts
 * const handler: DispatchHandler = {
 *   onHead: (status, statusText, rawHeaders) => console.log(status, rawHeaders),
 *   onData: (chunk) => process.stdout.write(chunk),
 *   onEnd: ({ appStatus }) => console.log('exit', appStatus),
 *   onError: (error) => console.error(error.code),
 * };
 * ```
 */
export interface DispatchHandler {
  /** The CGI head arrived: status, reason phrase and headers as sent (repeats kept, names as the app spelled them). */
  onHead(status: number, statusText: string, rawHeaders: readonly HeaderEntry[]): void;
  /**
   * Body bytes (a view of the socket's read, yours to keep). Return `false` to pause the
   * connection until `controller.resume()`.
   */
  onData(chunk: Buffer): boolean | void;
  /** STDERR bytes of the app (optional: dropped without it). */
  onStderr?(chunk: Buffer): void;
  /** END_REQUEST arrived with REQUEST_COMPLETE: the answer is whole. */
  onEnd(end: RequestEnd): void;
  /** The request failed (before or after the head): a typed error with a stable `code`. */
  onError(error: FastCgiError): void;
}

/**
 * What `client.dispatch()` returns: abort the request, or resume after `onData` returned
 * false. Both do nothing once the request ended.
 *
 * @example
 * ```ts
 * const controller = client.dispatch({ params }, handler);
 * setTimeout(() => controller.abort(), 1000);
 * ```
 */
export interface DispatchController {
  /** Gives up on the request: ABORT_REQUEST is sent and `onError` gets ERR_FCGI_ABORTED with `reason` as cause. */
  abort(reason?: unknown): void;
  /** The consumer wants more body: resumes the connection paused by `onData` returning false. */
  resume(): void;
}

/**
 * The controller of a request that failed before it started.
 *
 * @example
 * ```ts
 * handler.onError(error);
 * return endedController;
 * ```
 */
export const endedController: DispatchController = Object.freeze({ abort: () => {}, resume: () => {} });

/**
 * Rethrows an exception of a handler's `onEnd` / `onError` on the next tick, so it cannot
 * leave the pool half updated.
 *
 * @example
 * ```ts
 * try { handler.onEnd(end); } catch (error) { rethrowLater(error); }
 * ```
 */
export function rethrowLater(error: unknown): void {
  process.nextTick(() => {
    throw error;
  });
}
