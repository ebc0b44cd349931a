/**
 * The FastCGI server: node:http's `createServer` / `listen` / `close` shape over the
 * protocol engine, with the peer filter, connection and request accounting, and graceful
 * shutdown.
 *
 * @module
 */
import { EventEmitter } from 'node:events';
import { type AddressInfo, type ListenOptions, type Server, type Socket, createServer as createNetServer } from 'node:net';
import type { Duplex } from 'node:stream';
import type { FastCgiError } from '@fcgi/codec';
import { type AuthorizerHandler, toAuthorizerListener } from './authorizer.js';
import { Connection, type ConnectionContext } from './connection.js';
import { adoptForDirectReads } from './direct-reads.js';
import { IdleSweep } from './idle-sweep.js';
import { FastCgiServerError, ServerErrorCode, handlerError } from './errors.js';
import { type FetchHandler, toNodeListener } from './fetch.js';
import { type ListenArguments, fdZeroIsSocket, listenError, listenOnPath, notSpawnedError, parseListenArguments } from './listen.js';
import { type RequestListener, runNodeRequest } from './node-handler.js';
import type { FastCgiIncomingMessage } from './node-request.js';
import { type EngineOptions, type ResolvedEngineOptions, normalizeAddress, resolveEngineOptions } from './options.js';
import type { FastCgiServerResponse } from './node-response.js';
import type { ActiveRequest } from './request.js';

/**
 * Options of {@link createServer}: the engine's limits and switches, plus the handler
 * styles that do not fit the listener argument.
 *
 * @example
 * ```ts
 * const options: ServerOptions = { multiplex: false, maxParamsBytes: 64 * 1024, fetch: () => new Response('hi') };
 * ```
 */
export interface ServerOptions extends EngineOptions {
  /** A fetch-style handler, used when no request listener is given. */
  fetch?: FetchHandler;
  /** A dedicated handler for Authorizer-role requests (else they reach the request listener). */
  authorizer?: AuthorizerHandler;
  /** Call `close()` on SIGTERM (default false: a library does not own the process). */
  handleSignals?: boolean;
}

/**
 * Events of {@link FastCgiServer} and their arguments.
 *
 * @example
 * ```ts
 * server.on('connectionError', (error, socket) => console.warn(error.code, socket.remoteAddress));
 * server.on('requestError', (error, req) => console.error(req.url, error.cause));
 * ```
 */
export interface FastCgiServerEvents {
  listening: [];
  close: [];
  error: [error: FastCgiServerError];
  request: [req: FastCgiIncomingMessage, res: FastCgiServerResponse];
  connection: [socket: Socket];
  connectionError: [error: FastCgiError, socket: Socket];
  requestError: [error: FastCgiServerError, req: FastCgiIncomingMessage];
}

function report(emitter: EventEmitter, event: 'connectionError' | 'requestError', error: FastCgiError, subject: unknown): void {
  try {
    if (emitter.listenerCount(event) > 0) {
      emitter.emit(event, error, subject);
      return;
    }
  } catch (listenerError) {
    console.error(`@fcgi/server: a '${event}' listener threw`, listenerError);
    return;
  }
  console.error(`@fcgi/server ${event}: ${error.code}: ${error.message}`);
}

/**
 * A FastCGI application server, shaped like `http.Server`.
 *
 * @example
 * ```ts
 * import { FastCgiServer } from '@fcgi/server';
 * const server = new FastCgiServer({ maxRequestsPerConnection: 10 }, (req, res) => res.end('hi'));
 * server.listen(9000, '127.0.0.1');
 * ```
 */
export class FastCgiServer extends EventEmitter<FastCgiServerEvents> {
  /** The resolved engine options (defaults applied). */
  readonly options: ResolvedEngineOptions;
  readonly #net: Server;
  readonly #connections = new Set<Connection>();
  readonly #idleSweep: IdleSweep;
  readonly #listener: RequestListener;
  readonly #authorizer: RequestListener | undefined;
  readonly #context: ConnectionContext;
  #activeRequests = 0;
  #closing = false;
  #netClosed = true;
  #listenPending = false;
  #closeTimer: NodeJS.Timeout | undefined;
  #signalHandler: (() => void) | undefined;

