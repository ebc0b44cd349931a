/**
 * Wire constants of FastCGI 1.0. Every number here is a value that travels on the wire.
 *
 * @module
 */

/**
 * The only protocol version (`FCGI_VERSION_1`). Any other value is a protocol error.
 *
 * @example
 * ```ts
 * if (header[0] !== FCGI_VERSION_1) throw new Error('not FastCGI');
 * ```
 */
export const FCGI_VERSION_1 = 1;

/**
 * Length in bytes of every record header (`FCGI_HEADER_LEN`).
 *
 * @example
 * ```ts
 * const header = bytes.subarray(0, FCGI_HEADER_LENGTH);
 * ```
 */
export const FCGI_HEADER_LENGTH = 8;

/**
 * The largest `contentLength` one record can carry. Longer streams span several records.
 *
 * @example
 * ```ts
 * const records = Math.ceil(body.length / FCGI_MAX_CONTENT_LENGTH);
 * ```
 */
export const FCGI_MAX_CONTENT_LENGTH = 65535;

/**
 * The largest `paddingLength` one record can carry.
 *
 * @example
 * ```ts
 * encodeRecord(record, { paddingLength: FCGI_MAX_PADDING_LENGTH });
 * ```
 */
export const FCGI_MAX_PADDING_LENGTH = 255;

/**
 * The request id of management records (`FCGI_NULL_REQUEST_ID`).
 *
 * @example
 * ```ts
 * encodeRecord({ type: RecordType.GetValues, requestId: FCGI_NULL_REQUEST_ID, pairs: [['FCGI_MPXS_CONNS', '']] });
 * ```
 */
export const FCGI_NULL_REQUEST_ID = 0;

/**
 * The largest request id (16 bits).
 *
 * @example
 * ```ts
 * const nextId = id === FCGI_MAX_REQUEST_ID ? 1 : id + 1;
 * ```
 */
export const FCGI_MAX_REQUEST_ID = 65535;

/**
 * Bit 0 of BEGIN_REQUEST's flags: keep the connection open after END_REQUEST.
 *
 * @example
 * ```ts
 * const keepConn = (flags & FCGI_KEEP_CONN) !== 0;
 * ```
 */
export const FCGI_KEEP_CONN = 1;

/**
 * Record types with their wire values.
 *
 * @example
 * ```ts
 * import { RecordType } from '@fcgi/codec';
 * if (record.type === RecordType.Stdout) console.log(record.content.length);
 * ```
 */
export const RecordType = {
  /** Web server -> app: starts a request (role, flags). */
  BeginRequest: 1,
  /** Web server -> app: the HTTP client went away. */
  AbortRequest: 2,
  /** App -> web server: the request is over (appStatus, protocolStatus). */
  EndRequest: 3,
  /** Web server -> app: stream of CGI name-value pairs. */
  Params: 4,
  /** Web server -> app: stream of the request body. */
  Stdin: 5,
  /** App -> web server: stream of the CGI response (head and body). */
  Stdout: 6,
  /** App -> web server: stream of error output. */
  Stderr: 7,
  /** Web server -> app: stream of the Filter role's data file. */
  Data: 8,
  /** Management, web server -> app: asks for configuration values. */
  GetValues: 9,
  /** Management, app -> web server: answers GET_VALUES. */
  GetValuesResult: 10,
  /** Management, app -> web server: a management record type the app does not know. */
  UnknownType: 11,
} as const;

/**
 * A record type value the codec knows (1-11).
 *
 * @example
 * ```ts
 * const type: RecordTypeValue = RecordType.Stdout; // 6
 * ```
 */
export type RecordTypeValue = (typeof RecordType)[keyof typeof RecordType];

/**
 * Application roles with their wire values (BEGIN_REQUEST's `role`).
 *
 * @example
 * ```ts
 * import { Role, encodeRecord } from '@fcgi/codec';
 * encodeRecord({ type: 1, requestId: 1, role: Role.Responder, keepConn: true });
 * ```
 */
