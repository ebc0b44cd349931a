/**
 * What `client.request()` takes and resolves to, and how its params are built.
 *
 * @module
 */
import type { Readable } from 'node:stream';
import { FCGI_HEADER_LENGTH, type HeaderEntry, type ParamsInput, type PairInput, Role, concatBytes, encodeParamsStream } from '@fcgi/codec';
import { type BodySource, type RequestBody, toBodySource } from './body.js';
import { invalidOption, readInteger } from './options.js';

/**
 * A role by name or wire value.
 *
 * @example
 * ```ts
 * const role: RoleInput = 'authorizer';
 * ```
 */
export type RoleInput = 'responder' | 'authorizer' | 'filter' | 1 | 2 | 3;

/**
 * Options of `client.request()`.
 *
 * @example
 * ```ts
 * const options: RequestOptions = { params: { REQUEST_METHOD: 'GET' }, timeout: 5000 };
 * ```
 */
export interface RequestOptions {
  /** CGI params: a plain object (`undefined` values skipped) or an iterable of `[name, value]` pairs. */
  params?: ParamsInput;
  /** The request body (STDIN). CONTENT_LENGTH is added when its length is known and params lack it. */
  body?: RequestBody;
  /** `'responder'` (default), `'authorizer'` (no body) or `'filter'` (with `data`). */
  role?: RoleInput;
  /** The Filter role's data file (DATA stream). FCGI_DATA_LENGTH is added when its length is known. */
  data?: RequestBody;
  /** The Filter role's FCGI_DATA_LAST_MOD: a Date or seconds since the epoch (default 0). */
  dataLastModified?: Date | number;
  /** Aborts the request: ABORT_REQUEST is sent and the promise/streams fail with ERR_FCGI_ABORTED. */
  signal?: AbortSignal;
  /** Most ms until the CGI head (default: the client's `headersTimeout`). */
  timeout?: number;
  /** Most ms without progress on the response body, neither data from the app nor a read by the consumer (default: the client's `bodyTimeout`; 0 disables). */
  bodyTimeout?: number;
  /** Most ms for the whole request (default: the client's `requestTimeout`; 0 disables). */
  requestTimeout?: number;
}

/**
 * What `done` resolves to: the END_REQUEST record's fields.
 *
 * @example
 * ```ts
 * const { appStatus }: RequestEnd = await response.done;
 * ```
 */
export interface RequestEnd {
  /** The app's exit status. */
  readonly appStatus: number;
  /** Always 0 (REQUEST_COMPLETE) on success; other statuses reject with a typed error. */
  readonly protocolStatus: number;
}

/**
 * Options of `response.bytes()`, `text()` and `json()`.
 *
 * @example
 * ```ts
 * const page = await response.text({ maxBytes: 1024 * 1024 });
 * ```
 */
export interface BodyReadOptions {
  /** Most body bytes to gather; more rejects with ERR_FCGI_RESPONSE_TOO_LARGE and aborts the request (default: the client's `maxBodyBytes`, 16 MiB). */
  maxBytes?: number;
}

/**
 * What `client.request()` resolves to once the CGI head has arrived.
 *
 * @example
 * ```ts
 * const response: ClientResponse = await client.request({ params });
 * response.body.pipe(process.stdout); // or: const html = await response.text();
 * ```
 */
export interface ClientResponse {
  /** From the CGI `Status:` header; 302 for a bare `Location:`; else 200. */
  readonly status: number;
  /** The reason phrase. */
  readonly statusText: string;
  /** Headers by lower-case name; repeated headers (Set-Cookie) become arrays. */
  readonly headers: Readonly<Record<string, string | string[]>>;
  /** Headers as sent, in order, repeats kept. */
  readonly rawHeaders: readonly HeaderEntry[];
  /**
   * The response body: a stream of bytes, with backpressure (a slow reader pauses the
   * connection). Made at the first read of the property, with the bytes that arrived
   * before; throws ERR_FCGI_BODY_USED after `bytes()`, `text()` or `json()`.
   */
  readonly body: Readable;
  /** True once the body was taken: `body` read, or `bytes()`, `text()` or `json()` called. */
  readonly bodyUsed: boolean;
  /**
   * The whole body, after END_REQUEST (so `done` has resolved too). Rejects with
   * ERR_FCGI_RESPONSE_TOO_LARGE (aborting the request) beyond `maxBytes`, ERR_FCGI_BODY_USED
   * when the body was already taken, or the error that ended the request.
   */
  bytes(options?: BodyReadOptions): Promise<Buffer>;
  /** The whole body decoded as UTF-8 (like `bytes()`, same errors). */
  text(options?: BodyReadOptions): Promise<string>;
  /** The whole body parsed as JSON (like `text()`; invalid JSON rejects with JSON.parse's SyntaxError). */
  json<T = unknown>(options?: BodyReadOptions): Promise<T>;
  /** The app's STDERR bytes (never applies backpressure; see `maxStderrBuffer`). */
  readonly stderr: Readable;
  /** Resolves after END_REQUEST; rejects with the error that ended the request early. */
  readonly done: Promise<RequestEnd>;
  /** Authorizer role only: true when the status is 200. */
  readonly allowed?: boolean;
  /** Authorizer role only: the `Variable-NAME: value` headers, by NAME. */
  readonly variables?: Readonly<Record<string, string>>;
}

