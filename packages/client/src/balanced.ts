/**
 * `BalancedClient`: one `Client` per upstream address, a choice of upstream per request
 * (round robin or least busy), passive health (failures take an upstream out for a
 * while), and failover for requests that never reached an app.
 *
 * @module
 */
import { FastCgiError } from '@fcgi/codec';
import { Client, type ClientStats } from './client.js';
import { ClientErrorCode, FastCgiClientError } from './errors.js';
import { type ClientOptions, invalidOption, readInteger } from './options.js';
import { BalancedDispatch, type UpstreamPicker } from './balanced-dispatch.js';
import type { DispatchController, DispatchHandler } from './dispatch.js';
import type { ClientResponse, RequestOptions } from './request-options.js';

/**
 * Options of `new BalancedClient(options)`: the upstreams, the balancing and health
 * settings, and client options shared by every upstream.
 *
 * @example
 * ```ts
 * const options: BalancedClientOptions = { upstreams: ['10.0.0.1:9000', '10.0.0.2:9000'], strategy: 'least-busy' };
 * ```
 */
export interface BalancedClientOptions extends Omit<ClientOptions, 'address' | 'connect'> {
  /** Addresses (or full client options, one per upstream). */
  upstreams: readonly (string | ClientOptions)[];
  /** `'round-robin'` (default) or `'least-busy'` (fewest running + queued requests). */
  strategy?: 'round-robin' | 'least-busy';
  /** Consecutive failures that take an upstream out (default 1, as nginx's max_fails). */
  maxFails?: number;
  /** How long an upstream stays out after `maxFails` failures, in ms (default 10000, as nginx's fail_timeout). */
  failTimeout?: number;
}

/** Errors that count against an upstream's health. */
const failureCodes = new Set<string>([
  ClientErrorCode.ConnectFailed, ClientErrorCode.ConnectTimeout, ClientErrorCode.UpstreamClosed, ClientErrorCode.NotFastCgi,
  ClientErrorCode.Overloaded, ClientErrorCode.HeadersTimeout,
]);

/** Errors of requests that never reached an app and whose streamed body was never read. */
const neverWrittenCodes = new Set<string>([ClientErrorCode.ConnectFailed, ClientErrorCode.ConnectTimeout, ClientErrorCode.QueueFull]);

interface Upstream {
  readonly client: Client;
  failures: number;
  downUntil: number;
}

function replayableBody(options: RequestOptions): boolean {
  const isBytes = (value: unknown): boolean => value === undefined || value === null || typeof value === 'string' || value instanceof Uint8Array;
  return isBytes(options.body) && isBytes(options.data);
}

/** A request that failed with `error` before reaching an app may be sent to another upstream. */
function mayFailOver(error: unknown, options: RequestOptions): boolean {
  const unsent = FastCgiError.is(error) && (error as FastCgiClientError).unsent === true;
  return unsent && (neverWrittenCodes.has(error.code) || replayableBody(options)) && error.code !== ClientErrorCode.ClientClosed;
}

/**
 * A client over several upstreams running the same app: per-request balancing, passive
 * health and failover of unsent requests (connect refused or timed out, queue full; also
 * OVERLOADED and the like when the body is bytes). Each attempt goes to a different
 * upstream.
 *
 * @example
 * ```ts
 * import { BalancedClient } from '@fcgi/client';
 * const client = new BalancedClient({ upstreams: ['127.0.0.1:9000', '127.0.0.1:9001'] });
 * const response = await client.request({ params: { SCRIPT_FILENAME: '/srv/www/index.php' } });
 * ```
 */
