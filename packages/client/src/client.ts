/**
 * `Client`: a pool of connections to one FastCGI app, with a bounded queue.
 *
 * @module
 */
import { FastCgiError, ValueName } from '@fcgi/codec';
import { type Endpoint, parseAddress } from './address.js';
import { isReplayable } from './body.js';
import { Connection, type ConnectionEvents, unprovenGraceMs } from './connection.js';
import { type DispatchController, type DispatchHandler, endedController, rethrowLater } from './dispatch.js';
import { ClientErrorCode, FastCgiClientError, FastCgiTimeoutError } from './errors.js';
import { Exchange, type ExchangeOwner } from './exchange.js';
import { type ClientOptions, type ConnectFunction, type ResolvedOptions, invalidOption, resolveOptions } from './options.js';
import { type ClientResponse, type RequestOptions, prepareRequest, requestTimeoutValue } from './request-options.js';
import { StreamResponse } from './response-streams.js';
import { openTransport } from './transport.js';

type State = 'open' | 'closing' | 'closed' | 'destroyed';

/**
 * A request on an unproven connection counts as stuck in the app's backlog once this many
 * times the connection cap of later requests started while it got no byte back.
 */
const pinnedPassRounds = 3;

/**
 * A snapshot of the pool, for monitoring and tests.
 *
 * @example
 * ```ts
 * const { queued, running } = client.stats;
 * ```
 */
export interface ClientStats {
  /** Open connections. */
  readonly connections: number;
  /** Connections being opened. */
  readonly connecting: number;
  /** Requests waiting for a connection. */
  readonly queued: number;
  /** Requests running on connections. */
  readonly running: number;
  /** The connection cap in force (the option, lowered by FCGI_MAX_CONNS). */
  readonly connectionLimit: number;
  /** Requests per connection in force (1 unless the app multiplexes). */
  readonly requestsPerConnection: number;
}

/**
 * A FastCGI client for one app: pooled keep-alive connections, a bounded queue, timeouts,
 * abort, all three roles and GET_VALUES.
 *
 * @example
 * ```ts
 * import { Client } from '@fcgi/client';
 * const client = new Client({ address: '127.0.0.1:9000' });
 * const response = await client.request({
 *   params: { SCRIPT_FILENAME: '/srv/www/hello.php', REQUEST_METHOD: 'GET' },
 * });
 * console.log(response.status, response.headers['content-type']);
 * for await (const chunk of response.body) process.stdout.write(chunk);
 * await client.close();
 * ```
 */
