/**
 * The harness's errors: every one has an ERR_FCGI_* `code`.
 *
 * @module
 */
import { FastCgiError } from '@fcgi/codec';

/**
 * The codes of {@link FastCgiHarnessError}.
 *
 * @example
 * ```ts
 * if (error.code === HarnessErrorCode.InvalidTarget) console.error('not an app');
 * ```
 */
export const HarnessErrorCode = {
  /** `inject()` got something that is neither a handler, a server nor an address. */
  InvalidTarget: 'ERR_FCGI_HARNESS_INVALID_TARGET',
  /** A request or script option is malformed. */
  InvalidOption: 'ERR_FCGI_HARNESS_INVALID_OPTION',
  /** A conformance step did not get what it waited for in time. */
  Timeout: 'ERR_FCGI_HARNESS_TIMEOUT',
  /** The app closed a connection the harness was still using. */
  ConnectionClosed: 'ERR_FCGI_HARNESS_CONNECTION_CLOSED',
  /** A conformance rule did not hold (the detail of a failed check). */
  Violation: 'ERR_FCGI_HARNESS_VIOLATION',
  /** A helper was used before its resource was started. */
  NotRunning: 'ERR_FCGI_HARNESS_NOT_RUNNING',
  /** A response body was not valid JSON. */
  InvalidJson: 'ERR_FCGI_HARNESS_INVALID_JSON',
} as const;

/**
 * One of the {@link HarnessErrorCode} values.
 *
 * @example
 * ```ts
 * const code: HarnessErrorCodeValue = 'ERR_FCGI_HARNESS_TIMEOUT';
 * ```
 */
export type HarnessErrorCodeValue = (typeof HarnessErrorCode)[keyof typeof HarnessErrorCode];

/**
 * An error raised by the harness itself (a `FastCgiError`, so `code` is always set).
 *
 * @example
 * ```ts
 * throw new FastCgiHarnessError(HarnessErrorCode.InvalidOption, 'abortAfter must be >= 0');
 * ```
 */
export class FastCgiHarnessError extends FastCgiError {
  constructor(code: HarnessErrorCodeValue, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options);
    this.name = 'FastCgiHarnessError';
  }
}

/**
 * The error a conformance check throws when its rule does not hold.
 *
 * @example
 * ```ts
 * throw violation('END_REQUEST came without an empty STDOUT record');
 * ```
 */
export function violation(message: string): FastCgiHarnessError {
  return new FastCgiHarnessError(HarnessErrorCode.Violation, message);
}
