/**
 * The mock backend's script: what it answers and which faults it injects, and how one
 * scripted response becomes a list of output steps.
 *
 * @module
 */
import { ProtocolStatus, RecordType, type NameValuePair, concatBytes, encodeRecord, serializeCgiHead } from '@fcgi/codec';
import { FastCgiHarnessError, HarnessErrorCode } from './errors.js';

/**
 * Bytes or text, or a list of chunks (each chunk becomes its own record).
 *
 * @example
 * ```ts
 * const body: MockChunks = ['first chunk, ', 'second chunk'];
 * ```
 */
export type MockChunks = string | Uint8Array | readonly (string | Uint8Array)[];

/**
 * How the mock answers one request, faults included.
 *
 * @example
 * ```ts
 * const response: MockResponse = { status: 404, headers: { 'content-type': 'text/plain' }, body: ['not ', 'found'], stderr: 'PHP Notice: x', appStatus: 3 };
 * const broken: MockResponse = { body: 'x'.repeat(100), close: 'mid-body' };
 * ```
 */
export interface MockResponse {
  /** HTTP status of the CGI head (default 200). */
  status?: number;
  /** Response headers. */
  headers?: Readonly<Record<string, string | number | readonly string[]>>;
  /** A raw CGI head to send instead of `status` and `headers` (e.g. a malformed one). */
  head?: string | Uint8Array;
  /** The body; each chunk its own STDOUT record(s). */
  body?: MockChunks;
  /** STDERR output, sent after the head. */
  stderr?: MockChunks;
  /** END_REQUEST's appStatus (default 0). */
  appStatus?: number;
  /** Answer with END_REQUEST of this protocol status at once (no output): `'overloaded'`, `'cant-mpx-conn'`, `'unknown-role'`, or a number. */
  protocolStatus?: 'complete' | 'overloaded' | 'cant-mpx-conn' | 'unknown-role' | number;
  /** Ms to wait before answering (an ABORT_REQUEST meanwhile is answered at once). */
  delay?: number;
  /** Ms to wait between body chunks. */
  chunkDelay?: number;
  /** Largest content of an output record; 1 sends 1-byte records (default 65535). */
  recordSize?: number;
  /** Largest socket write; 1 writes every byte separately (default: whole records). */
  writeSize?: number;
  /** Padding of output records: `'none'` (default), `'aligned'` (8-byte, as libfcgi), `'random'` (0-255) or an exact length. */
  padding?: 'none' | 'aligned' | 'random' | number;
  /** Leave out the empty STDOUT record that ends the stream (as php-fpm does). */
  omitEmptyStdout?: boolean;
  /** Destroy the connection in the middle of the CGI head, of the body, or just before END_REQUEST. */
  close?: 'mid-head' | 'mid-body' | 'before-end';
  /** Never answer (nor ABORT_REQUEST). */
  neverAnswer?: boolean;
  /** Write the output at this many bytes per second. */
  bytesPerSecond?: number;
  /** Write these bytes (default: an HTTP response, as a misconfigured upstream would) instead of FastCGI records. */
  garbage?: true | string | Uint8Array;
  /** Send a STDOUT record for the request after its END_REQUEST (a protocol violation). */
  recordsAfterEnd?: boolean;
  /** Do not answer ABORT_REQUEST with END_REQUEST. */
  ignoreAbort?: boolean;
}

/**
 * A request as the mock received it.
 *
 * @example
 * ```ts
 * const request: MockRequest = backend.requests[0]!;
 * expect(request.params.REQUEST_METHOD).toBe('POST');
 * expect(request.stdin.toString()).toBe('a=1');
 * ```
 */
export interface MockRequest {
  /** Which connection it came on (0 for the first one accepted). */
  readonly connection: number;
  readonly requestId: number;
  readonly role: number;
  readonly keepConn: boolean;
  /** The params by name (last one wins). */
  readonly params: Record<string, string>;
  /** The params in order, repeats kept. */
  readonly paramPairs: NameValuePair[];
  /** The STDIN bytes received so far. */
  stdin: Buffer;
  /** The DATA bytes received so far (Filter role). */
  data: Buffer;
  /** True once ABORT_REQUEST arrived for it. */
  aborted: boolean;
}