/**
 * A request after validation.
 *
 * @example
 * ```ts
 * const prepared: PreparedRequest = prepareRequest({ params: { A: '1' }, body: 'x' });
 * ```
 */
export interface PreparedRequest {
  readonly role: number;
  /** The PARAMS records for request id 1, encoded once (which also validates the params); see `paramsFor`. */
  readonly paramsRecords: Uint8Array[];
  readonly body: BodySource;
  readonly data: BodySource | undefined;
  /** REQUEST_METHOD is idempotent (RFC 9110: GET, HEAD, OPTIONS, TRACE, PUT, DELETE) or absent: safe to send twice. */
  readonly idempotent: boolean;
}

const idempotentMethods = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/** What `prepareRequest` needs to know of the params, found in one pass. */
interface ParamsScan {
  contentLength: boolean;
  dataLength: boolean;
  dataLastModified: boolean;
  /** REQUEST_METHOD's value (the first one given), or undefined when absent. */
  method: string | undefined;
}

function pairValue(pair: PairInput): unknown {
  return Array.isArray(pair) ? (pair as readonly [unknown, unknown])[1] : (pair as { value: unknown }).value;
}

function scanPair(scan: ParamsScan, name: string, value: unknown): void {
  if (name === 'CONTENT_LENGTH') scan.contentLength = true;
  else if (name === 'REQUEST_METHOD' && scan.method === undefined) {
    scan.method = typeof value === 'string' ? value : value instanceof Uint8Array ? latin1.decode(value) : '';
  } else if (name === 'FCGI_DATA_LENGTH') scan.dataLength = true;
  else if (name === 'FCGI_DATA_LAST_MOD') scan.dataLastModified = true;
}

function scanParams(params: readonly PairInput[]): ParamsScan {
  const scan: ParamsScan = { contentLength: false, dataLength: false, dataLastModified: false, method: undefined };
  for (const pair of params) scanPair(scan, pairName(pair), pairValue(pair));
  return scan;
}

type ParamsRecord = Readonly<Record<string, string | Uint8Array | undefined>>;

/** `params` when it is a plain object (not an iterable of pairs), else undefined. */
function plainParams(params: ParamsInput | undefined): ParamsRecord | undefined {
  if (typeof params !== 'object' || params === null || typeof (params as Partial<Iterable<unknown>>)[Symbol.iterator] === 'function') return undefined;
  return params as ParamsRecord;
}

function scanRecord(record: ParamsRecord): ParamsScan {
  const scan: ParamsScan = { contentLength: false, dataLength: false, dataLastModified: false, method: undefined };
  for (const name of Object.keys(record)) {
    const value = record[name];
    if (value !== undefined) scanPair(scan, name, value);
  }
  return scan;
}

function isIdempotent(method: string | undefined): boolean {
  return method === undefined || idempotentMethods.has(method) || idempotentMethods.has(method.toUpperCase());
}

const roleValues: Readonly<Record<string, number>> = { responder: Role.Responder, authorizer: Role.Authorizer, filter: Role.Filter, 1: 1, 2: 2, 3: 3 };

function readRole(role: RoleInput | undefined): number {
  if (role === undefined) return Role.Responder;
  const value = roleValues[String(role)];
  if (value === undefined) throw invalidOption(`request role must be 'responder', 'authorizer' or 'filter', got ${String(role)}`);
  return value;
}

const latin1 = new TextDecoder('latin1');

function pairName(pair: PairInput): string {
  const name = Array.isArray(pair) ? (pair as readonly [string | Uint8Array, unknown])[0] : (pair as { name: string }).name;
  return typeof name === 'string' ? name : latin1.decode(name);
}

function toPairs(params: ParamsInput | undefined): PairInput[] {
  if (params === undefined || params === null) return [];
  if (typeof (params as Iterable<PairInput>)[Symbol.iterator] === 'function') return [...(params as Iterable<PairInput>)];
  if (typeof params !== 'object') throw invalidOption('request params must be an object or an iterable of [name, value] pairs');
  const record = params as Record<string, string | Uint8Array | undefined>;
  const pairs: PairInput[] = [];
  for (const name of Object.keys(record)) {
    const value = record[name];
    if (value !== undefined) pairs.push([name, value]);
  }
  return pairs;
}

function lastModifiedSeconds(value: Date | number | undefined): string {
  if (value === undefined) return '0';
  const seconds = value instanceof Date ? Math.floor(value.getTime() / 1000) : value;
  if (!Number.isSafeInteger(seconds) || seconds < 0) throw invalidOption('request dataLastModified must be a Date or a non-negative integer');
  return String(seconds);
}

