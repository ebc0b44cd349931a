/**
 * `inject()`: one request into a FastCGI app with no web server, as a promise or a
 * chainable builder (light-my-request's shape).
 *
 * @module
 */
import type { RequestBody, RoleInput } from '@fcgi/client';
import { type InjectHeaders, type InjectRequest } from './inject-request.js';
import type { InjectResult } from './inject-result.js';
import { injectRequest } from './inject-run.js';
import type { InjectTarget } from './inject-target.js';

/**
 * A request being built: every method returns the chain, and awaiting it sends the
 * request (once; awaiting again gives the same result).
 *
 * @example
 * ```ts
 * const result = await inject(app).post('/items').header('x-trace', '7').json({ name: 'a' });
 * ```
 */
export class InjectChain implements PromiseLike<InjectResult> {
  readonly #target: InjectTarget;
  #request: InjectRequest;
  #sent: Promise<InjectResult> | undefined;

  constructor(target: InjectTarget, request: InjectRequest = {}) {
    this.#target = target;
    this.#request = { ...request };
  }

  #with(changes: InjectRequest): this {
    this.#request = { ...this.#request, ...changes };
    return this;
  }

  /** Sets the method and URL. */
  request(method: string, url: string): this {
    return this.#with({ method, url });
  }

  /** `GET url`. */
  get(url: string): this {
    return this.request('GET', url);
  }

  /** `POST url`. */
  post(url: string): this {
    return this.request('POST', url);
  }

  /** `PUT url`. */
  put(url: string): this {
    return this.request('PUT', url);
  }

  /** `PATCH url`. */
  patch(url: string): this {
    return this.request('PATCH', url);
  }

  /** `DELETE url`. */
  delete(url: string): this {
    return this.request('DELETE', url);
  }

  /** `HEAD url`. */
  head(url: string): this {
    return this.request('HEAD', url);
  }

  /** `OPTIONS url`. */
  options(url: string): this {
    return this.request('OPTIONS', url);
  }

  /** Adds one header. */
  header(name: string, value: string | number | readonly string[]): this {
    return this.#with({ headers: { ...this.#request.headers, [name]: value } });
  }

  /** Adds headers. */
  headers(headers: InjectHeaders): this {
    return this.#with({ headers: { ...this.#request.headers, ...headers } });
  }

  /** Adds query parameters. */
  query(query: Readonly<Record<string, string>>): this {
    const previous = typeof this.#request.query === 'object' ? this.#request.query : {};
    return this.#with({ query: { ...previous, ...query } });
  }

  /** Sets the body. */
  body(body: RequestBody): this {
    return this.#with({ body, json: undefined });
  }

  /** Sets a JSON body (and `content-type: application/json`). */
  json(value: unknown): this {
    return this.#with({ json: value, body: undefined });
  }

  /** Adds or overrides CGI params. */
  params(params: Readonly<Record<string, string | undefined>>): this {
    return this.#with({ params: { ...this.#request.params, ...params } });
  }

  /** Sets the FastCGI role. */
  role(role: RoleInput): this {
    return this.#with({ role });
  }

  /** Sets the Filter role's data stream. */
  data(data: RequestBody): this {
    return this.#with({ data });
  }

  /** Sends FCGI_KEEP_CONN. */
  keepConn(keep = true): this {
    return this.#with({ keepConn: keep });
  }

  /** Aborts the request this many ms after it starts. */
  abortAfter(milliseconds: number): this {
    return this.#with({ abortAfter: milliseconds });
  }

  /** Sends the request (once) and resolves to its result. */
  end(): Promise<InjectResult> {
    this.#sent ??= injectRequest(this.#target, this.#request);
    return this.#sent;
  }

  then<Fulfilled = InjectResult, Rejected = never>(onFulfilled?: ((value: InjectResult) => Fulfilled | PromiseLike<Fulfilled>) | null, onRejected?: ((reason: unknown) => Rejected | PromiseLike<Rejected>) | null): Promise<Fulfilled | Rejected> {
    return this.end().then(onFulfilled, onRejected);
  }

  /** As `Promise#catch`. */
  catch<Rejected = never>(onRejected?: ((reason: unknown) => Rejected | PromiseLike<Rejected>) | null): Promise<InjectResult | Rejected> {
    return this.end().catch(onRejected);
  }
}

/**
 * Sends one request into a FastCGI app and resolves to `{ status, headers, body, text(),
 * json(), stderr, appStatus, records }`. The target is a node:http listener, an Express
 * app, a Fastify instance, a fetch handler or a `FastCgiServer`, served in-process over
 * an in-memory duplex with the real codec, server engine and client (no socket, no
 * port); or the address of a running FastCGI app (`127.0.0.1:9000`, `unix:/path`).
 * Without `request`, build it by chaining; awaiting sends it.
 *
 * @example
 * ```ts
 * import { inject } from '@fcgi/harness';
 * const result = await inject(app, { method: 'POST', url: '/items', json: { name: 'a' } });
 * const same = await inject(app).post('/items').json({ name: 'a' });
 * const php = await inject('127.0.0.1:9000', { url: '/index.php', params: { SCRIPT_FILENAME: '/srv/index.php' } });
 * ```
 */
export function inject(target: InjectTarget, request?: InjectRequest): InjectChain {
  return new InjectChain(target, request);
}