/**
 * The mock backend's script.
 *
 * @example
 * ```ts
 * const script: MockScript = { respond: (request) => ({ body: `hello ${request.params.QUERY_STRING}` }), mpxsConns: 1 };
 * ```
 */
export interface MockScript {
  /** The answer to every request, or a function of the request (default: 200 with body `ok`). */
  respond?: MockResponse | ((request: MockRequest) => MockResponse | Promise<MockResponse>);
  /** FCGI_MPXS_CONNS advertised, and whether concurrent requests on one connection are served (1) or refused with CANT_MPX_CONN (0, the default). */
  mpxsConns?: 0 | 1;
  /** Extra or replacement GET_VALUES answers; `false` never answers GET_VALUES. */
  values?: Readonly<Record<string, string>> | false;
  /** KEEP_CONN handling: `'honour'` (default), `'always-close'` (close after every request) or `'never-close'` (keep every connection open). */
  keepConn?: 'honour' | 'always-close' | 'never-close';
  /** Answer management records of unknown types with UNKNOWN_TYPE (default true). */
  unknownType?: boolean;
  /** Where to listen: a loopback TCP port (default: any free one) or a Unix socket path. */
  listen?: { readonly host?: string; readonly port?: number } | { readonly path: string };
}

/**
 * One thing the mock does on a connection.
 *
 * @example
 * ```ts
 * const step: OutputStep = { kind: 'wait', milliseconds: 100 };
 * ```
 */
export type OutputStep = { readonly kind: 'write'; readonly bytes: Uint8Array } | { readonly kind: 'wait'; readonly milliseconds: number } | { readonly kind: 'destroy' };

const protocolStatusByName = { complete: ProtocolStatus.RequestComplete, overloaded: ProtocolStatus.Overloaded, 'cant-mpx-conn': ProtocolStatus.CantMpxConn, 'unknown-role': ProtocolStatus.UnknownRole } as const;

const defaultGarbage = 'HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n';

function toBytes(chunk: string | Uint8Array): Uint8Array {
  return typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
}

function chunksOf(value: MockChunks | undefined): Uint8Array[] {
  if (value === undefined) return [];
  if (typeof value === 'string' || value instanceof Uint8Array) return [toBytes(value)];
  return (value as readonly (string | Uint8Array)[]).map(toBytes);
}

/**
 * The protocol status a response asks for, as a number.
 *
 * @example
 * ```ts
 * protocolStatusOf({ protocolStatus: 'overloaded' }); // 2
 * ```
 */
export function protocolStatusOf(response: MockResponse): number {
  const status = response.protocolStatus ?? 'complete';
  return typeof status === 'number' ? status : protocolStatusByName[status];
}

function paddingFor(response: MockResponse): { pad?: boolean; paddingLength?: number } {
  const padding = response.padding ?? 'none';
  if (padding === 'none') return { pad: false };
  if (padding === 'aligned') return { pad: true };
  if (padding === 'random') return { paddingLength: Math.floor(Math.random() * 256) };
  return { paddingLength: padding };
}

/**
 * Encodes one stream's content as records of at most `recordSize` bytes.
 *
 * @example
 * ```ts
 * streamRecords(6, 1, Buffer.from('hi'), { recordSize: 1 }).length; // 2
 * ```
 */
export function streamRecords(type: 6 | 7, requestId: number, content: Uint8Array, response: MockResponse): Uint8Array[] {
  const size = response.recordSize ?? 65535;
  if (!Number.isSafeInteger(size) || size < 1 || size > 65535) throw new FastCgiHarnessError(HarnessErrorCode.InvalidOption, `recordSize must be 1..65535, got ${String(size)}`);
  const records: Uint8Array[] = [];
  for (let offset = 0; offset < content.length; offset += size) {
    records.push(encodeRecord({ type, requestId, content: content.subarray(offset, offset + size) }, paddingFor(response)));
  }
  return records;
}

/**
 * The END_REQUEST record for a request.
 *
 * @example
 * ```ts
 * endRequest(1, 0, 0);
 * ```
 */
export function endRequest(requestId: number, appStatus: number, protocolStatus: number): Uint8Array {
  return encodeRecord({ type: RecordType.EndRequest, requestId, appStatus, protocolStatus });
}

function headBytes(response: MockResponse): Uint8Array {
  if (response.head !== undefined) return toBytes(response.head);
  return serializeCgiHead({ status: response.status ?? 200, headers: response.headers });
}

