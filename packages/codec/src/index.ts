/**
 * @fcgi/codec: the FastCGI 1.0 wire format. Zero dependencies and no Node built-ins, so it
 * runs in Node, Deno, Bun and browsers.
 *
 * @example
 * ```ts
 * import { RecordDecoder, encodeRecord, RecordType } from '@fcgi/codec';
 * const bytes = encodeRecord({ type: RecordType.Stdout, requestId: 1, content: new TextEncoder().encode('hi') });
 * new RecordDecoder().push(bytes); // [{ type: 6, requestId: 1, content: Uint8Array [104, 105] }]
 * ```
 *
 * @module
 */
export * from './constants.js';
export * from './errors.js';
export * from './records.js';
export { DEFAULT_LIMITS } from './limits.js';
export { type TextEncoding } from './text.js';
export { type NameValuePair, type ParamsDecoderOptions, ParamsDecoder, decodeParams } from './pairs.js';
export { type ParamsInput, type EncodeParamsOptions, encodeParams } from './encode-pairs.js';
export {
  type PaddingOptions,
  type EncodeRecordOptions,
  type EncodeStreamOptions,
  type EncodeParamsStreamOptions,
  encodeRecord,
  encodeStream,
  encodeParamsStream,
  concatBytes,
  paddingLengthFor,
  writeHeader,
} from './encoder.js';
export { type RecordDecoderOptions, RecordDecoder } from './decoder.js';
export {
  type CgiHead,
  type CgiHeadInit,
  type CgiHeadParserOptions,
  type CgiHeadResult,
  type HeaderEntry,
  CgiHeadParser,
  serializeCgiHead,
} from './cgi-head.js';
export { statusText } from './status-text.js';