/**
 * Validates a request and builds its params: CONTENT_LENGTH (and for filters
 * FCGI_DATA_LENGTH / FCGI_DATA_LAST_MOD) added when known and missing.
 *
 * @example
 * ```ts
 * prepareRequest({ params: { REQUEST_METHOD: 'POST' }, body: 'a=1' }).paramsRecords;
 * // the PARAMS records of REQUEST_METHOD=POST and CONTENT_LENGTH=3, for request id 1
 * ```
 */
export function prepareRequest(options: RequestOptions): PreparedRequest {
  if (typeof options !== 'object' || options === null) throw invalidOption('request options must be an object');
  const role = readRole(options.role);
  if (role === Role.Authorizer && options.body !== undefined && options.body !== null) throw invalidOption('An authorizer request has no body');
  if (role !== Role.Filter && options.data !== undefined) throw invalidOption('request data is for the filter role only');
  const body = toBodySource(options.body);
  const data = role === Role.Filter ? toBodySource(options.data, 'data') : undefined;
  const record = plainParams(options.params);
  const recordScan = record === undefined ? undefined : scanRecord(record);
  // A plain object that needs nothing added is encoded as it is: no array of pairs made.
  if (record !== undefined && recordScan !== undefined && data === undefined && !addsContentLength(body, recordScan, role)) {
    return { role, paramsRecords: encodeParamsStream(1, record), body, data, idempotent: isIdempotent(recordScan.method) };
  }
  const params = toPairs(options.params);
  const scan = recordScan ?? scanParams(params);
  if (body.kind === 'bytes' && addsContentLength(body, scan, role)) params.push(['CONTENT_LENGTH', body.bytes.length === 0 ? '0' : String(body.bytes.length)]);
  if (data !== undefined) {
    if (data.kind === 'bytes' && !scan.dataLength) params.push(['FCGI_DATA_LENGTH', String(data.bytes.length)]);
    if (!scan.dataLastModified) params.push(['FCGI_DATA_LAST_MOD', lastModifiedSeconds(options.dataLastModified)]);
  }
  return { role, paramsRecords: encodeParamsStream(1, params), body, data, idempotent: isIdempotent(scan.method) };
}

/** True when CONTENT_LENGTH must be added: the body's length is known and the params lack it. */
function addsContentLength(body: BodySource, scan: ParamsScan, role: number): boolean {
  return body.kind === 'bytes' && !scan.contentLength && (body.bytes.length > 0 || role !== Role.Authorizer);
}

/**
 * The PARAMS records of a prepared request for `requestId`: those encoded for request id 1,
 * copied with the id changed (a multiplexed connection runs other ids).
 *
 * @example
 * ```ts
 * const records = requestId === 1 ? prepared.paramsRecords : paramsFor(prepared, requestId);
 * ```
 */
export function paramsFor(prepared: PreparedRequest, requestId: number): Uint8Array[] {
  const bytes = concatBytes(prepared.paramsRecords);
  for (let offset = 0; offset + FCGI_HEADER_LENGTH <= bytes.length;) {
    bytes[offset + 2] = requestId >>> 8;
    bytes[offset + 3] = requestId & 0xff;
    offset += FCGI_HEADER_LENGTH + (((bytes[offset + 4] as number) << 8) | (bytes[offset + 5] as number)) + (bytes[offset + 6] as number);
  }
  return [bytes];
}

/**
 * Reads a per-request timeout, falling back to the client's.
 *
 * @example
 * ```ts
 * requestTimeoutValue('timeout', undefined, 60000, 1); // 60000
 * ```
 */
export function requestTimeoutValue(name: string, value: number | undefined, fallback: number, minimum: number): number {
  return readInteger(`request ${name}`, value, fallback, minimum, 2_147_483_647);
}

/**
 * Groups header entries by lower-case name; repeats become arrays.
 *
 * @example
 * ```ts
 * headerObject([['Set-Cookie', 'a=1'], ['Set-Cookie', 'b=2']]); // { 'set-cookie': ['a=1', 'b=2'] }
 * ```
 */
export function headerObject(entries: readonly HeaderEntry[]): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const [name, value] of entries) {
    const key = name.toLowerCase();
    const previous = headers[key];
    if (previous === undefined) headers[key] = value;
    else if (Array.isArray(previous)) previous.push(value);
    else headers[key] = [previous, value];
  }
  return headers;
}

/**
 * The `Variable-NAME` headers of an authorizer's answer, by NAME.
 *
 * @example
 * ```ts
 * authorizerVariables([['Variable-USER', 'ann']]); // { USER: 'ann' }
 * ```
 */
export function authorizerVariables(entries: readonly HeaderEntry[]): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const [name, value] of entries) {
    if (name.length > 9 && name.slice(0, 9).toLowerCase() === 'variable-') variables[name.slice(9)] = value;
  }
  return variables;
}
