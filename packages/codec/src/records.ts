/**
 * The record model: one discriminated union with a typed body per record type.
 *
 * @module
 */
import type { NameValuePair } from './pairs.js';

/**
 * BEGIN_REQUEST: starts request `requestId` in `role`.
 *
 * @example
 * ```ts
 * const begin: BeginRequestRecord = { type: 1, requestId: 1, role: Role.Responder, keepConn: true };
 * ```
 */
export interface BeginRequestRecord {
  readonly type: 1;
  readonly requestId: number;
  /** The role value (see `Role`); unknown roles are kept so an app can answer UNKNOWN_ROLE. */
  readonly role: number;
  /** True when flag FCGI_KEEP_CONN is set. */
  readonly keepConn: boolean;
  /** The raw flags byte (bit 0 is KEEP_CONN; other bits are reserved). Defaults to `keepConn ? 1 : 0` when encoding. */
  readonly flags?: number;
}

/**
 * ABORT_REQUEST: the web server gives up on `requestId`.
 *
 * @example
 * ```ts
 * const abort: AbortRequestRecord = { type: 2, requestId: 1 };
 * ```
 */
export interface AbortRequestRecord {
  readonly type: 2;
  readonly requestId: number;
}

/**
 * END_REQUEST: the app is done with `requestId`.
 *
 * @example
 * ```ts
 * const end: EndRequestRecord = { type: 3, requestId: 1, appStatus: 0, protocolStatus: ProtocolStatus.RequestComplete };
 * ```
 */
export interface EndRequestRecord {
  readonly type: 3;
  readonly requestId: number;
  /** The app's exit status (unsigned 32-bit). */
  readonly appStatus: number;
  /** See `ProtocolStatus`. */
  readonly protocolStatus: number;
}

/**
 * A stream record: PARAMS, STDIN, STDOUT, STDERR or DATA. Empty content ends the stream.
 *
 * @example
 * ```ts
 * const record: StreamRecord<6> = { type: 6, requestId: 1, content: new Uint8Array(0) }; // ends STDOUT
 * ```
 */
export interface StreamRecord<Type extends 4 | 5 | 6 | 7 | 8> {
  readonly type: Type;
  readonly requestId: number;
  /** The record's content. A view into the input when it lay in one chunk: copy it to keep it past the chunk's reuse. */
  readonly content: Uint8Array;
}

/**
 * PARAMS: a piece of the name-value pair stream (pairs may be split across records).
 *
 * @example
 * ```ts
 * const record: ParamsRecord = { type: 4, requestId: 1, content: encodeParams({ REQUEST_METHOD: 'GET' }) };
 * ```
 */
export type ParamsRecord = StreamRecord<4>;
/**
 * STDIN: a piece of the request body.
 *
 * @example
 * ```ts
 * const record: StdinRecord = { type: 5, requestId: 1, content: new TextEncoder().encode('a=1') };
 * ```
 */
export type StdinRecord = StreamRecord<5>;
/**
 * STDOUT: a piece of the CGI response.
 *
 * @example
 * ```ts
 * const record: StdoutRecord = { type: 6, requestId: 1, content: new TextEncoder().encode('Status: 200\r\n\r\nok') };
 * ```
 */
export type StdoutRecord = StreamRecord<6>;
/**
 * STDERR: a piece of the app's error output.
 *
 * @example
 * ```ts
 * const record: StderrRecord = { type: 7, requestId: 1, content: new TextEncoder().encode('warning') };
 * ```
 */
export type StderrRecord = StreamRecord<7>;
/**
 * DATA: a piece of the Filter role's data file.
 *
 * @example
 * ```ts
 * const record: DataRecord = { type: 8, requestId: 1, content: fileBytes };
 * ```
 */
export type DataRecord = StreamRecord<8>;

/**
 * Pairs as accepted when encoding: decoded pairs, or `[name, value]` tuples of strings or bytes.
 *
 * @example
 * ```ts
 * const pairs: PairInput[] = [['FCGI_MAX_REQS', '']];
 * ```
 */
export type PairInput = NameValuePair | readonly [string | Uint8Array, string | Uint8Array];

/**
 * GET_VALUES (management): the names asked for; values are empty.
 *
 * @example
 * ```ts
 * const ask: GetValuesRecord = { type: 9, requestId: 0, pairs: [['FCGI_MPXS_CONNS', ''], ['FCGI_MAX_REQS', '']] };
 * ```
 */
