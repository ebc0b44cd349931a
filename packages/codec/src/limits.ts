/**
 * Limits with their defaults. Every limit is checked before the bytes it guards are
 * buffered, and each has its own error code.
 *
 * @module
 */
import { CodecErrorCode, FastCgiArgumentError } from './errors.js';

/**
 * The codec's default limits.
 *
 * @example
 * ```ts
 * new ParamsDecoder({ maxParamsBytes: DEFAULT_LIMITS.maxParamsBytes * 2 });
 * ```
 */
export const DEFAULT_LIMITS = {
  /** Total bytes of one PARAMS stream (names, values and length prefixes): 256 KiB. */
  maxParamsBytes: 256 * 1024,
  /** Name-value pairs in one PARAMS stream. */
  maxParamsPairs: 1000,
  /** Name-value pairs in one GET_VALUES or GET_VALUES_RESULT record. */
  maxValuesPairs: 100,
  /** Bytes of a CGI response head, up to and including its blank line: 64 KiB. */
  maxHeadBytes: 64 * 1024,
  /** Header lines in a CGI response head. */
  maxHeaders: 200,
} as const;

/** Reads a non-negative integer option, or throws ERR_FCGI_INVALID_OPTION. */
export function readLimit(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new FastCgiArgumentError(CodecErrorCode.InvalidOption, `Option ${name} must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}
