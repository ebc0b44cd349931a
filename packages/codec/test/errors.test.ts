import { describe, expect, it } from 'vitest';
import {
  CodecErrorCode,
  FCGI_HEADER_LENGTH,
  FCGI_KEEP_CONN,
  FCGI_MAX_CONTENT_LENGTH,
  FCGI_MAX_PADDING_LENGTH,
  FCGI_MAX_REQUEST_ID,
  FCGI_NULL_REQUEST_ID,
  FCGI_VERSION_1,
  FastCgiArgumentError,
  FastCgiError,
  FastCgiLimitError,
  FastCgiProtocolError,
  ProtocolStatus,
  RecordType,
  Role,
  ValueName,
  protocolStatusName,
  recordTypeName,
  roleName,
} from '../src/index.js';

describe('wire constants', () => {
  it('hold the values of the FastCGI 1.0 specification', () => {
    expect(RecordType).toEqual({
      BeginRequest: 1, AbortRequest: 2, EndRequest: 3, Params: 4, Stdin: 5, Stdout: 6, Stderr: 7, Data: 8,
      GetValues: 9, GetValuesResult: 10, UnknownType: 11,
    });
    expect(Role).toEqual({ Responder: 1, Authorizer: 2, Filter: 3 });
    expect(ProtocolStatus).toEqual({ RequestComplete: 0, CantMpxConn: 1, Overloaded: 2, UnknownRole: 3 });
    expect(ValueName).toEqual({ MaxConns: 'FCGI_MAX_CONNS', MaxReqs: 'FCGI_MAX_REQS', MpxsConns: 'FCGI_MPXS_CONNS' });
    expect([FCGI_VERSION_1, FCGI_HEADER_LENGTH, FCGI_MAX_CONTENT_LENGTH, FCGI_MAX_PADDING_LENGTH, FCGI_NULL_REQUEST_ID, FCGI_MAX_REQUEST_ID, FCGI_KEEP_CONN])
      .toEqual([1, 8, 65535, 255, 0, 65535, 1]);
  });

  it('name values as the specification does, and unknown ones as UNKNOWN(n)', () => {
    expect([1, 6, 11, 0, 12].map(recordTypeName)).toEqual(['BEGIN_REQUEST', 'STDOUT', 'UNKNOWN_TYPE', 'UNKNOWN(0)', 'UNKNOWN(12)']);
    expect([1, 2, 3, 9].map(roleName)).toEqual(['RESPONDER', 'AUTHORIZER', 'FILTER', 'UNKNOWN(9)']);
    expect([0, 1, 2, 3, 4].map(protocolStatusName)).toEqual(['REQUEST_COMPLETE', 'CANT_MPX_CONN', 'OVERLOADED', 'UNKNOWN_ROLE', 'UNKNOWN(4)']);
  });
});

describe('errors', () => {
  it('every code is unique and starts with ERR_FCGI_', () => {
    const codes = Object.values(CodecErrorCode);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^ERR_FCGI_[A-Z_]+$/);
  });

  it('form one family: limit < protocol < base; argument < base', () => {
    const limit = new FastCgiLimitError(CodecErrorCode.HeadTooLarge, 'too large', { limit: 10 });
    expect(limit).toBeInstanceOf(FastCgiProtocolError);
    expect(limit).toBeInstanceOf(FastCgiError);
    expect(limit).toBeInstanceOf(Error);
    const argument = new FastCgiArgumentError(CodecErrorCode.InvalidOption, 'bad option');
    expect(argument).toBeInstanceOf(FastCgiError);
    expect(argument).not.toBeInstanceOf(FastCgiProtocolError);
    expect([limit.name, argument.name, new FastCgiProtocolError('ERR_FCGI_X', 'x').name, new FastCgiError('ERR_FCGI_X', 'x').name])
      .toEqual(['FastCgiLimitError', 'FastCgiArgumentError', 'FastCgiProtocolError', 'FastCgiError']);
  });

  it('carry code, message and structured details', () => {
    const cause = new Error('root');
    const error = new FastCgiProtocolError(CodecErrorCode.InvalidBodyLength, 'bad body', { recordType: 3, requestId: 7, cause });
    expect(error).toMatchObject({ code: 'ERR_FCGI_INVALID_BODY_LENGTH', message: 'bad body', recordType: 3, requestId: 7, limit: undefined });
    expect(error.cause).toBe(cause);
    expect(new FastCgiError('ERR_FCGI_X', 'x')).not.toHaveProperty('cause');
  });

  it('FastCgiError.is recognises errors by brand, also from another copy of the package', () => {
    expect(FastCgiError.is(new FastCgiLimitError('ERR_FCGI_X', 'x'))).toBe(true);
    const foreign = Object.assign(new Error('from another copy'), { code: 'ERR_FCGI_X' });
    Object.defineProperty(foreign, Symbol.for('@fcgi/error'), { value: true });
    expect(FastCgiError.is(foreign)).toBe(true);
    expect(FastCgiError.is(Object.assign(new Error('plain'), { code: 'ERR_FCGI_X' }))).toBe(false);
    expect([undefined, null, 'ERR_FCGI_X', 42].map((value) => FastCgiError.is(value))).toEqual([false, false, false, false]);
  });
});
