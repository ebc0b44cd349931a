/**
 * Exit codes, as curl's where curl has one, and the mapping from error codes to them.
 *
 * @module
 */

/**
 * The exit codes of `fcgi`.
 *
 * @example
 * ```ts
 * import { ExitCode } from '@fcgi/cli';
 * if (status === ExitCode.Timeout) retry();
 * ```
 */
export const ExitCode = {
  /** Success. */
  Ok: 0,
  /** Any other failure (also: a failed `fcgi ping`). */
  Failure: 1,
  /** Usage error: unknown command or option, missing or extra argument, bad value or address. */
  Usage: 2,
  /** Could not connect to the FastCGI app (curl's 7). */
  CouldNotConnect: 7,
  /** The app broke the FastCGI protocol, refused the request, or a capture is not valid FastCGI (curl's 8, "weird server reply"). */
  ProtocolError: 8,
  /** With `--fail`: the app answered with a status of 400 or more (curl's 22). */
  HttpError: 22,
  /** A local file or standard input could not be read (curl's 26). */
  ReadError: 26,
  /** An operation timed out (curl's 28). */
  Timeout: 28,
} as const;

/**
 * One of the exit codes.
 *
 * @example
 * ```ts
 * const status: ExitCodeValue = ExitCode.Usage; // 2
 * ```
 */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

const exitCodesByErrorCode: Readonly<Record<string, ExitCodeValue>> = {
  ERR_FCGI_CLI_USAGE: ExitCode.Usage,
  ERR_FCGI_INVALID_ADDRESS: ExitCode.Usage,
  ERR_FCGI_INVALID_OPTION: ExitCode.Usage,
  ERR_FCGI_CLI_READ: ExitCode.ReadError,
  ERR_FCGI_CONNECT_FAILED: ExitCode.CouldNotConnect,
  // Codec: bytes that break the protocol.
  ERR_FCGI_INVALID_VERSION: ExitCode.ProtocolError,
  ERR_FCGI_INVALID_BODY_LENGTH: ExitCode.ProtocolError,
  ERR_FCGI_TRUNCATED_RECORD: ExitCode.ProtocolError,
  ERR_FCGI_DECODER_POISONED: ExitCode.ProtocolError,
  ERR_FCGI_INVALID_PARAMS: ExitCode.ProtocolError,
  ERR_FCGI_PARAMS_TOO_LARGE: ExitCode.ProtocolError,
  ERR_FCGI_TOO_MANY_PARAMS: ExitCode.ProtocolError,
  ERR_FCGI_TOO_MANY_VALUES: ExitCode.ProtocolError,
  ERR_FCGI_HEAD_TOO_LARGE: ExitCode.ProtocolError,
  ERR_FCGI_TOO_MANY_HEADERS: ExitCode.ProtocolError,
  ERR_FCGI_HEAD_INCOMPLETE: ExitCode.ProtocolError,
  ERR_FCGI_INVALID_HEADER: ExitCode.ProtocolError,
  ERR_FCGI_INVALID_STATUS: ExitCode.ProtocolError,
  // Client: the app misbehaved or refused the request.
  ERR_FCGI_UPSTREAM_CLOSED: ExitCode.ProtocolError,
  ERR_FCGI_NOT_FASTCGI: ExitCode.ProtocolError,
  ERR_FCGI_OVERLOADED: ExitCode.ProtocolError,
  ERR_FCGI_CANT_MPX_CONN: ExitCode.ProtocolError,
  ERR_FCGI_UNKNOWN_ROLE: ExitCode.ProtocolError,
  ERR_FCGI_UNKNOWN_PROTOCOL_STATUS: ExitCode.ProtocolError,
};

/** Node's socket error codes that mean "could not connect". */
const connectSystemCodes = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN']);

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * The exit code for an `ERR_FCGI_*` code (or a Node socket error code): 2 usage, 7 cannot
 * connect, 8 protocol error, 26 read error, 28 timeout, 1 anything else.
 *
 * @example
 * ```ts
 * exitCodeForErrorCode('ERR_FCGI_HEADERS_TIMEOUT'); // 28
 * exitCodeForErrorCode('ERR_FCGI_CONNECT_FAILED'); // 7
 * ```
 */
export function exitCodeForErrorCode(code: string | undefined): ExitCodeValue {
  if (code === undefined) return ExitCode.Failure;
  const known = exitCodesByErrorCode[code];
  if (known !== undefined) return known;
  if (code.startsWith('ERR_FCGI_') && code.endsWith('_TIMEOUT')) return ExitCode.Timeout;
  if (connectSystemCodes.has(code)) return ExitCode.CouldNotConnect;
  return ExitCode.Failure;
}

/**
 * The exit code for any thrown value, from its `code` (and its `cause`'s, when the error
 * itself has no known code).
 *
 * @example
 * ```ts
 * exitCodeForError(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })); // 7
 * exitCodeForError(new Error('boom')); // 1
 * ```
 */
export function exitCodeForError(error: unknown): ExitCodeValue {
  const own = exitCodeForErrorCode(codeOf(error));
  if (own !== ExitCode.Failure) return own;
  const cause = (error as { cause?: unknown } | null | undefined)?.cause;
  return cause === undefined || cause === error ? own : exitCodeForErrorCode(codeOf(cause));
}
