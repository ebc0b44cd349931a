/**
 * Typed errors. Every error any @fcgi package raises has a stable `code` starting
 * `ERR_FCGI_`; the full list is in docs/errors.md.
 *
 * @module
 */

const errorBrand = Symbol.for('@fcgi/error');

/**
 * Structured facts an error may carry.
 *
 * @example
 * ```ts
 * throw new FastCgiProtocolError('ERR_FCGI_INVALID_VERSION', 'bad version', { recordType: 1, requestId: 7 } satisfies FastCgiErrorDetails);
 * ```
 */
export interface FastCgiErrorDetails {
  /** The record type involved, when there is one. */
  recordType?: number;
  /** The request id involved, when there is one. */
  requestId?: number;
  /** The limit that was exceeded, when the error is about a limit. */
  limit?: number;
  /** The underlying error, when there is one. */
  cause?: unknown;
}

/**
 * Base class of every error raised by an @fcgi package. Use {@link FastCgiError.is} rather
 * than `instanceof` when several copies of the package may be loaded.
 *
 * @example
 * ```ts
 * try { decoder.push(bytes); } catch (error) {
 *   if (FastCgiError.is(error)) console.log(error.code);
 * }
 * ```
 */
export class FastCgiError extends Error {
  /** A stable machine-readable code, `ERR_FCGI_...`. */
  readonly code: string;
  /** The record type involved, if any. */
  readonly recordType: number | undefined;
  /** The request id involved, if any. */
  readonly requestId: number | undefined;
  /** The limit that was exceeded, if any. */
  readonly limit: number | undefined;

  constructor(code: string, message: string, details: FastCgiErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'FastCgiError';
    this.code = code;
    this.recordType = details.recordType;
    this.requestId = details.requestId;
    this.limit = details.limit;
    Object.defineProperty(this, errorBrand, { value: true });
  }

  /**
   * True for an error raised by any copy of any @fcgi package.
   *
   * @example
   * ```ts
   * FastCgiError.is(new FastCgiProtocolError('ERR_FCGI_INVALID_VERSION', 'bad')); // true
   * ```
   */
  static is(value: unknown): value is FastCgiError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[errorBrand] === true;
  }
}

/**
 * The peer sent bytes that break FastCGI's rules, or exceeded one of our limits. A decoder
 * that throws one is poisoned: it returns no further records.
 *
 * @example
 * ```ts
 * try { new RecordDecoder().push(new Uint8Array([2, 1, 0, 1, 0, 0, 0, 0])); }
 * catch (error) { (error as FastCgiProtocolError).code; } // 'ERR_FCGI_INVALID_VERSION'
 * ```
 */
export class FastCgiProtocolError extends FastCgiError {
  constructor(code: string, message: string, details: FastCgiErrorDetails = {}) {
    super(code, message, details);
    this.name = 'FastCgiProtocolError';
  }
}

/**
 * Input exceeded a configured limit (a subclass of {@link FastCgiProtocolError}: to the
 * peer, exceeding our limits is a protocol failure). `limit` holds the configured value.
 *
 * @example
 * ```ts
 * try { decodeParams(bytes, { maxParamsPairs: 10 }); }
 * catch (error) { if (error instanceof FastCgiLimitError) console.log(error.limit); }
 * ```
 */
export class FastCgiLimitError extends FastCgiProtocolError {
  constructor(code: string, message: string, details: FastCgiErrorDetails = {}) {
    super(code, message, details);
    this.name = 'FastCgiLimitError';
  }
}

/**
 * A caller passed something the codec cannot encode or an invalid option (our side's
 * mistake, not the peer's).
 *
 * @example
 * ```ts
 * try { encodeRecord({ type: 6, requestId: 70000, content: new Uint8Array() }); }
 * catch (error) { (error as FastCgiArgumentError).code; } // 'ERR_FCGI_INVALID_RECORD'
 * ```
 */
export class FastCgiArgumentError extends FastCgiError {
  constructor(code: string, message: string, details: FastCgiErrorDetails = {}) {
    super(code, message, details);
    this.name = 'FastCgiArgumentError';
  }
}

/**
 * Every error code the codec raises, as constants.
 *
 * @example
 * ```ts
 * if (error.code === CodecErrorCode.InvalidVersion) closeConnection();
 * ```
 */
export const CodecErrorCode = {
  /** A record header's version byte is not 1. */
  InvalidVersion: 'ERR_FCGI_INVALID_VERSION',
  /** BEGIN_REQUEST, END_REQUEST or UNKNOWN_TYPE with a body that is not 8 bytes. */
  InvalidBodyLength: 'ERR_FCGI_INVALID_BODY_LENGTH',
  /** The input ended inside a record. */
  TruncatedRecord: 'ERR_FCGI_TRUNCATED_RECORD',
  /** `push()` after the decoder already failed. */
  DecoderPoisoned: 'ERR_FCGI_DECODER_POISONED',
  /** A name-value pair whose lengths run past the end of its stream or record. */
  InvalidParams: 'ERR_FCGI_INVALID_PARAMS',
  /** The PARAMS stream exceeded `maxParamsBytes`. */
  ParamsTooLarge: 'ERR_FCGI_PARAMS_TOO_LARGE',
  /** The PARAMS stream exceeded `maxParamsPairs`. */
  TooManyParams: 'ERR_FCGI_TOO_MANY_PARAMS',
  /** A GET_VALUES or GET_VALUES_RESULT record exceeded `maxValuesPairs`. */
  TooManyValues: 'ERR_FCGI_TOO_MANY_VALUES',
  /** The CGI response head exceeded `maxHeadBytes`. */
  HeadTooLarge: 'ERR_FCGI_HEAD_TOO_LARGE',
  /** The CGI response head exceeded `maxHeaders`. */
  TooManyHeaders: 'ERR_FCGI_TOO_MANY_HEADERS',
  /** The STDOUT stream ended before the blank line that ends the CGI head. */
  HeadIncomplete: 'ERR_FCGI_HEAD_INCOMPLETE',
  /** A CGI header line that is not `Name: value`, or a name/value we refuse to send. */
  InvalidHeader: 'ERR_FCGI_INVALID_HEADER',
  /** A `Status:` header that is not a 3-digit code, or more than one. */
  InvalidStatus: 'ERR_FCGI_INVALID_STATUS',
  /** `encodeRecord` was given more than 65535 bytes of content. */
  RecordTooLarge: 'ERR_FCGI_RECORD_TOO_LARGE',
  /** A record with a field out of range (request id, role, status, padding). */
  InvalidRecord: 'ERR_FCGI_INVALID_RECORD',
  /** One name-value pair larger than one record while pairs must be kept whole. */
  ParamTooLarge: 'ERR_FCGI_PARAM_TOO_LARGE',
  /** An option with an invalid value. */
  InvalidOption: 'ERR_FCGI_INVALID_OPTION',
} as const;

/**
 * One of the codec's error codes.
 *
 * @example
 * ```ts
 * const code: CodecErrorCodeValue = CodecErrorCode.HeadTooLarge; // 'ERR_FCGI_HEAD_TOO_LARGE'
 * ```
 */
export type CodecErrorCodeValue = (typeof CodecErrorCode)[keyof typeof CodecErrorCode];
