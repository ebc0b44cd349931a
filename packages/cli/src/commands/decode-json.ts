/**
 * The JSON form of a transcribed record, as `fcgi decode --json` prints it.
 *
 * @module
 */
import { protocolStatusName, roleName } from '@fcgi/codec';
import type { RecordEntry } from '@fcgi/harness';

/**
 * One record of `fcgi decode --json`. Common fields: `offset` (byte offset of the header
 * in the capture), `type` (spec name), `typeValue` (wire value), `requestId`,
 * `contentLength`, `paddingLength`. Then, by type: BEGIN_REQUEST `role`, `roleValue`,
 * `keepConn`, `flags`; END_REQUEST `appStatus`, `protocolStatus`, `protocolStatusValue`;
 * UNKNOWN_TYPE `unknownType`; PARAMS `pairs` (completed by this record), `paramsTotal`
 * (on the empty record), `paramsError`; GET_VALUES(_RESULT) `pairs`; stream and unknown
 * records `content` (base64, always, lossless), `text` (the content as text when it is
 * valid UTF-8) and `endOfStream` (true for an empty stream record).
 *
 * @example
 * ```ts
 * const json: DecodedRecordJson = { offset: 0, type: 'ABORT_REQUEST', typeValue: 2, requestId: 1, contentLength: 0, paddingLength: 0 };
 * ```
 */
export type DecodedRecordJson = Record<string, unknown>;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function contentFields(content: Uint8Array, stream: boolean): DecodedRecordJson {
  const fields: DecodedRecordJson = { content: Buffer.from(content.buffer, content.byteOffset, content.length).toString('base64') };
  try {
    fields.text = strictUtf8.decode(content);
  } catch {
    // Not UTF-8: base64 only.
  }
  if (stream) fields.endOfStream = content.length === 0;
  return fields;
}

function pairFields(entry: RecordEntry): DecodedRecordJson {
  return { pairs: (entry.pairs ?? []).map((pair) => ({ name: pair.name, value: pair.value })) };
}

function typeFields(entry: RecordEntry): DecodedRecordJson {
  const { record } = entry;
  switch (record.type) {
    case 1: return { role: roleName(record.role), roleValue: record.role, keepConn: record.keepConn, flags: record.flags ?? (record.keepConn ? 1 : 0) };
    case 2: return {};
    case 3: return { appStatus: record.appStatus, protocolStatus: protocolStatusName(record.protocolStatus), protocolStatusValue: record.protocolStatus };
    case 4: return { ...pairFields(entry), ...contentFields(record.content, true), ...(entry.paramsTotal === undefined ? {} : { paramsTotal: entry.paramsTotal }), ...(entry.paramsError === undefined ? {} : { paramsError: entry.paramsError }) };
    case 5: case 6: case 7: case 8: return contentFields(record.content, true);
    case 9: case 10: return pairFields(entry);
    case 11: return { unknownType: record.unknownType };
    case 'unknown': return contentFields(record.content, false);
    default: return {};
  }
}

/**
 * A transcribed record as a plain JSON-ready object (see {@link DecodedRecordJson}).
 *
 * @example
 * ```ts
 * JSON.stringify(recordJson(entry)); // '{"offset":0,"type":"STDOUT","typeValue":6,...}'
 * ```
 */
export function recordJson(entry: RecordEntry): DecodedRecordJson {
  return {
    offset: entry.offset,
    type: entry.typeName,
    typeValue: entry.typeValue,
    requestId: entry.record.requestId,
    contentLength: entry.contentLength,
    paddingLength: entry.paddingLength,
    ...typeFields(entry),
  };
}
