/**
 * What every conformance check gets: the address, the options, a way to open raw
 * connections (closed after the check), and request builders.
 *
 * @module
 */
import { type FcgiRecord, type ParamsInput, ProtocolStatus, RecordType, Role, encodeParams, encodeRecord } from '@fcgi/codec';
import { violation } from './errors.js';
import { RawConnection, type RawResponse } from './raw-connection.js';

/**
 * Shared state of one check run.
 *
 * @example
 * ```ts
 * const connection = await context.open();
 * connection.send(context.request({ requestId: 1 }));
 * ```
 */
export interface CheckContext {
  readonly address: string;
  /** Most ms to wait for any one answer. */
  readonly timeout: number;
  /** Ms to watch for records or a close that must not come. */
  readonly settle: number;
  /** Params added to every request (e.g. SCRIPT_FILENAME). */
  readonly params: Readonly<Record<string, string>>;
  open(): Promise<RawConnection>;
  /** The records of a complete simple request. */
  request(shape?: RequestShape): Uint8Array[];
}

/**
 * How a test request is built.
 *
 * @example
 * ```ts
 * const shape: RequestShape = { requestId: 2, keepConn: true, stdin: Buffer.from('abc') };
 * ```
 */
export interface RequestShape {
  requestId?: number;
  keepConn?: boolean;
  role?: number;
  /** Params added to the base ones. */
  params?: Readonly<Record<string, string>>;
  /** A request body (sent as one STDIN record; POST with CONTENT_LENGTH). */
  stdin?: Uint8Array;
  /** Replaces the PARAMS stream (the empty PARAMS record is still added). */
  paramsRecords?: Uint8Array[];
  /** Replaces the STDIN stream (the empty STDIN record is still added). */
  stdinRecords?: Uint8Array[];
}

/**
 * The CGI params of the suite's test requests.
 *
 * @example
 * ```ts
 * baseParams({ SCRIPT_FILENAME: '/srv/index.php' }).REQUEST_METHOD; // 'GET'
 * ```
 */
export function baseParams(extra: Readonly<Record<string, string>>, shape: RequestShape = {}): Record<string, string> {
  const body = shape.stdin;
  return {
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_PROTOCOL: 'HTTP/1.1',
    SERVER_NAME: 'localhost',
    SERVER_PORT: '80',
    REMOTE_ADDR: '127.0.0.1',
    REQUEST_METHOD: body === undefined ? 'GET' : 'POST',
    REQUEST_URI: '/conformance',
    SCRIPT_NAME: '/conformance',
    QUERY_STRING: '',
    ...(body === undefined ? {} : { CONTENT_LENGTH: String(body.length), CONTENT_TYPE: 'application/octet-stream' }),
    ...extra,
    ...shape.params,
  };
}

/**
 * Encodes a whole request: BEGIN_REQUEST, PARAMS, empty PARAMS, STDIN, empty STDIN.
 *
 * @example
 * ```ts
 * connection.send(requestRecords({ SCRIPT_FILENAME: '/srv/a.php' }, { requestId: 1, keepConn: true }));
 * ```
 */
export function requestRecords(extra: Readonly<Record<string, string>>, shape: RequestShape = {}): Uint8Array[] {
  const requestId = shape.requestId ?? 1;
  const params = shape.paramsRecords ?? [encodeRecord({ type: RecordType.Params, requestId, content: encodeParams(baseParams(extra, shape)) })];
  const stdin = shape.stdinRecords ?? (shape.stdin === undefined || shape.stdin.length === 0 ? [] : [encodeRecord({ type: RecordType.Stdin, requestId, content: shape.stdin })]);
  return [
    encodeRecord({ type: RecordType.BeginRequest, requestId, role: shape.role ?? Role.Responder, keepConn: shape.keepConn ?? false }),
    ...params,
    encodeRecord({ type: RecordType.Params, requestId, content: new Uint8Array(0) }),
    ...stdin,
    encodeRecord({ type: RecordType.Stdin, requestId, content: new Uint8Array(0) }),
  ];
}

/**
 * The params bytes of a request (to split by hand).
 *
 * @example
 * ```ts
 * const bytes = paramsBytes({}, { [ 'X_LONG' ]: 'v'.repeat(300) });
 * ```
 */
export function paramsBytes(extra: Readonly<Record<string, string>>, params: ParamsInput): Uint8Array {
  return encodeParams({ ...baseParams(extra), ...(params as Record<string, string>) });
}

/**
 * STDOUT bytes of a response.
 *
 * @example
 * ```ts
 * stdoutLength(response.records); // 123
 * ```
 */
export function stdoutLength(records: readonly FcgiRecord[]): number {
  return records.reduce((total, record) => total + (record.type === RecordType.Stdout ? record.content.length : 0), 0);
}

/**
 * Throws unless the response completed normally with some STDOUT; returns a short summary.
 *
 * @example
 * ```ts
 * expectCompleted(await connection.response(1, 2000)); // 'REQUEST_COMPLETE, 120 bytes of STDOUT'
 * ```
 */
export function expectCompleted(response: RawResponse): string {
  const { end, records } = response;
  if (end.protocolStatus !== ProtocolStatus.RequestComplete) throw violation(`END_REQUEST has protocolStatus ${end.protocolStatus}, expected REQUEST_COMPLETE (0)`);
  const length = stdoutLength(records);
  if (length === 0) throw violation('the request completed without any STDOUT (no CGI response)');
  return `REQUEST_COMPLETE, ${length} bytes of STDOUT`;
}

/**
 * Splits bytes into PARAMS/STDIN records cut at the given offsets.
 *
 * @example
 * ```ts
 * splitRecords(RecordType.Params, 1, bytes, [3, 10]).length; // 3
 * ```
 */
export function splitRecords(type: 4 | 5, requestId: number, bytes: Uint8Array, cuts: readonly number[], padding: (index: number) => number = () => 0): Uint8Array[] {
  const points = [0, ...cuts.filter((cut) => cut > 0 && cut < bytes.length), bytes.length];
  const records: Uint8Array[] = [];
  for (let index = 0; index + 1 < points.length; index++) {
    records.push(encodeRecord({ type, requestId, content: bytes.subarray(points[index], points[index + 1]) }, { paddingLength: padding(index) }));
  }
  return records;
}

/**
 * Opens a raw connection and tracks it for cleanup.
 *
 * @example
 * ```ts
 * const opened: RawConnection[] = [];
 * const connection = await openTracked('127.0.0.1:9000', 2000, opened);
 * ```
 */
export async function openTracked(address: string, timeout: number, opened: RawConnection[]): Promise<RawConnection> {
  const connection = await RawConnection.open(address, timeout);
  opened.push(connection);
  return connection;
}
