/**
 * The node:http side of a request: a per-request stand-in socket carrying the web
 * server's view of the client (REMOTE_ADDR, HTTPS...), and an `http.IncomingMessage`
 * built from the params whose body is the STDIN stream.
 *
 * @module
 */
import { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { Duplex, type Readable } from 'node:stream';
import type { NameValuePair } from '@fcgi/codec';
import type { DecodedParams } from './params-fast.js';
import type { RoleName } from './request.js';
import { pinOnFrameworkAttach } from './pin-methods.js';
import { type HeaderSource, headersFromList, listSource } from './request-headers.js';

/**
 * The FastCGI facts of a request, on `req.fastcgi`.
 *
 * @example
 * ```ts
 * createServer((req, res) => {
 *   if (req.fastcgi.role === 'authorizer') res.writeHead(req.fastcgi.params.REMOTE_USER ? 200 : 403).end();
 * });
 * ```
 */
export interface FastCgiRequestInfo {
  /** The role the web server asked for. */
  readonly role: RoleName;
  /** The request id on its connection (nginx and Apache always use 1). */
  readonly requestId: number;
  /** The raw FastCGI params (CGI meta-variables), decoded as UTF-8. */
  readonly params: Readonly<Record<string, string>>;
  /** The params with their exact bytes, in arrival order. */
  readonly pairs: readonly NameValuePair[];
  /** Whether the web server keeps the connection after this request (FCGI_KEEP_CONN). */
  readonly keepConn: boolean;
  /** Fires when the web server aborts the request or the connection is lost. */
  readonly signal: AbortSignal;
  /** Filter role only: the DATA stream (the file to filter), after STDIN. */
  readonly data?: Readable;
}

/**
 * The client as the web server saw it, from the params.
 *
 * @example
 * ```ts
 * const peer: PeerInfo = peerInfo(req.fastcgi.params);
 * ```
 */
export interface PeerInfo {
  remoteAddress: string | undefined;
  remotePort: number | undefined;
  localAddress: string | undefined;
  localPort: number | undefined;
  encrypted: boolean;
}

/**
 * Reads the client's address and the scheme from the params.
 *
 * @example
 * ```ts
 * peerInfo({ REMOTE_ADDR: '203.0.113.9', REMOTE_PORT: '51000', HTTPS: 'on' }).encrypted; // true
 * ```
 */
export function peerInfo(params: Readonly<Record<string, string>>): PeerInfo {
  const port = (value: string | undefined): number | undefined => (value === undefined || value === '' || !/^\d+$/.test(value) ? undefined : Number(value));
  const https = params.HTTPS?.toLowerCase();
  return {
    remoteAddress: params.REMOTE_ADDR || undefined,
    remotePort: port(params.REMOTE_PORT),
    localAddress: params.SERVER_ADDR || undefined,
    localPort: port(params.SERVER_PORT),
    encrypted: https === 'on' || https === '1' || params.REQUEST_SCHEME?.toLowerCase() === 'https',
  };
}

/**
 * The request URL: REQUEST_URI verbatim, else SCRIPT_NAME + PATH_INFO + `?` + QUERY_STRING.
 *
 * @example
 * ```ts
 * requestUrl({ SCRIPT_NAME: '/app', PATH_INFO: '/users', QUERY_STRING: 'page=2' }); // '/app/users?page=2'
 * ```
 */
export function requestUrl(params: Readonly<Record<string, string>>): string {
  return urlFromParams({ param: (name) => params[name] }, params.REQUEST_URI);
}

/**
 * A per-request stand-in for `req.socket` / `res.socket`: it carries the client's address
 * as the web server reported it, and is destroyed when the request ends or is aborted.
 * Bytes written to it directly (interim responses such as 100 Continue) are discarded:
 * CGI has no place for them.
 *
 * @example
 * ```ts
 * createServer((req, res) => res.end(`hello ${req.socket.remoteAddress}`));
 * ```
 */
export class FastCgiSocket extends Duplex {
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  readonly remoteFamily: string | undefined;
  readonly localAddress: string | undefined;
  readonly localPort: number | undefined;
  /** True for HTTPS requests (as TLS sockets have), so frameworks report `https`. */
  readonly encrypted: boolean | undefined;
  readonly #onDestroy: () => void;

  constructor(peer: PeerInfo, highWaterMark: number, onDestroy: () => void) {
    super({ readableHighWaterMark: highWaterMark });
    this.remoteAddress = peer.remoteAddress;
    this.remotePort = peer.remotePort;
    this.remoteFamily = peer.remoteAddress === undefined ? undefined : peer.remoteAddress.includes(':') ? 'IPv6' : 'IPv4';
    this.localAddress = peer.localAddress;
    this.localPort = peer.localPort;
    this.encrypted = peer.encrypted ? true : undefined;
    this.#onDestroy = onDestroy;
  }

  override _read(): void {}

  override _write(_chunk: unknown, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    callback();
  }

  override _destroy(_error: Error | null, callback: (error?: Error | null) => void): void {
    this.#onDestroy();
    callback(null);
  }

  /** No-op: the web server owns the real connection's timeouts. */
  setTimeout(_timeout: number, callback?: () => void): this {
    if (callback !== undefined) this.once('timeout', callback);
    return this;
  }

  /** No-op, as on a socket with no transport. */
  setNoDelay(): this {
    return this;
  }

  /** No-op, as on a socket with no transport. */
  setKeepAlive(): this {
    return this;
  }

  /** No-op, as on a socket with no transport. */
  ref(): this {
    return this;
  }

  /** No-op, as on a socket with no transport. */
  unref(): this {
    return this;
  }

  /** The server-side address as the web server reported it (SERVER_ADDR, SERVER_PORT). */
  address(): { address: string; family: string; port: number } | Record<string, never> {
    if (this.localAddress === undefined) return {};
    return { address: this.localAddress, family: this.localAddress.includes(':') ? 'IPv6' : 'IPv4', port: this.localPort ?? 0 };
  }
}

/**
 * Where a request's body demand goes and its socket stand-in comes from: the stand-in
 * (a `Duplex`, the costliest object of a request) is created only when `req.socket`,
 * `req.connection`, `res.socket` or `res.connection` is first read.
 *
 * @internal
 */
export abstract class RequestSource {
  /** The body stream's high-water mark (node's `IncomingMessage` reads it from its socket). */
  abstract readonly readableHighWaterMark: number;
  /** Creates the socket stand-in on first use (and attaches it to `res`); the same one after. */
  abstract materializeSocket(): FastCgiSocket;
  /** The consumer wants more body: lets the connection read again. */
  abstract demand(): void;
  /** Copies the FastCGI overrides onto this request's `req` and `res` (a framework is about to swap their prototypes). */
  abstract pinMembers(): void;
}

/** Where `req.socket` / `res.socket` is kept: a socket, null, or the RequestSource to create it from. */
export const socketSlot: unique symbol = Symbol('fcgi.socket');

interface SocketHolder {
  [socketSlot]: unknown;
}

/**
 * `socket` as an accessor on the prototype: node's constructors assign it, the getter
 * creates the stand-in when a RequestSource is still in its place.
 */
function defineLazySocket(prototype: object, isQuiet: (target: SocketHolder) => boolean): void {
  const descriptor: PropertyDescriptor = {
    configurable: true,
    enumerable: false,
    get(this: SocketHolder): unknown {
      const value = this[socketSlot];
      if (!(value instanceof RequestSource)) return value;
      return isQuiet(this) ? null : value.materializeSocket();
    },
    set(this: SocketHolder, value: unknown): void {
      this[socketSlot] = value;
    },
  };
  Object.defineProperty(prototype, 'socket', descriptor);
}

/**
 * Installs the lazy `socket` accessor on a response prototype (node's `connection` getter
 * reads `socket`); `isQuiet` tells when node's own code is reading it (it sees no socket
 * then, so none is created for it).
 *
 * @internal
 */
export function defineLazyResponseSocket(prototype: object, isQuiet: (target: object) => boolean): void {
  defineLazySocket(prototype, isQuiet);
}

/**
 * An `http.IncomingMessage` whose body is the request's STDIN stream, with the FastCGI
 * facts on `fastcgi`. `req.socket` (and `req.connection`) is created on first read.
 *
 * @example
 * ```ts
 * createServer(async (req, res) => {
 *   let size = 0;
 *   for await (const chunk of req) size += chunk.length;
 *   res.end(`${req.method} ${req.url}: ${size} bytes from ${req.socket.remoteAddress}`);
 * });
 * ```
 */
export class FastCgiIncomingMessage extends IncomingMessage {
  /** Role, request id, params, keepConn, signal, and `data` for filters. */
  declare fastcgi: FastCgiRequestInfo;
  declare [socketSlot]: unknown;
  readonly #source: RequestSource;
  /** node's `_destroy` is reading `socket` only to destroy it if aborted: it is not, so none is created. */
  #quiet = false;

  constructor(source: RequestSource) {
    // node's constructor reads the high-water mark from it and assigns it to `socket`.
    super(source as unknown as Socket);
    this.#source = source;
  }

  static {
    defineLazySocket(this.prototype, (target) => (target as FastCgiIncomingMessage).#quiet);
    // Express swaps req/res prototypes right after `req.res = res`: pin the overrides then.
    defineLazyRawHeaders(this.prototype);
    pinOnFrameworkAttach(this.prototype, (target) => (target as FastCgiIncomingMessage).#source.pinMembers());
  }

  /** @internal Readable hook: the consumer wants more body; lets the connection read again. */
  override _read(): void {
    (this as unknown as { _consuming: boolean })._consuming = true;
    this.#source.demand();
  }

  /** @internal Readable hook: node's, without creating a socket stand-in just to leave it alone. */
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // node destroys the socket of a message that was not fully received (it marks it aborted).
    const hide = this[socketSlot] instanceof RequestSource && this.readableEnded && this.complete && !this.aborted;
    if (!hide) {
      super._destroy(error, callback);
      return;
    }
    this.#quiet = true;
    try {
      super._destroy(error, callback);
    } finally {
      this.#quiet = false;
    }
  }
}

const nonAscii = /[\u0080-\uffff]/;

/** The params in arrival order: names, and values as latin1 text of their exact bytes. */
export interface ExactPairs {
  readonly names: readonly string[];
  readonly values: readonly string[];
}

/**
 * The pairs with values as latin1 text, as node:http decodes the request line and headers
 * (byte-exact: one character per byte). ASCII values are shared as they are.
 */
function latin1Pairs(pairs: readonly NameValuePair[]): ExactPairs {
  const names = new Array<string>(pairs.length);
  const values = new Array<string>(pairs.length);
  for (let index = 0; index < pairs.length; index++) {
    const pair = pairs[index] as NameValuePair;
    names[index] = pair.name;
    values[index] = nonAscii.test(pair.value) ? Buffer.from(pair.valueBytes).toString('latin1') : pair.value;
  }
  return { names, values };
}

/** The same from the fast path's decoded record (values decoded as they are read). */
function latin1Lists(decoded: DecodedParams): ExactPairs {
  const values = new Array<string>(decoded.names.length);
  for (let index = 0; index < values.length; index++) values[index] = decoded.latin1Value(index);
  return { names: decoded.names, values };
}

/** node's count of `rawHeaders` entries (for `headersDistinct`), found once. */
let headersCountSymbol: symbol | null | undefined;

/** Where {@link initializeRequest} reads the params: one by one, and as the fast path's lists if any. */
export interface ParamSource {
  param(name: string): string | undefined;
  readonly decodedParams: DecodedParams | undefined;
}

/** The params every request reads, looked up in one pass when the fast path decoded them. */
const standardNames = ['REQUEST_METHOD', 'REQUEST_URI', 'SERVER_PROTOCOL'] as const;
/** {@link standardNames}' values, reused by every request (read at once, never kept). */
const standardValues: (string | undefined)[] = [];

function lookUpStandard(source: ParamSource): void {
  const decoded = source.decodedParams;
  if (decoded !== undefined) {
    decoded.findEach(standardNames, standardValues);
    return;
  }
  for (let slot = 0; slot < standardNames.length; slot++) standardValues[slot] = source.param(standardNames[slot] as string);
}

/** {@link requestUrl} from one-by-one lookups (`uri`: REQUEST_URI, already looked up). */
function urlFromParams(source: Pick<ParamSource, 'param'>, uri: string | undefined): string {
  if (uri !== undefined && uri !== '') return uri;
  const path = `${source.param('SCRIPT_NAME') ?? ''}${source.param('PATH_INFO') ?? ''}`;
  const query = source.param('QUERY_STRING');
  return `${path === '' ? '/' : path}${query !== undefined && query !== '' ? `?${query}` : ''}`;
}

/**
 * Fills method, url, version and headers of `req` from the params. `url` and headers are
 * latin1 text of the exact bytes, as node:http gives them; `req.fastcgi.params` is UTF-8.
 * The fast path's lists (`source.decodedParams`) spare building the pairs and the params object.
 */
export function initializeRequest(req: FastCgiIncomingMessage, info: FastCgiRequestInfo, source: ParamSource): void {
  const decoded = source.decodedParams;
  req.fastcgi = info;
  lookUpStandard(source);
  const [method, uri, protocol] = standardValues;
  req.method = method || 'GET';
  let exact: ExactPairs | undefined;
  const exactPairs = (): ExactPairs => (exact ??= decoded === undefined ? latin1Pairs(info.pairs) : latin1Lists(decoded));
  const url = urlFromParams(source, uri);
  if (nonAscii.test(url)) {
    const latin1Params: Record<string, string> = Object.create(null) as Record<string, string>;
    const { names, values } = exactPairs();
    for (let index = 0; index < names.length; index++) latin1Params[names[index] as string] = values[index] as string;
    req.url = requestUrl(latin1Params);
  } else {
    req.url = url;
  }
  if (protocol === 'HTTP/1.1') {
    req.httpVersionMajor = 1;
    req.httpVersionMinor = 1;
    req.httpVersion = '1.1';
  } else {
    const version = /^HTTP\/(\d+)(?:\.(\d+))?$/i.exec(protocol ?? '');
    req.httpVersionMajor = version === null ? 1 : Number(version[1]);
    req.httpVersionMinor = version === null ? 1 : Number(version[2] ?? 0);
    req.httpVersion = `${req.httpVersionMajor}.${req.httpVersionMinor}`;
  }
  const headerSource: HeaderSource = decoded ?? listSourceOf(exactPairs());
  // node builds `req.headers` from `rawHeaders` on first read, up to this internal count.
  if (headersCountSymbol === undefined) headersCountSymbol = Object.getOwnPropertySymbols(req).find((symbol) => symbol.description === 'kHeadersCount') ?? null;
  if (headersCountSymbol === null) {
    req.headers = headersObject(headersFromList(headerSource));
    return;
  }
  // `rawHeaders` (and through it `req.headers`) is built on first read.
  const holder = req as unknown as RawHeadersHolder;
  holder[rawHeadersSlot] = undefined;
  holder[headerSourceSlot] = headerSource;
}

/** A request's `rawHeaders` once built or assigned, and what it is built from until then. */
interface RawHeadersHolder {
  [rawHeadersSlot]: string[] | undefined;
  [headerSourceSlot]: HeaderSource | undefined;
}

const rawHeadersSlot: unique symbol = Symbol('fcgi.rawHeaders');
const headerSourceSlot: unique symbol = Symbol('fcgi.headerSource');

const listSourceOf = ({ names, values }: ExactPairs): HeaderSource => listSource(names, values);

/**
 * `rawHeaders` as an accessor on the prototype: built from the params on first read (node's
 * `headers` and `headersDistinct` getters read it first, then the count it sets here).
 * node's constructor assigns `[]`, which {@link initializeRequest} then marks as not built.
 */
function defineLazyRawHeaders(prototype: object): void {
  Object.defineProperty(prototype, 'rawHeaders', {
    configurable: true,
    enumerable: false,
    get(this: RawHeadersHolder): string[] {
      const built = this[rawHeadersSlot];
      if (built !== undefined) return built;
      const source = this[headerSourceSlot];
      const raw = source === undefined ? [] : headersFromList(source);
      this[rawHeadersSlot] = raw;
      this[headerSourceSlot] = undefined;
      if (headersCountSymbol) (this as unknown as Record<symbol, number>)[headersCountSymbol] = raw.length;
      return raw;
    },
    set(this: RawHeadersHolder, value: string[]): void {
      this[rawHeadersSlot] = value;
      this[headerSourceSlot] = undefined;
    },
  });
}

/** `req.headers` from the raw list (each name is there once), for a node without the lazy getter. */
function headersObject(raw: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let index = 0; index < raw.length; index += 2) headers[raw[index] as string] = raw[index + 1] as string;
  return headers;
}
