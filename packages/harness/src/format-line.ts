/**
 * One transcript line per record: the spec's type name, the request id, the lengths when
 * known, and a preview of what the record says.
 *
 * @module
 */
import {
  type FcgiRecord,
  type NameValuePair,
  type PairInput,
  FCGI_KEEP_CONN,
  protocolStatusName,
  recordTypeName,
  roleName,
} from '@fcgi/codec';
import { formatPairs, quoteBytes } from './format-preview.js';

/**
 * A typed error met while transcribing, as data (the transcript never throws on bad bytes).
 *
 * @example
 * ```ts
 * const error: TranscriptError = { code: 'ERR_FCGI_INVALID_PARAMS', message: 'Name-value pair truncated' };
 * ```
 */
export interface TranscriptError {
  /** The stable `ERR_FCGI_*` code of the error. */
  readonly code: string;
  /** The error's message. */
  readonly message: string;
}

/** What the transcriber learned about a PARAMS stream at one record. */
export interface ParamsFacts {
  /** Pairs this record completed (a pair split across records counts where it ends). */
  readonly pairs: readonly NameValuePair[];
  /** Pairs in the whole stream, on the empty record that ends it. */
  readonly total: number | undefined;
  /** The stream's decoding error, on the record where it happened. */
  readonly error: TranscriptError | undefined;
  /** True when the stream already failed on an earlier record (content shown raw). */
  readonly undecodable: boolean;
}

/** The facts one line is made of. */
export interface LineFacts {
  readonly record: FcgiRecord;
  readonly contentLength: number | undefined;
  readonly paddingLength: number | undefined;
  readonly params: ParamsFacts | undefined;
  readonly previewLength: number;
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();
const typeColumnWidth = 17; // 'GET_VALUES_RESULT'.length

/**
 * The spec's name of a record's type: `STDOUT`, `GET_VALUES_RESULT`, `UNKNOWN(42)`...
 *
 * @example
 * ```ts
 * typeNameOf({ type: 'unknown', rawType: 42, requestId: 0, content: new Uint8Array() }); // 'UNKNOWN(42)'
 * ```
 */
export function typeNameOf(record: FcgiRecord): string {
  return recordTypeName(record.type === 'unknown' ? record.rawType : record.type);
}

function toBytes(field: string | Uint8Array): Uint8Array {
  return typeof field === 'string' ? textEncoder.encode(field) : field;
}

/**
 * A pair as given in a GET_VALUES record (decoded, or a `[name, value]` tuple) as a
 * decoded pair.
 *
 * @example
 * ```ts
 * toNameValuePair(['FCGI_MPXS_CONNS', '1']).value; // '1'
 * ```
 */
export function toNameValuePair(pair: PairInput): NameValuePair {
  if (!Array.isArray(pair)) return pair as NameValuePair;
  const [name, value] = pair as readonly [string | Uint8Array, string | Uint8Array];
  const nameBytes = toBytes(name);
  const valueBytes = toBytes(value);
  return { name: textDecoder.decode(nameBytes), value: textDecoder.decode(valueBytes), nameBytes, valueBytes };
}

function errorSuffix(error: TranscriptError | undefined): string {
  return error === undefined ? '' : ` ! ${error.code}: ${error.message}`;
}

function paramsPreview(content: Uint8Array, facts: ParamsFacts | undefined, previewLength: number): string {
  if (content.length === 0) {
    const total = facts?.total ?? 0;
    return `end of stream (${total} ${total === 1 ? 'pair' : 'pairs'})${errorSuffix(facts?.error)}`;
  }
  if (facts === undefined || facts.undecodable) return quoteBytes(content, previewLength);
  const shown = facts.pairs.length > 0 ? formatPairs(facts.pairs, previewLength) : facts.error === undefined ? '(part of a pair)' : '';
  return `${shown}${errorSuffix(facts.error)}`.trim();
}

function streamPreview(content: Uint8Array, previewLength: number): string {
  return content.length === 0 ? 'end of stream' : quoteBytes(content, previewLength);
}

function valuesPreview(pairs: readonly PairInput[], previewLength: number, asking: boolean): string {
  if (pairs.length === 0) return asking ? '(no names)' : '(no values)';
  const decoded = pairs.map(toNameValuePair);
  const nameOnly = asking && decoded.every((pair) => pair.valueBytes.length === 0);
  return formatPairs(decoded, previewLength, nameOnly);
}

function beginPreview(role: number, keepConn: boolean, flags: number | undefined): string {
  const reserved = (flags ?? 0) & ~FCGI_KEEP_CONN;
  const flagsText = reserved === 0 ? '' : ` flags=0x${(flags ?? 0).toString(16).padStart(2, '0')}`;
  return `role=${roleName(role)} keepConn=${String(keepConn)}${flagsText}`;
}

/**
 * The preview part of a record's line (everything after the lengths).
 *
 * @example
 * ```ts
 * recordPreview({ record: { type: 3, requestId: 1, appStatus: 0, protocolStatus: 0 }, contentLength: 8, paddingLength: 0, params: undefined, previewLength: 96 });
 * // 'appStatus=0 protocolStatus=REQUEST_COMPLETE'
 * ```
 */
export function recordPreview(facts: LineFacts): string {
  const { record, previewLength } = facts;
  switch (record.type) {
    case 1: return beginPreview(record.role, record.keepConn, record.flags);
    case 2: return '';
    case 3: return `appStatus=${record.appStatus} protocolStatus=${protocolStatusName(record.protocolStatus)}`;
    case 4: return paramsPreview(record.content, facts.params, previewLength);
    case 5: case 6: case 7: case 8: return streamPreview(record.content, previewLength);
    case 9: return valuesPreview(record.pairs, previewLength, true);
    case 10: return valuesPreview(record.pairs, previewLength, false);
    case 11: return `unknownType=${record.unknownType}`;
    case 'unknown': return record.content.length === 0 ? '(empty)' : quoteBytes(record.content, previewLength);
    default: return '';
  }
}

/**
 * A record's whole transcript line: `TYPE id=N len=N pad=N  preview` (lengths only when
 * known), with no trailing spaces.
 *
 * @example
 * ```ts
 * formatLine({ record: { type: 2, requestId: 3 }, contentLength: 0, paddingLength: 0, params: undefined, previewLength: 96 });
 * // 'ABORT_REQUEST     id=3 len=0 pad=0'
 * ```
 */
export function formatLine(facts: LineFacts): string {
  const length = facts.contentLength === undefined ? '' : ` len=${facts.contentLength}`;
  const padding = facts.paddingLength === undefined ? '' : ` pad=${facts.paddingLength}`;
  const head = `${typeNameOf(facts.record).padEnd(typeColumnWidth)} id=${facts.record.requestId}${length}${padding}`;
  const preview = recordPreview(facts);
  return preview === '' ? head : `${head}  ${preview}`;
}
