/**
 * The CLI's own errors. Like every @fcgi error they extend the codec's `FastCgiError` and
 * carry a stable `code` starting `ERR_FCGI_`.
 *
 * @module
 */
import { FastCgiError } from '@fcgi/codec';

/**
 * Every error code the CLI itself raises.
 *
 * @example
 * ```ts
 * import { CliErrorCode } from '@fcgi/cli';
 * if (error.code === CliErrorCode.Usage) printHelpHint();
 * ```
 */
export const CliErrorCode = {
  /** A command line the CLI cannot run: unknown option or command, missing or extra argument, bad value. */
  Usage: 'ERR_FCGI_CLI_USAGE',
  /** An address that is not `host:port`, `tcp://host:port`, `[ipv6]:port`, `unix:/path` or a path with `/`. */
  InvalidAddress: 'ERR_FCGI_INVALID_ADDRESS',
  /** A local file (or standard input) that cannot be read. */
  Read: 'ERR_FCGI_CLI_READ',
} as const;

/**
 * One of the CLI's error codes.
 *
 * @example
 * ```ts
 * const code: CliErrorCodeValue = CliErrorCode.Usage; // 'ERR_FCGI_CLI_USAGE'
 * ```
 */
export type CliErrorCodeValue = (typeof CliErrorCode)[keyof typeof CliErrorCode];

/**
 * An error of the `fcgi` command line (exit code 2 for usage and address errors, 26 for a
 * file that cannot be read). Its message is the one line printed after `fcgi COMMAND: `.
 *
 * @example
 * ```ts
 * import { FastCgiCliError } from '@fcgi/cli';
 * throw new FastCgiCliError('ERR_FCGI_CLI_USAGE', "unknown option '--x'");
 * ```
 */
export class FastCgiCliError extends FastCgiError {
  constructor(code: CliErrorCodeValue, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options.cause === undefined ? {} : { cause: options.cause });
    this.name = 'FastCgiCliError';
  }
}

/**
 * Shorthand for a usage error (exit code 2).
 *
 * @example
 * ```ts
 * throw usageError("missing ADDRESS");
 * ```
 */
export function usageError(message: string): FastCgiCliError {
  return new FastCgiCliError(CliErrorCode.Usage, message);
}