export const Role = {
  /** CGI/1.1 semantics: params and a body in, a CGI response out. */
  Responder: 1,
  /** Decides whether a request is allowed; a 200 answer means yes. */
  Authorizer: 2,
  /** Like Responder, with an extra DATA stream (the file to filter). */
  Filter: 3,
} as const;

/**
 * A role value the codec knows (1-3).
 *
 * @example
 * ```ts
 * const role: RoleValue = Role.Authorizer; // 2
 * ```
 */
export type RoleValue = (typeof Role)[keyof typeof Role];

/**
 * END_REQUEST protocol status values.
 *
 * @example
 * ```ts
 * import { ProtocolStatus } from '@fcgi/codec';
 * if (end.protocolStatus === ProtocolStatus.Overloaded) retryLater();
 * ```
 */
export const ProtocolStatus = {
  /** The request ran to its end. */
  RequestComplete: 0,
  /** The app refused a second concurrent request on a connection it does not multiplex. */
  CantMpxConn: 1,
  /** The app is out of some resource (connections, workers). */
  Overloaded: 2,
  /** The app does not implement the requested role. */
  UnknownRole: 3,
} as const;

/**
 * A protocol status value the codec knows (0-3).
 *
 * @example
 * ```ts
 * const status: ProtocolStatusValue = ProtocolStatus.Overloaded; // 2
 * ```
 */
export type ProtocolStatusValue = (typeof ProtocolStatus)[keyof typeof ProtocolStatus];

/**
 * The variable names a web server may ask for with GET_VALUES.
 *
 * @example
 * ```ts
 * import { ValueName, encodeRecord } from '@fcgi/codec';
 * encodeRecord({ type: 9, requestId: 0, pairs: [[ValueName.MpxsConns, '']] });
 * ```
 */
export const ValueName = {
  /** Maximum concurrent transport connections the app accepts. */
  MaxConns: 'FCGI_MAX_CONNS',
  /** Maximum concurrent requests the app accepts. */
  MaxReqs: 'FCGI_MAX_REQS',
  /** "1" when the app multiplexes requests on one connection, else "0". */
  MpxsConns: 'FCGI_MPXS_CONNS',
} as const;

const recordTypeNames: readonly string[] = [
  'UNKNOWN(0)', 'BEGIN_REQUEST', 'ABORT_REQUEST', 'END_REQUEST', 'PARAMS', 'STDIN', 'STDOUT',
  'STDERR', 'DATA', 'GET_VALUES', 'GET_VALUES_RESULT', 'UNKNOWN_TYPE',
];

/**
 * The spec's name of a record type value, or `UNKNOWN(n)` for others.
 *
 * @example
 * ```ts
 * recordTypeName(6); // 'STDOUT'
 * recordTypeName(42); // 'UNKNOWN(42)'
 * ```
 */
export function recordTypeName(type: number): string {
  return type >= 1 && type <= 11 ? (recordTypeNames[type] as string) : `UNKNOWN(${type})`;
}

const roleNames: Readonly<Record<number, string>> = { 1: 'RESPONDER', 2: 'AUTHORIZER', 3: 'FILTER' };

/**
 * The spec's name of a role value, or `UNKNOWN(n)`.
 *
 * @example
 * ```ts
 * roleName(2); // 'AUTHORIZER'
 * ```
 */
export function roleName(role: number): string {
  return roleNames[role] ?? `UNKNOWN(${role})`;
}

const protocolStatusNames: Readonly<Record<number, string>> = {
  0: 'REQUEST_COMPLETE', 1: 'CANT_MPX_CONN', 2: 'OVERLOADED', 3: 'UNKNOWN_ROLE',
};

/**
 * The spec's name of a protocol status value, or `UNKNOWN(n)`.
 *
 * @example
 * ```ts
 * protocolStatusName(2); // 'OVERLOADED'
 * ```
 */
export function protocolStatusName(status: number): string {
  return protocolStatusNames[status] ?? `UNKNOWN(${status})`;
}