export class BalancedClient {
  readonly #upstreams: Upstream[];
  readonly #strategy: 'round-robin' | 'least-busy';
  readonly #maxFails: number;
  readonly #failTimeout: number;
  #next = 0;
  readonly #picker: UpstreamPicker<Upstream> = {
    pick: (tried) => this.#pick(tried),
    record: (upstream, error) => this.#record(upstream, error),
    clientOf: (upstream) => upstream.client,
    mayFailOver: (error, options) => mayFailOver(error, options),
  };

  constructor(options: BalancedClientOptions) {
    if (typeof options !== 'object' || options === null || !Array.isArray(options.upstreams) || options.upstreams.length === 0) {
      throw invalidOption('BalancedClient needs a non-empty upstreams array');
    }
    const { upstreams, strategy, maxFails, failTimeout, ...shared } = options;
    if (strategy !== undefined && strategy !== 'round-robin' && strategy !== 'least-busy') throw invalidOption(`Option strategy must be 'round-robin' or 'least-busy'`);
    this.#strategy = strategy ?? 'round-robin';
    this.#maxFails = readInteger('maxFails', maxFails, 1, 1);
    this.#failTimeout = readInteger('failTimeout', failTimeout, 10_000, 0);
    const list: readonly (string | ClientOptions)[] = upstreams;
    this.#upstreams = list.map((upstream: string | ClientOptions) => ({
      client: new Client(typeof upstream === 'string' ? { ...shared, address: upstream } : { ...shared, ...upstream }),
      failures: 0,
      downUntil: 0,
    }));
  }

  /** Per-upstream snapshots, in the order given, with whether each is taken out. */
  get stats(): (ClientStats & { readonly down: boolean })[] {
    const now = Date.now();
    return this.#upstreams.map((upstream) => ({ ...upstream.client.stats, down: upstream.downUntil > now }));
  }

  #pick(tried: ReadonlySet<Upstream>): Upstream | undefined {
    const now = Date.now();
    const untried = this.#upstreams.filter((upstream) => !tried.has(upstream));
    if (untried.length === 0) return undefined;
    const healthy = untried.filter((upstream) => upstream.downUntil <= now);
    // When every upstream is out, try the one that comes back first rather than failing.
    if (healthy.length === 0) return untried.reduce((best, upstream) => (upstream.downUntil < best.downUntil ? upstream : best));
    // Turns go round the healthy upstreams only: an upstream taken out does not hand its turns to its neighbour.
    const start = this.#next++ % healthy.length;
    if (this.#strategy === 'round-robin') return healthy[start];
    const ordered = [...healthy.slice(start), ...healthy.slice(0, start)];
    const load = (upstream: Upstream): number => upstream.client.stats.running + upstream.client.stats.queued;
    return ordered.reduce((best, upstream) => (load(upstream) < load(best) ? upstream : best));
  }

  #record(upstream: Upstream, error: unknown): void {
    if (error === undefined) {
      upstream.failures = 0;
      return;
    }
    if (!FastCgiError.is(error) || !failureCodes.has(error.code)) return;
    upstream.failures += 1;
    if (upstream.failures >= this.#maxFails) upstream.downUntil = Date.now() + this.#failTimeout;
  }

  /**
   * Sends a request to one upstream, failing over to the others while it was not sent.
   *
   * @example
   * ```ts
   * const response = await balanced.request({ params: { REQUEST_METHOD: 'GET', SCRIPT_FILENAME: '/srv/www/index.php' } });
   * ```
   */
  async request(options: RequestOptions): Promise<ClientResponse> {
    const tried = new Set<Upstream>();
    let lastError: unknown = new FastCgiClientError(ClientErrorCode.ClientClosed, 'No upstream to send the request to', { unsent: true });
    for (let upstream = this.#pick(tried); upstream !== undefined; upstream = this.#pick(tried)) {
      tried.add(upstream);
      try {
        const response = await upstream.client.request(options);
        this.#record(upstream, undefined);
        return response;
      } catch (error) {
        this.#record(upstream, error);
        lastError = error;
        if (!mayFailOver(error, options) || options.signal?.aborted === true) throw error;
      }
    }
    throw lastError;
  }

  /**
   * `Client.dispatch()` over the upstreams: the same balancing, health and failover as
   * `request()` (an attempt that fails before reaching an app goes to the next upstream;
   * `handler` sees only the attempt that answered, or the last error).
   *
   * @example
   * ```ts
   * const controller = balanced.dispatch({ params: { SCRIPT_FILENAME: '/srv/www/index.php' } }, {
   *   onHead: (status) => console.log(status),
   *   onData: (chunk) => void process.stdout.write(chunk),
   *   onEnd: () => console.log('done'),
   *   onError: (error) => console.error(error.code),
   * });
   * ```
   */
  dispatch(options: RequestOptions, handler: DispatchHandler): DispatchController {
    const attempts = new BalancedDispatch(this.#picker, options, handler);
    attempts.next();
    return attempts;
  }

  /**
   * GET_VALUES against the first upstream that answers.
   *
   * @example
   * ```ts
   * await balanced.getValues(['FCGI_MPXS_CONNS']);
   * ```
   */
  async getValues(names?: readonly string[]): Promise<Record<string, string>> {
    let lastError: unknown;
    for (const upstream of this.#upstreams) {
      try {
        return await upstream.client.getValues(names);
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }

  /**
   * Closes every upstream's client gracefully.
   *
   * @example
   * ```ts
   * await balanced.close();
   * ```
   */
  async close(): Promise<void> {
    await Promise.all(this.#upstreams.map((upstream) => upstream.client.close()));
  }

  /**
   * Destroys every upstream's client.
   *
   * @example
   * ```ts
   * await balanced.destroy();
   * ```
   */
  async destroy(error?: FastCgiError): Promise<void> {
    await Promise.all(this.#upstreams.map((upstream) => upstream.client.destroy(error)));
  }
}