export class Client {
  readonly #options: ResolvedOptions;
  readonly #endpoint: Endpoint | undefined;
  readonly #connect: ConnectFunction | undefined;
  readonly #connections = new Set<Connection>();
  readonly #queue: Exchange[] = [];
  /** One timer for the whole queue, not one per request (see `#expireQueued`). */
  #queueTimer: NodeJS.Timeout | undefined;
  readonly #closeWaiters: (() => void)[] = [];
  #connecting = 0;
  #state: State = 'open';
  #connectionLimit: number;
  #requestsPerConnection = 1;
  #probe: 'todo' | 'pending' | 'done';
  #dispatchScheduled = false;
  /** Moving average of request durations (write to END_REQUEST) on reused connections, in ms. */
  #responseMs = 0;
  /** Requests started on connections so far (the clock of the pinned-worker defence). */
  #started = 0;
  readonly #events: ConnectionEvents = {
    onIdle: (connection, finished) => this.#onIdle(connection, finished),
    onClose: (connection, lost, error) => this.#onConnectionClose(connection, lost, error),
    onUnproven: () => this.#scheduleDispatch(),
    unprovenGrace: () => Math.max(unprovenGraceMs, 4 * this.#responseMs),
  };
  readonly #queueOwner: ExchangeOwner = {
    cancel: (exchange) => this.#unqueue(exchange),
    resume: () => {},
  };

  constructor(options: ClientOptions) {
    if (typeof options !== 'object' || options === null) throw invalidOption('Client options must be an object');
    if (options.connect !== undefined && typeof options.connect !== 'function') throw invalidOption('Option connect must be a function');
    if (options.address === undefined && options.connect === undefined) throw invalidOption('Client needs an address or a connect function');
    this.#endpoint = options.address === undefined ? undefined : parseAddress(options.address);
    this.#connect = options.connect;
    this.#options = resolveOptions(options);
    this.#connectionLimit = this.#options.connections;
    this.#probe = this.#options.getValues ? 'todo' : 'done';
  }

  /** A snapshot of connections, queue and limits. */
  get stats(): ClientStats {
    let running = 0;
    for (const connection of this.#connections) running += connection.activeCount;
    return {
      connections: this.#connections.size,
      connecting: this.#connecting,
      queued: this.#queue.length,
      running,
      connectionLimit: this.#connectionLimit,
      requestsPerConnection: this.#requestsPerConnection,
    };
  }

  /**
   * Sends a request; resolves once the CGI head has arrived.
   *
   * @example
   * ```ts
   * const response = await client.request({ params: { REQUEST_METHOD: 'POST', SCRIPT_FILENAME: '/srv/echo.php' }, body: 'a=1' });
   * const { appStatus } = await response.done;
   * ```
   */
  request(options: RequestOptions): Promise<ClientResponse> {
    const streams = new StreamResponse(this.#options.bodyHighWaterMark, this.#options.maxStderrBuffer, this.#options.maxBodyBytes);
    const exchange = this.#submit(options, streams);
    if (exchange !== undefined) streams.attach(exchange);
    return streams.response;
  }

  /**
   * Sends a request and reports its answer to `handler` callbacks, with no stream, promise
   * or AbortController per request: the cheapest way to talk to the app, and what
   * `request()` and the gateway are built on. Same options, queue, timeouts, retries and
   * typed errors as `request()`; a request refused at once (closed client, full queue,
   * invalid options) calls `onError` before `dispatch` returns. Returning `false` from
   * `onData` pauses the connection until `controller.resume()`.
   *
   * @example
   * ```ts
   * const chunks: Buffer[] = [];
   * const controller = client.dispatch({ params: { SCRIPT_FILENAME: '/srv/www/hello.php', REQUEST_METHOD: 'GET' } }, {
   *   onHead: (status, statusText, rawHeaders) => console.log(status, rawHeaders),
   *   onData: (chunk) => void chunks.push(chunk),
   *   onEnd: () => console.log(Buffer.concat(chunks).toString()),
   *   onError: (error) => console.error(error.code),
   * });
   * setTimeout(() => controller.abort(), 5000);
   * ```
   */
  dispatch(options: RequestOptions, handler: DispatchHandler): DispatchController {
    return this.#submit(options, handler) ?? endedController;
  }

  /** Queues or starts the request; undefined when it failed at once (`onError` was called). */
  #submit(options: RequestOptions, handler: DispatchHandler): Exchange | undefined {
    let exchange: Exchange;
    try {
      exchange = this.#createExchange(options, handler);
    } catch (error) {
      const failure = FastCgiError.is(error) ? error : new FastCgiClientError(ClientErrorCode.InvalidOption, String(error), { cause: error });
      try {
        handler.onError(failure);
      } catch (thrown) {
        rethrowLater(thrown);
      }
      return undefined;
    }
    // A free connection and nobody waiting before it: start now, without a queue timer.
    const free = this.#queue.length === 0 && this.#probe === 'done' && this.#state === 'open' ? this.#pick(false) : undefined;
    if (free !== undefined) {
      this.#start(free, exchange);
      return exchange;
    }
    this.#enqueue(exchange, false);
    this.#dispatch();
    return exchange;
  }

  /** Validates the request; throws the typed error of a request refused at once. */
  #createExchange(options: RequestOptions, handler: DispatchHandler): Exchange {
    if (this.#state !== 'open') throw new FastCgiClientError(ClientErrorCode.ClientClosed, 'The client is closed', { unsent: true });
    const prepared = prepareRequest(options);
    if (options.signal?.aborted === true) {
      throw new FastCgiClientError(ClientErrorCode.Aborted, 'The request was aborted before it was sent', { cause: options.signal.reason, unsent: true });
    }
    const timeouts = {
      headers: requestTimeoutValue('timeout', options.timeout, this.#options.headersTimeout, 1),
      body: requestTimeoutValue('bodyTimeout', options.bodyTimeout, this.#options.bodyTimeout, 0),
      request: requestTimeoutValue('requestTimeout', options.requestTimeout, this.#options.requestTimeout, 0),
    };
    if (this.#queue.length >= this.#options.maxQueue && !this.#hasFreeSlot()) {
      throw new FastCgiClientError(ClientErrorCode.QueueFull, `The request queue is full (${this.#options.maxQueue})`, { limit: this.#options.maxQueue, unsent: true });
    }
    return new Exchange(prepared, this.#options, timeouts, options.signal, handler);
  }

  #hasFreeSlot(): boolean {
    if (this.#probe !== 'done') return false;
    for (const connection of this.#connections) if (connection.available) return true;
    return false;
  }

  #enqueue(exchange: Exchange, front: boolean): void {
    if (front) this.#queue.unshift(exchange);
    else this.#queue.push(exchange);
    exchange.setOwner(this.#queueOwner);
    exchange.queuedUntil = performance.now() + this.#options.queueTimeout;
    if (this.#queueTimer === undefined) this.#armQueueTimer(this.#options.queueTimeout);
  }

  /**
   * Unref'd: every queued request also holds its (ref'd) headers timer, which keeps the
   * process alive while it waits.
   */
  #armQueueTimer(delay: number): void {
    this.#queueTimer = setTimeout(() => this.#expireQueued(), delay);
    this.#queueTimer.unref();
  }

  /**
   * The queue timer fired: fails the requests that waited `queueTimeout`, then re-arms for
   * the next one to expire. A request that leaves the queue in time costs no timer of its
   * own (most leave it within a response time).
   */
  #expireQueued(): void {
    this.#queueTimer = undefined;
    const timeout = this.#options.queueTimeout;
    const now = performance.now();
    let next = Number.POSITIVE_INFINITY;
    for (const exchange of [...this.#queue]) {
      if (exchange.queuedUntil <= now) {
        exchange.giveUp(new FastCgiTimeoutError(ClientErrorCode.QueueTimeout, `No connection was free within ${timeout} ms`, { limit: timeout, unsent: true }));
      } else if (exchange.queuedUntil < next) {
        next = exchange.queuedUntil;
      }
    }
    if (next === Number.POSITIVE_INFINITY) return;
    // A request queued by an onError above may have armed the timer for later: the next deadline comes first.
    clearTimeout(this.#queueTimer);
    this.#armQueueTimer(Math.max(1, Math.ceil(next - now)));
  }

  #unqueue(exchange: Exchange): void {
    const index = this.#queue.indexOf(exchange);
    if (index !== -1) this.#queue.splice(index, 1);
    this.#checkClosed();
  }

  #scheduleDispatch(): void {
    if (this.#dispatchScheduled) return;
    this.#dispatchScheduled = true;
    setImmediate(() => {
      this.#dispatchScheduled = false;
      this.#dispatch();
      this.#releasePinnedWorkers();
      this.#checkClosed();
    });
  }

  #dispatch(): void {
    if (this.#state === 'destroyed' || this.#state === 'closed') return;
    if (this.#queue.length === 0) return;
    if (this.#probe === 'todo') this.#startProbe();
    if (this.#probe !== 'done') return;
    for (let index = 0; index < this.#queue.length;) {
      const exchange = this.#queue[index] as Exchange;
      const connection = this.#pick(exchange.freshOnly);
      if (connection === undefined) {
        if (!exchange.freshOnly) break; // no connection has a free slot
        index += 1;
        continue;
      }
      if (index === 0) this.#queue.shift();
      else this.#queue.splice(index, 1);
      this.#start(connection, exchange);
    }
    this.#openForQueue();
  }

  #start(connection: Connection, exchange: Exchange): void {
    exchange.startMark = this.#started;
    this.#started += 1;
    connection.start(exchange);
  }

  /** Prefers the least busy open connection; a retry takes only a fresh one. */
  #pick(freshOnly: boolean): Connection | undefined {
    let best: Connection | undefined;
    for (const connection of this.#connections) {
      if (!connection.available || (freshOnly && connection.requestsStarted > 0)) continue;
      if (best === undefined || connection.activeCount < best.activeCount) best = connection;
    }
    return best;
  }

  #openForQueue(): void {
    let wanted = this.#queue.length - this.#connecting * this.#requestsPerConnection;
    while (wanted > 0 && this.#connections.size + this.#connecting < this.#connectionLimit) {
      this.#open();
      wanted -= this.#requestsPerConnection;
    }
    if (wanted > 0 && this.#connecting === 0 && this.#queue.some((exchange) => exchange.freshOnly)) {
      // A retry needs a fresh connection but the cap is reached: make room by closing an idle one.
      for (const connection of this.#connections) {
        if (connection.activeCount === 0) {
          connection.destroy();
          return;
        }
      }
    }
  }

  #open(): void {
    this.#connecting += 1;
    openTransport(this.#endpoint, this.#connect, this.#options.connectTimeout).then(
      (socket) => {
        this.#connecting -= 1;
        if (this.#state === 'destroyed' || this.#state === 'closed') {
          socket.destroy();
          return;
        }
        this.#connections.add(new Connection(socket, this.#options, this.#events, this.#requestsPerConnection));
        this.#dispatch();
        this.#checkClosed();
      },
      (error: FastCgiError) => {
        this.#connecting -= 1;
        if (this.#connections.size === 0 && this.#connecting === 0) this.#failQueue(error);
        this.#scheduleDispatch();
      },
    );
  }

  #failQueue(error: FastCgiError): void {
    for (const exchange of [...this.#queue]) {
      this.#unqueue(exchange);
      exchange.fail(error);
    }
  }

  /**
   * php-fpm keeps a worker on a kept-alive connection until it closes, so a connection
   * opened beyond its free workers waits in the listen backlog. A connection that just
   * finished a request while an older request still waits on a connection that never
   * received a byte is closed rather than reused: its worker then accepts the waiting one.
   */
  #onIdle(connection: Connection, finished: Exchange): void {
    // Only requests on reused (hence accepted) connections: a wait in the backlog is no response time.
    if (finished.reusedConnection) this.#responseMs += (performance.now() - finished.startedAt - this.#responseMs) / 8;
    // An app that answered CANT_MPX_CONN does not multiplex after all: one request per connection from now on.
    if (connection.maxConcurrent < this.#requestsPerConnection) this.#requestsPerConnection = 1;
    if (this.#requestsPerConnection === 1 && connection.activeCount === 0) {
      const stuck = this.#stuckBefore(connection, finished);
      if (stuck !== undefined) {
        stuck.startMark = this.#started;
        connection.destroy();
      }
    }
    this.#scheduleDispatch();
  }

  /**
   * A request older than `finished` on another unproven connection, passed by so many later
   * requests that it cannot just be slow: at least `pinnedPassRounds` times the connection cap
   * started since it was (or since a worker was last freed for it, so one wait frees one
   * worker, not every connection that finishes meanwhile). Elapsed time alone is no proof:
   * on a loaded machine every new connection can wait past the grace, and closing finished
   * connections for them only opens more new ones, a connection per request.
   */
  #stuckBefore(connection: Connection, finished: Exchange): Exchange | undefined {
    const passes = pinnedPassRounds * this.#connectionLimit;
    for (const other of this.#connections) {
      if (other === connection) continue;
      const waiting = other.unproven;
      if (waiting !== undefined && waiting.sequence < finished.sequence && this.#started - waiting.startMark >= passes) return waiting;
    }
    return undefined;
  }

  /**
   * With nothing queued, idle connections are closed while a request waits on a
   * connection that never received a byte, so their workers can accept it.
   */
  #releasePinnedWorkers(): void {
    if (this.#queue.length > 0 || this.#requestsPerConnection > 1) return;
    let waiting = false;
    for (const connection of this.#connections) if (connection.unproven !== undefined) waiting = true;
    if (!waiting) return;
    for (const connection of [...this.#connections]) if (connection.activeCount === 0) connection.destroy();
  }

  /**
   * A lost request is sent again only when running it twice does no harm: its method is
   * idempotent (or absent). The app may already be running a POST when the connection
   * dies (a killed worker resets the connection just as php-fpm's pm.max_requests close
   * does), so a POST fails instead, as nginx does.
   */
  #onConnectionClose(connection: Connection, lost: Exchange[], error: FastCgiError): void {
    this.#connections.delete(connection);
    for (const exchange of lost) {
      const retry = this.#state !== 'destroyed' && !exchange.receivedBytes && exchange.reusedConnection && exchange.attempts < 2 && isReplayable(exchange.request.body) && (exchange.request.data === undefined || isReplayable(exchange.request.data)) && exchange.request.idempotent;
      if (retry) {
        exchange.freshOnly = true;
        this.#enqueue(exchange, true);
      } else {
        exchange.fail(error);
      }
    }
    this.#scheduleDispatch();
  }

  #startProbe(): void {
    this.#probe = 'pending';
    this.#fetchValues([ValueName.MaxConns, ValueName.MaxReqs, ValueName.MpxsConns]).then(
      (values) => {
        this.#applyValues(values);
        this.#probe = 'done';
        this.#dispatch();
      },
      (error: FastCgiError) => {
        const connectFailed = error.code === ClientErrorCode.ConnectFailed || error.code === ClientErrorCode.ConnectTimeout;
        this.#probe = connectFailed ? 'todo' : 'done';
        if (connectFailed) this.#failQueue(error);
        else this.#dispatch();
      },
    );
  }

  #applyValues(values: Record<string, string>): void {
    const maxConns = Number(values[ValueName.MaxConns]);
    if (Number.isSafeInteger(maxConns) && maxConns >= 1) this.#connectionLimit = Math.min(this.#connectionLimit, maxConns);
    if (values[ValueName.MpxsConns] === '1') {
      const maxReqs = Number(values[ValueName.MaxReqs]);
      const appLimit = Number.isSafeInteger(maxReqs) && maxReqs >= 1 ? maxReqs : this.#options.maxConcurrentPerConnection;
      this.#requestsPerConnection = Math.min(this.#options.maxConcurrentPerConnection, appLimit);
    }
  }

  async #fetchValues(names: readonly string[]): Promise<Record<string, string>> {
    const socket = await openTransport(this.#endpoint, this.#connect, this.#options.connectTimeout);
    const connection = new Connection(socket, this.#options, { onIdle: () => {}, onClose: () => {}, onUnproven: () => {}, unprovenGrace: () => unprovenGraceMs }, 1);
    try {
      return await connection.requestValues(names);
    } finally {
      connection.destroy();
    }
  }

  /**
   * Asks the app for configuration values with GET_VALUES on a connection of its own.
   *
   * @example
   * ```ts
   * await client.getValues(['FCGI_MPXS_CONNS', 'FCGI_MAX_CONNS']); // { FCGI_MPXS_CONNS: '0', FCGI_MAX_CONNS: '4' }
   * ```
   */
  getValues(names: readonly string[] = [ValueName.MaxConns, ValueName.MaxReqs, ValueName.MpxsConns]): Promise<Record<string, string>> {
    if (!Array.isArray(names) || names.some((name) => typeof name !== 'string')) return Promise.reject(invalidOption('getValues names must be an array of strings'));
    if (this.#state !== 'open') return Promise.reject(new FastCgiClientError(ClientErrorCode.ClientClosed, 'The client is closed'));
    return this.#fetchValues(names);
  }

  /**
   * Stops taking requests, lets queued and running ones finish, then closes every
   * connection.
   *
   * @example
   * ```ts
   * process.on('SIGTERM', () => void client.close());
   * ```
   */
  close(): Promise<void> {
    if (this.#state === 'closed' || this.#state === 'destroyed') return Promise.resolve();
    this.#state = 'closing';
    const closed = new Promise<void>((resolve) => this.#closeWaiters.push(resolve));
    this.#checkClosed();
    return closed;
  }

  #checkClosed(): void {
    if (this.#state !== 'closing') return;
    for (const connection of [...this.#connections]) if (connection.activeCount === 0 && this.#queue.length === 0) connection.destroy();
    if (this.#queue.length > 0 || this.#connections.size > 0 || this.#connecting > 0) return;
    this.#state = 'closed';
    clearTimeout(this.#queueTimer);
    for (const resolve of this.#closeWaiters.splice(0)) resolve();
  }

  /**
   * Closes everything now: queued and running requests fail with `error` (default
   * ERR_FCGI_CLIENT_DESTROYED).
   *
   * @example
   * ```ts
   * client.destroy();
   * ```
   */
  destroy(error: FastCgiError = new FastCgiClientError(ClientErrorCode.ClientDestroyed, 'The client was destroyed')): Promise<void> {
    if (this.#state === 'destroyed') return Promise.resolve();
    this.#state = 'destroyed';
    clearTimeout(this.#queueTimer);
    this.#failQueue(error);
    for (const connection of [...this.#connections]) connection.destroy(error);
    for (const resolve of this.#closeWaiters.splice(0)) resolve();
    return Promise.resolve();
  }
}

