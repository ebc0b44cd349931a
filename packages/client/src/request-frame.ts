/**
 * A whole request (BEGIN_REQUEST, its PARAMS records, STDIN and DATA given as bytes) framed
 * straight into one buffer for one socket write: the same bytes as `encodeRecord` and
 * `encodeStream` joined with `concatBytes`, without the pieces in between.
 *
 * @module
 */
import { FCGI_HEADER_LENGTH, FCGI_KEEP_CONN, RecordType, paddingLengthFor, writeHeader } from '@fcgi/codec';

/** The length of `content` framed as STDIN or DATA records of at most `maxRecordLength`, with the empty end record. */
function streamLength(content: Uint8Array, maxRecordLength: number): number {
  let total = FCGI_HEADER_LENGTH;
  for (let offset = 0; offset < content.length; offset += maxRecordLength) {
    const length = Math.min(maxRecordLength, content.length - offset);
    total += FCGI_HEADER_LENGTH + length + paddingLengthFor(length);
  }
  return total;
}

/** Writes `content` as records of `type` (and the empty end record) at `offset`; returns the offset after them. */
function writeStream(target: Buffer, offset: number, type: number, requestId: number, content: Uint8Array, maxRecordLength: number): number {
  for (let start = 0; start < content.length; start += maxRecordLength) {
    const length = Math.min(maxRecordLength, content.length - start);
    const padding = paddingLengthFor(length);
    writeHeader(target, offset, type, requestId, length, padding);
    target.set(content.subarray(start, start + length), offset + FCGI_HEADER_LENGTH);
    offset += FCGI_HEADER_LENGTH + length;
    target.fill(0, offset, offset + padding);
    offset += padding;
  }
  writeHeader(target, offset, type, requestId, 0, 0);
  return offset + FCGI_HEADER_LENGTH;
}

/**
 * What {@link frameRequest} frames.
 *
 * @example
 * ```ts
 * const parts: RequestParts = { requestId: 1, role: 1, keepConn: true, params: encodeParamsStream(1, { A: '1' }), stdin: new Uint8Array(0), data: undefined, maxRecordLength: 65535 };
 * ```
 */
export interface RequestParts {
  readonly requestId: number;
  readonly role: number;
  readonly keepConn: boolean;
  /** The PARAMS records, already framed (with the empty end record). */
  readonly params: readonly Uint8Array[];
  readonly stdin: Uint8Array;
  /** The Filter role's DATA, or undefined for none. */
  readonly data: Uint8Array | undefined;
  readonly maxRecordLength: number;
}

/**
 * The length in bytes of the framed request.
 *
 * @example
 * ```ts
 * if (framedLength(parts) <= 256 * 1024) socket.write(frameRequest(parts));
 * ```
 */
export function framedLength(parts: RequestParts): number {
  let total = 2 * FCGI_HEADER_LENGTH;
  for (const record of parts.params) total += record.length;
  total += streamLength(parts.stdin, parts.maxRecordLength);
  if (parts.data !== undefined) total += streamLength(parts.data, parts.maxRecordLength);
  return total;
}

/**
 * Frames the request into one buffer of `framedLength(parts)` bytes.
 *
 * @example
 * ```ts
 * socket.write(frameRequest(parts));
 * ```
 */
export function frameRequest(parts: RequestParts): Buffer {
  const { requestId, maxRecordLength } = parts;
  const target = Buffer.allocUnsafe(framedLength(parts));
  writeHeader(target, 0, RecordType.BeginRequest, requestId, FCGI_HEADER_LENGTH, 0);
  target[8] = parts.role >>> 8;
  target[9] = parts.role & 0xff;
  target[10] = parts.keepConn ? FCGI_KEEP_CONN : 0;
  target.fill(0, 11, 16);
  let offset = 2 * FCGI_HEADER_LENGTH;
  for (const record of parts.params) {
    target.set(record, offset);
    offset += record.length;
  }
  offset = writeStream(target, offset, RecordType.Stdin, requestId, parts.stdin, maxRecordLength);
  if (parts.data !== undefined) writeStream(target, offset, RecordType.Data, requestId, parts.data, maxRecordLength);
  return target;
}