  constructor(options: ServerOptions = {}, listener?: RequestListener) {
    super();
    this.options = resolveEngineOptions(options);
    this.#idleSweep = new IdleSweep(this.options.idleTimeout, () => this.#connections);
    this.#listener = listener ?? (options.fetch !== undefined ? toNodeListener(options.fetch) : (req, res) => this.#emitRequest(req, res));
    this.#authorizer = options.authorizer === undefined ? undefined : toAuthorizerListener(options.authorizer);
    this.#context = this.#makeContext();
    this.#net = createNetServer({ noDelay: true, pauseOnConnect: this.options.directReads }, (socket) => this.#onConnection(socket, this.options.directReads));
    this.#net.maxConnections = this.options.maxConnections;
    this.#net.on('listening', () => {
      this.#netClosed = false;
      this.emit('listening');
    });
    this.#net.on('close', () => {
      this.#netClosed = true;
      this.#maybeEmitClose();
    });
    this.#net.on('error', (error: NodeJS.ErrnoException) => {
      if (!this.#listenPending) report(this, 'connectionError', listenError(error, 'the listening socket'), undefined);
    });
    if (options.handleSignals === true) {
      this.#signalHandler = () => this.close();
      process.once('SIGTERM', this.#signalHandler);
    }
  }

  /** True while accepting connections. */
  get listening(): boolean {
    return this.#net.listening;
  }

  /** Requests running now on all connections. */
  get activeRequests(): number {
    return this.#activeRequests;
  }

  /** Connections open now. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /**
   * The bound address, as `net.Server#address()`.
   *
   * @example
   * ```ts
   * server.listen(0, '127.0.0.1', () => console.log((server.address() as AddressInfo).port));
   * ```
   */
  address(): AddressInfo | string | null {
    return this.#net.address();
  }

  /**
   * Starts listening: `(port, host?, backlog?, callback?)`, `(path, callback?)`,
   * `({ port, host } | { path } | { fd: 0 }, callback?)`, or no address: serve the
   * listening socket inherited on fd 0 (spawned mode), failing with ERR_FCGI_NOT_SPAWNED
   * when fd 0 is not one. Errors are emitted as `'error'`.
   *
   * @example
   * ```ts
   * server.listen({ path: '/run/app.sock' }, () => console.log('ready'));
   * server.listen(); // under spawn-fcgi or mod_fcgid
   * ```
   */
  listen(port?: number | string | null, host?: string, backlog?: number, callback?: () => void): this;
  listen(port: number | string, host: string, callback?: () => void): this;
  listen(port: number | string, callback?: () => void): this;
  listen(options: ListenOptions, callback?: () => void): this;
  listen(callback?: () => void): this;
  listen(...args: unknown[]): this {
    const callback = typeof args[args.length - 1] === 'function' ? (args.pop() as () => void) : undefined;
    if (callback !== undefined) this.once('listening', callback);
    const target = parseListenArguments(args as ListenArguments);
    this.#closing = false;
    this.#listenPending = true;
    const fail = (error: FastCgiServerError): void => {
      this.#listenPending = false;
      this.emit('error', error);
    };
    this.#net.once('listening', () => {
      this.#listenPending = false;
    });
    switch (target.kind) {
      case 'path':
        listenOnPath(this.#net, target.path, target.options, fail);
        break;
      case 'spawned':
        if (!fdZeroIsSocket()) {
          process.nextTick(fail, notSpawnedError());
          break;
        }
        this.#onListenOutcome((error) => fail(notSpawnedError(error)));
        this.#net.listen({ fd: 0, backlog: target.backlog });
        break;
      case 'net':
        this.#onListenOutcome((error) => fail(listenError(error, `${target.options.host ?? '*'}:${String(target.options.port)}`)));
        this.#net.listen(target.options);
        break;
    }
    return this;
  }

  /** Routes the next listen error to `onError`; a successful listen removes that route. */
  #onListenOutcome(onError: (error: NodeJS.ErrnoException) => void): void {
    const onFailure = (error: NodeJS.ErrnoException): void => {
      this.#net.off('listening', onSuccess);
      onError(error);
    };
    const onSuccess = (): void => {
      this.#net.off('error', onFailure);
    };
    this.#net.once('error', onFailure);
    this.#net.once('listening', onSuccess);
  }

  /**
   * Graceful shutdown: stops accepting, closes idle connections, lets in-flight requests
   * finish for `closeTimeout` ms, then aborts the rest. `callback` and `'close'` come once
   * every connection is gone.
   *
   * @example
   * ```ts
   * process.on('SIGTERM', () => server.close(() => process.exit(0)));
   * ```
   */
  close(callback?: (error?: Error) => void): this {
    if (!this.#net.listening && this.#connections.size === 0) {
      if (callback !== undefined) process.nextTick(callback, new FastCgiServerError(ServerErrorCode.NotRunning, 'The server is not running'));
      return this;
    }
    if (callback !== undefined) this.once('close', callback);
    this.#closing = true;
    if (this.#signalHandler !== undefined) process.off('SIGTERM', this.#signalHandler);
    if (this.#net.listening) this.#net.close();
    for (const connection of this.#connections) connection.shutdown();
    if (this.#closeTimer === undefined && this.#connections.size > 0) {
      this.#closeTimer = setTimeout(() => this.#forceClose(), this.options.closeTimeout);
      this.#closeTimer.unref();
    }
    return this;
  }

  /**
   * Closes every connection at once, aborting their requests (as `http.Server`).
   *
   * @example
   * ```ts
   * server.close();
   * server.closeAllConnections();
   * ```
   */
  closeAllConnections(): void {
    for (const connection of this.#connections) connection.destroy();
  }

  /**
   * Closes the connections that have no request in flight (as `http.Server`).
   *
   * @example
   * ```ts
   * setInterval(() => server.closeIdleConnections(), 60_000).unref();
   * ```
   */
  closeIdleConnections(): void {
    for (const connection of this.#connections) if (connection.activeRequests === 0) connection.destroy();
  }

  /**
   * Serves FastCGI on a connection that did not come from `listen()`: any Duplex (an
   * in-memory pair in tests, a socket accepted elsewhere). It counts as a connection like
   * any other (limits, `close()`, `'connection'`); `listen()` is not needed.
   *
   * @example
   * ```ts
   * const [appSide, clientSide] = duplexPair(); // node:stream (Node 22.6+) or your own
   * createServer((req, res) => res.end('hi')).serveConnection(appSide);
   * ```
   */
  serveConnection(stream: Duplex): void {
    // The engine uses only Duplex members of a socket, and `remoteAddress` (undefined here: a Unix peer for `webServerAddresses`).
    this.#onConnection(stream as Socket);
  }

  #forceClose(): void {
    for (const connection of this.#connections) connection.abortAll();
    const destroyTimer = setTimeout(() => this.closeAllConnections(), 1000);
    destroyTimer.unref();
  }

  /** Emits 'close' once the listening socket is closed and the last connection is gone. */
  #maybeEmitClose(): void {
    if (!this.#closing || !this.#netClosed || this.#connections.size > 0) return;
    this.#closing = false;
    if (this.#closeTimer !== undefined) clearTimeout(this.#closeTimer);
    this.#closeTimer = undefined;
    this.emit('close');
  }

  #emitRequest(req: FastCgiIncomingMessage, res: FastCgiServerResponse): void {
    if (this.listenerCount('request') === 0) throw new Error('No request listener: pass one to createServer() or listen for the "request" event');
    this.emit('request', req, res);
  }

  #onConnection(socket: Socket, direct = false): void {
    if (this.#closing) {
      socket.destroy();
      return;
    }
    const allowed = this.options.webServerAddresses;
    if (allowed !== undefined) {
      const remote = socket.remoteAddress;
      const ok = remote === undefined ? this.options.allowUnixPeers : allowed.has(normalizeAddress(remote));
      if (!ok) {
        report(this, 'connectionError', new FastCgiServerError(ServerErrorCode.ForbiddenPeer, `Connection from ${remote ?? 'a Unix socket'} refused: not in FCGI_WEB_SERVER_ADDRS`), socket);
        socket.destroy();
        return;
      }
    }
    const connection = direct ? this.#directConnection(socket) : new Connection(socket, this.#context);
    this.#connections.add(connection);
    this.#idleSweep.start();
    this.emit('connection', connection.socket);
  }

  /** A connection whose socket reads into the shared buffer; a stream-read one when that cannot be set up. */
  #directConnection(accepted: Socket): Connection {
    let connection: Connection | undefined;
    const socket = adoptForDirectReads(accepted, (chunk) => connection?.receive(chunk));
    if (socket === undefined) {
      connection = new Connection(accepted, this.#context);
      accepted.resume();
      return connection;
    }
    connection = new Connection(socket, this.#context, true);
    return connection;
  }

  #dispatch(request: ActiveRequest): void {
    const listener = request.role === 'authorizer' && this.#authorizer !== undefined ? this.#authorizer : this.#listener;
    try {
      runNodeRequest(request, listener, (error, req) => report(this, 'requestError', error, req));
    } catch (error) {
      // Never a protocol error: the request fails on its own, the connection goes on.
      report(this, 'requestError', handlerError(error, request.requestId), undefined);
      request.finish(1);
    }
  }

  #makeContext(): ConnectionContext {
    const isClosing = (): boolean => this.#closing;
    return {
      options: this.options,
      get closing() {
        return isClosing();
      },
      acquireRequest: () => {
        if (this.#activeRequests >= this.options.maxConcurrentRequests) return false;
        this.#activeRequests++;
        return true;
      },
      releaseRequest: () => {
        this.#activeRequests--;
      },
      dispatch: (request) => this.#dispatch(request),
      reportConnectionError: (error, socket) => report(this, 'connectionError', error, socket),
      connectionClosed: (connection) => {
        this.#connections.delete(connection);
        this.#maybeEmitClose();
      },
    };
  }
}

/**
 * Creates a FastCGI server, as `http.createServer`: `createServer(listener)`,
 * `createServer(options, listener?)`, or `createServer({ fetch })`.
 *
 * @example
 * ```ts
 * import { createServer } from '@fcgi/server';
 * createServer((req, res) => {
 *   res.setHeader('Content-Type', 'text/plain');
 *   res.end(`hello ${req.socket.remoteAddress} at ${req.url}`);
 * }).listen(9000, '127.0.0.1');
 * ```
 */
export function createServer(listener?: RequestListener): FastCgiServer;
export function createServer(options?: ServerOptions, listener?: RequestListener): FastCgiServer;
export function createServer(optionsOrListener?: ServerOptions | RequestListener, listener?: RequestListener): FastCgiServer {
  if (typeof optionsOrListener === 'function') return new FastCgiServer({}, optionsOrListener);
  return new FastCgiServer(optionsOrListener ?? {}, listener);
}