export interface GetValuesRecord<Pair extends PairInput = PairInput> {
  readonly type: 9;
  readonly requestId: number;
  readonly pairs: readonly Pair[];
}

/**
 * GET_VALUES_RESULT (management): the values the app knows.
 *
 * @example
 * ```ts
 * const answer: GetValuesResultRecord = { type: 10, requestId: 0, pairs: [['FCGI_MPXS_CONNS', '1']] };
 * ```
 */
export interface GetValuesResultRecord<Pair extends PairInput = PairInput> {
  readonly type: 10;
  readonly requestId: number;
  readonly pairs: readonly Pair[];
}

/**
 * UNKNOWN_TYPE (management): the app does not know record type `unknownType`.
 *
 * @example
 * ```ts
 * const reply: UnknownTypeRecord = { type: 11, requestId: 0, unknownType: 42 };
 * ```
 */
export interface UnknownTypeRecord {
  readonly type: 11;
  readonly requestId: number;
  readonly unknownType: number;
}

/**
 * A record of a type the codec does not know (0 or 12-255). It is not an error: a server
 * answers it with UNKNOWN_TYPE. Encoding one is how tests send such records.
 *
 * @example
 * ```ts
 * encodeRecord({ type: 'unknown', rawType: 42, requestId: 0, content: new Uint8Array(0) } satisfies UnknownRecord);
 * ```
 */
export interface UnknownRecord {
  readonly type: 'unknown';
  /** The wire type value. */
  readonly rawType: number;
  readonly requestId: number;
  readonly content: Uint8Array;
}

/**
 * Every FastCGI record. Switch on `type`: known types are their wire values, unknown types
 * are `'unknown'` with the wire value in `rawType`.
 *
 * @example
 * ```ts
 * import { type FcgiRecord, RecordType } from '@fcgi/codec';
 * function describe(record: FcgiRecord): string {
 *   switch (record.type) {
 *     case RecordType.BeginRequest: return `begin ${record.requestId} role ${record.role}`;
 *     case RecordType.Stdout: return `stdout ${record.content.length} bytes`;
 *     case 'unknown': return `type ${record.rawType}`;
 *     default: return String(record.type);
 *   }
 * }
 * ```
 */
export type FcgiRecord =
  | BeginRequestRecord
  | AbortRequestRecord
  | EndRequestRecord
  | ParamsRecord
  | StdinRecord
  | StdoutRecord
  | StderrRecord
  | DataRecord
  | GetValuesRecord
  | GetValuesResultRecord
  | UnknownTypeRecord
  | UnknownRecord;

/**
 * A record as the decoder returns it: an {@link FcgiRecord} whose GET_VALUES and
 * GET_VALUES_RESULT pairs are decoded {@link NameValuePair}s (strings and raw bytes).
 *
 * @example
 * ```ts
 * for (const record of new RecordDecoder().push(bytes)) {
 *   if (record.type === RecordType.GetValuesResult) for (const pair of record.pairs) console.log(pair.name, pair.value);
 * }
 * ```
 */
export type DecodedRecord =
  | Exclude<FcgiRecord, GetValuesRecord | GetValuesResultRecord>
  | GetValuesRecord<NameValuePair>
  | GetValuesResultRecord<NameValuePair>;

/**
 * The record types whose body is a byte stream.
 *
 * @example
 * ```ts
 * const type: StreamRecordType = RecordType.Stdin;
 * ```
 */
export type StreamRecordType = 4 | 5 | 6 | 7 | 8;

/**
 * True for PARAMS, STDIN, STDOUT, STDERR and DATA records.
 *
 * @example
 * ```ts
 * if (isStreamRecord(record) && record.content.length === 0) console.log('end of stream');
 * ```
 */
export function isStreamRecord(record: FcgiRecord): record is StreamRecord<StreamRecordType> {
  return typeof record.type === 'number' && record.type >= 4 && record.type <= 8;
}

/**
 * The wire type value of any record, known or not.
 *
 * @example
 * ```ts
 * wireType({ type: 'unknown', rawType: 42, requestId: 0, content: new Uint8Array() }); // 42
 * ```
 */
export function wireType(record: FcgiRecord): number {
  return record.type === 'unknown' ? record.rawType : record.type;
}
