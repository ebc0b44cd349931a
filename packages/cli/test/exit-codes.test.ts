import { FastCgiProtocolError } from '@fcgi/codec';
import { describe, expect, it } from 'vitest';
import { ExitCode, FastCgiCliError, exitCodeForError, exitCodeForErrorCode } from '../src/index.js';

describe('exit codes', () => {
  it('uses curl\'s numbers', () => {
    expect(ExitCode).toEqual({ Ok: 0, Failure: 1, Usage: 2, CouldNotConnect: 7, ProtocolError: 8, HttpError: 22, ReadError: 26, Timeout: 28 });
  });

  it.each([
    ['ERR_FCGI_CLI_USAGE', 2],
    ['ERR_FCGI_INVALID_ADDRESS', 2],
    ['ERR_FCGI_INVALID_OPTION', 2],
    ['ERR_FCGI_CONNECT_FAILED', 7],
    ['ECONNREFUSED', 7],
    ['ENOTFOUND', 7],
    ['ERR_FCGI_CONNECT_TIMEOUT', 28],
    ['ERR_FCGI_HEADERS_TIMEOUT', 28],
    ['ERR_FCGI_BODY_TIMEOUT', 28],
    ['ERR_FCGI_REQUEST_TIMEOUT', 28],
    ['ERR_FCGI_VALUES_TIMEOUT', 28],
    ['ERR_FCGI_INVALID_VERSION', 8],
    ['ERR_FCGI_TRUNCATED_RECORD', 8],
    ['ERR_FCGI_HEAD_INCOMPLETE', 8],
    ['ERR_FCGI_UPSTREAM_CLOSED', 8],
    ['ERR_FCGI_NOT_FASTCGI', 8],
    ['ERR_FCGI_OVERLOADED', 8],
    ['ERR_FCGI_UNKNOWN_ROLE', 8],
    ['ERR_FCGI_CLI_READ', 26],
    ['ERR_FCGI_ABORTED', 1],
    ['ESOMETHING', 1],
    [undefined, 1],
  ] as const)('maps %s to %i', (code, exitCode) => {
    expect(exitCodeForErrorCode(code)).toBe(exitCode);
  });

  it('maps thrown values by their code, then by their cause\'s code', () => {
    expect(exitCodeForError(new FastCgiProtocolError('ERR_FCGI_INVALID_BODY_LENGTH', 'bad'))).toBe(8);
    expect(exitCodeForError(new FastCgiCliError('ERR_FCGI_CLI_USAGE', 'bad'))).toBe(2);
    expect(exitCodeForError(new Error('wrapped', { cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }) }))).toBe(7);
    expect(exitCodeForError(new Error('plain'))).toBe(1);
    expect(exitCodeForError('a string')).toBe(1);
    expect(exitCodeForError(null)).toBe(1);
  });
});