function bodySteps(requestId: number, response: MockResponse, body: Uint8Array[]): OutputStep[] {
  const steps: OutputStep[] = [];
  body.forEach((chunk, index) => {
    if (index > 0 && (response.chunkDelay ?? 0) > 0) steps.push({ kind: 'wait', milliseconds: response.chunkDelay! });
    if (response.close === 'mid-body' && index === 0) {
      steps.push(...streamRecords(RecordType.Stdout, requestId, chunk.subarray(0, Math.ceil(chunk.length / 2)), response).map((bytes) => ({ kind: 'write', bytes }) as const));
      steps.push({ kind: 'destroy' });
      return;
    }
    if (steps.at(-1)?.kind === 'destroy') return;
    steps.push(...streamRecords(RecordType.Stdout, requestId, chunk, response).map((bytes) => ({ kind: 'write', bytes }) as const));
  });
  return steps;
}

/**
 * Throws ERR_FCGI_HARNESS_INVALID_OPTION for a response that cannot be sent.
 *
 * @example
 * ```ts
 * checkResponse({ recordSize: 0 }); // throws
 * ```
 */
export function checkResponse(response: MockResponse): void {
  for (const name of ['recordSize', 'writeSize', 'bytesPerSecond', 'delay', 'chunkDelay'] as const) {
    const value = response[name];
    const minimum = name === 'delay' || name === 'chunkDelay' ? 0 : 1;
    if (value !== undefined && (!Number.isSafeInteger(value) || value < minimum || (name === 'recordSize' && value > 65535))) {
      throw new FastCgiHarnessError(HarnessErrorCode.InvalidOption, `${name} must be an integer >= ${minimum}${name === 'recordSize' ? ' and <= 65535' : ''}, got ${String(value)}`);
    }
  }
}

/**
 * The steps that answer one request: head, STDERR, body chunks, stream ends and
 * END_REQUEST, with the response's faults applied.
 *
 * @example
 * ```ts
 * responseSteps(1, { body: 'hi', omitEmptyStdout: true });
 * ```
 */
export function responseSteps(requestId: number, response: MockResponse): OutputStep[] {
  checkResponse(response);
  if (response.neverAnswer === true) return [];
  const steps: OutputStep[] = [];
  if (response.garbage !== undefined) {
    steps.push({ kind: 'write', bytes: toBytes(response.garbage === true ? defaultGarbage : response.garbage) });
    return steps;
  }
  const protocolStatus = protocolStatusOf(response);
  if (protocolStatus !== ProtocolStatus.RequestComplete) return [...steps, { kind: 'write', bytes: endRequest(requestId, response.appStatus ?? 0, protocolStatus) }];
  const head = headBytes(response);
  const write = (bytes: Uint8Array[]): OutputStep[] => bytes.map((record) => ({ kind: 'write', bytes: record }));
  if (response.close === 'mid-head') return [...steps, ...write(streamRecords(RecordType.Stdout, requestId, head.subarray(0, Math.max(1, Math.floor(head.length / 2))), response)), { kind: 'destroy' }];
  steps.push(...write(streamRecords(RecordType.Stdout, requestId, head, response)));
  const stderr = concatBytes(chunksOf(response.stderr));
  if (stderr.length > 0) steps.push(...write(streamRecords(RecordType.Stderr, requestId, stderr, response)), { kind: 'write', bytes: encodeRecord({ type: RecordType.Stderr, requestId, content: new Uint8Array(0) }) });
  const body = bodySteps(requestId, response, chunksOf(response.body));
  steps.push(...body);
  if (steps.at(-1)?.kind === 'destroy') return steps;
  if (response.omitEmptyStdout !== true) steps.push({ kind: 'write', bytes: encodeRecord({ type: RecordType.Stdout, requestId, content: new Uint8Array(0) }) });
  if (response.close === 'before-end') return [...steps, { kind: 'destroy' }];
  steps.push({ kind: 'write', bytes: endRequest(requestId, response.appStatus ?? 0, ProtocolStatus.RequestComplete) });
  if (response.recordsAfterEnd === true) steps.push({ kind: 'write', bytes: encodeRecord({ type: RecordType.Stdout, requestId, content: Buffer.from('late') }) });
  return steps;
}
