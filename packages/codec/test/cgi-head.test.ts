import { describe, expect, it } from 'vitest';
import {
  type CgiHeadResult,
  CgiHeadParser,
  CodecErrorCode,
  concatBytes,
  DEFAULT_LIMITS,
  FastCgiArgumentError,
  FastCgiLimitError,
  FastCgiProtocolError,
  serializeCgiHead,
  statusText,
} from '../src/index.js';
import { ascii } from './support/fixtures.js';
import { bytewise, splitAt, thrown } from './support/helpers.js';

const text = (value: string): Uint8Array => new Uint8Array(ascii(value));

/** Pushes chunks until the head completes; returns the head and all body bytes (rest + later chunks). */
function parse(chunks: readonly Uint8Array[], parser = new CgiHeadParser()): { result: CgiHeadResult; body: Uint8Array } {
  let result: CgiHeadResult | undefined;
  const body: Uint8Array[] = [];
  for (const chunk of chunks) {
    if (result === undefined) {
      result = parser.push(chunk);
      if (result !== undefined) body.push(result.rest);
    } else {
      body.push(chunk);
    }
  }
  if (result === undefined) throw new Error('head never completed');
  return { result, body: concatBytes(body) };
}

describe('CgiHeadParser', () => {
  it.each([
    ['CRLF', '\r\n'],
    ['LF', '\n'],
  ])('parses Status, headers and the body with %s line ends', (_name, eol) => {
    const input = text(`Status: 404 Not Here${eol}Content-Type: text/plain${eol}X-Empty:${eol}${eol}body${eol}${eol}more`);
    const { result, body } = parse([input]);
    expect(result.head).toEqual({ status: 404, statusText: 'Not Here', headers: [['Content-Type', 'text/plain'], ['X-Empty', '']] });
    expect(new TextDecoder().decode(body)).toBe(`body${eol}${eol}more`);
  });

  it('returns the body after the head as a view into the last chunk', () => {
    const input = text('Content-Type: text/plain\r\n\r\nhello');
    const result = new CgiHeadParser().push(input)!;
    expect(result.rest.buffer).toBe(input.buffer);
    expect(result.rest.byteOffset).toBe(input.length - 5);
  });

  it('accepts mixed line ends', () => {
    expect(parse([text('A: 1\nB: 2\r\n\nbody')]).result.head.headers).toEqual([['A', '1'], ['B', '2']]);
    expect(parse([text('A: 1\r\nB: 2\n\r\nbody')]).result.head.headers).toEqual([['A', '1'], ['B', '2']]);
  });

  it('defaults to 200 OK, and to 302 Found when only Location is given', () => {
    expect(parse([text('Content-Type: text/html\n\n')]).result.head).toMatchObject({ status: 200, statusText: 'OK' });
    expect(parse([text('Location: https://example.com/\r\n\r\n')]).result.head).toEqual({
      status: 302,
      statusText: 'Found',
      headers: [['Location', 'https://example.com/']],
    });
  });

  it('reads an empty head (the blank line first) as 200 OK with no headers', () => {
    for (const input of ['\r\nbody', '\nbody']) {
      const { result, body } = parse([text(input)]);
      expect(result.head).toEqual({ status: 200, statusText: 'OK', headers: [] });
      expect(body).toEqual(text('body'));
    }
  });

  it('lets Status win over Location', () => {
    expect(parse([text('Location: /elsewhere\r\nStatus: 301\r\n\r\n')]).result.head).toMatchObject({ status: 301, statusText: 'Moved Permanently' });
  });

  it('uses the standard phrase for a bare Status code and an empty phrase for an unregistered one', () => {
    expect(parse([text('Status: 503\r\n\r\n')]).result.head).toMatchObject({ status: 503, statusText: 'Service Unavailable' });
    expect(parse([text('Status: 299\r\n\r\n')]).result.head).toMatchObject({ status: 299, statusText: '' });
    expect(statusText(404)).toBe('Not Found');
  });

  it('matches Status case-insensitively and keeps repeated headers such as Set-Cookie in order', () => {
    const { head } = parse([text('status: 201 Created\r\nSet-Cookie: a=1\r\nX-A: 1\r\nSet-Cookie: b=2; Path=/\r\n\r\n')]).result;
    expect(head.status).toBe(201);
    expect(head.headers).toEqual([['Set-Cookie', 'a=1'], ['X-A', '1'], ['Set-Cookie', 'b=2; Path=/']]);
  });

  it('joins folded continuation lines', () => {
    expect(parse([text('X-Long: one\r\n two\r\n\tthree\r\n\r\n')]).result.head.headers).toEqual([['X-Long', 'one two three']]);
  });

  it('reads header text as latin1, byte for byte', () => {
    const input = new Uint8Array([...ascii('X-Name: '), 0xe9, 0xff, ...ascii('\r\n\r\n')]);
    expect(parse([input]).result.head.headers).toEqual([['X-Name', '\u00e9\u00ff']]);
  });

  it('parses the head split at every byte offset, and pushed one byte at a time', () => {
    const input = text('Status: 200 OK\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Type: text/plain\r\n\r\nthe body\r\n\r\nend');
    const headAndBody = (chunks: readonly Uint8Array[]): unknown => {
      const { result, body } = parse(chunks);
      return { head: result.head, body };
    };
    const expected = headAndBody([input]);
    expect(expected).toMatchObject({ head: { status: 200, headers: [['Set-Cookie', 'a=1'], ['Set-Cookie', 'b=2'], ['Content-Type', 'text/plain']] }, body: text('the body\r\n\r\nend') });
    for (let cut = 0; cut <= input.length; cut++) {
      for (const second of [cut, cut + 1, cut + 2, cut + 17]) expect(headAndBody(splitAt(input, [cut, second]))).toEqual(expected);
    }
    expect(headAndBody(bytewise(input))).toEqual(expected);
  });

  it('finds a blank line whose CR and LF arrive in different pushes', () => {
    const parser = new CgiHeadParser();
    expect(parser.push(text('A: 1\r\n'))).toBeUndefined();
    expect(parser.push(text('\r'))).toBeUndefined();
    const result = parser.push(text('\nbody'));
    expect(result?.head.headers).toEqual([['A', '1']]);
    expect(result?.rest).toEqual(text('body'));
    expect(parser.done).toBe(true);
  });

  it('refuses a push after the head was returned', () => {
    const parser = new CgiHeadParser();
    parser.push(text('A: 1\n\n'));
    expect(() => parser.push(text('x'))).toThrow(FastCgiArgumentError);
  });

  it.each([
    ['a line with no colon', 'Content-Type text/html\r\n\r\n', CodecErrorCode.InvalidHeader],
    ['an empty header name', ': value\r\n\r\n', CodecErrorCode.InvalidHeader],
    ['a space in a header name', 'Bad Name: x\r\n\r\n', CodecErrorCode.InvalidHeader],
    ['a continuation line first', ' folded\r\nA: 1\r\n\r\n', CodecErrorCode.InvalidHeader],
    ['a Status that is not 3 digits', 'Status: 20\r\n\r\n', CodecErrorCode.InvalidStatus],
    ['a Status below 100', 'Status: 099 Odd\r\n\r\n', CodecErrorCode.InvalidStatus],
    ['a Status with letters', 'Status: OK\r\n\r\n', CodecErrorCode.InvalidStatus],
    ['two Status headers', 'Status: 200\r\nStatus: 404\r\n\r\n', CodecErrorCode.InvalidStatus],
  ])('rejects %s', (_name, input, code) => {
    const error = thrown(() => new CgiHeadParser().push(text(input)));
    expect(error).toBeInstanceOf(FastCgiProtocolError);
    expect(error).toMatchObject({ code });
  });

  it('end() throws ERR_FCGI_HEAD_INCOMPLETE when STDOUT ended before the blank line', () => {
    const parser = new CgiHeadParser();
    expect(parser.push(text('Content-Type: text/plain\r\n\r'))).toBeUndefined();
    const error = thrown(() => parser.end());
    expect(error).toBeInstanceOf(FastCgiProtocolError);
    expect(error).toMatchObject({ code: CodecErrorCode.HeadIncomplete });
    expect(() => new CgiHeadParser().end()).toThrow(expect.objectContaining({ code: CodecErrorCode.HeadIncomplete }));
  });

  it('end() succeeds once the head was parsed', () => {
    const parser = new CgiHeadParser();
    parser.push(text('A: 1\n\n'));
    expect(() => parser.end()).not.toThrow();
  });
});

describe('CgiHeadParser limits', () => {
  const headOf = (headers: number): string => `${Array.from({ length: headers }, (_, index) => `X-${index}: v`).join('\r\n')}\r\n\r\n`;

  it('maxHeaders: throws ERR_FCGI_TOO_MANY_HEADERS past the limit (Status not counted)', () => {
    expect(parse([text(`Status: 200\r\n${headOf(5)}`)], new CgiHeadParser({ maxHeaders: 5 })).result.head.headers).toHaveLength(5);
    const error = thrown(() => new CgiHeadParser({ maxHeaders: 4 }).push(text(headOf(5))));
    expect(error).toBeInstanceOf(FastCgiLimitError);
    expect(error).toMatchObject({ code: CodecErrorCode.TooManyHeaders, limit: 4 });
  });

  it('maxHeaders defaults to 200', () => {
    expect(DEFAULT_LIMITS.maxHeaders).toBe(200);
    expect(parse([text(headOf(200))]).result.head.headers).toHaveLength(200);
    expect(() => new CgiHeadParser().push(text(headOf(201)))).toThrow(expect.objectContaining({ code: CodecErrorCode.TooManyHeaders, limit: 200 }));
  });

  it('maxHeadBytes: counts the head through its blank line, not the body', () => {
    const head = text('A: 1\r\n\r\n');
    expect(parse([concatBytes([head, new Uint8Array(1000)])], new CgiHeadParser({ maxHeadBytes: head.length })).body.length).toBe(1000);
    const error = thrown(() => new CgiHeadParser({ maxHeadBytes: head.length - 1 }).push(head));
    expect(error).toBeInstanceOf(FastCgiLimitError);
    expect(error).toMatchObject({ code: CodecErrorCode.HeadTooLarge, limit: head.length - 1 });
  });

  it('maxHeadBytes: throws ERR_FCGI_HEAD_TOO_LARGE as soon as buffered bytes pass the limit with no blank line', () => {
    const parser = new CgiHeadParser({ maxHeadBytes: 100 });
    expect(parser.push(text(`X-A: ${'a'.repeat(90)}`))).toBeUndefined();
    expect(() => parser.push(text('a'.repeat(20)))).toThrow(expect.objectContaining({ code: CodecErrorCode.HeadTooLarge }));
  });

  it('maxHeadBytes defaults to 64 KiB, checked on a head fed in small pieces', () => {
    expect(DEFAULT_LIMITS.maxHeadBytes).toBe(65_536);
    const parser = new CgiHeadParser();
    const piece = text(`X-Filler: ${'f'.repeat(1000)}\r\n`);
    let error: unknown;
    let pushed = 0;
    try {
      for (; pushed < 100; pushed++) parser.push(piece);
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: CodecErrorCode.HeadTooLarge, limit: 65_536 });
    expect(pushed).toBe(Math.floor(65_536 / piece.length));
  });

  it.each([
    ['maxHeadBytes', { maxHeadBytes: -1 }],
    ['maxHeaders', { maxHeaders: 2.5 }],
  ])('rejects an invalid %s with ERR_FCGI_INVALID_OPTION', (_name, options) => {
    expect(() => new CgiHeadParser(options)).toThrow(expect.objectContaining({ code: CodecErrorCode.InvalidOption }));
  });
});

describe('serializeCgiHead', () => {
  it('writes Status first, the headers in order with repeats, CRLF line ends and the blank line', () => {
    const bytes = serializeCgiHead({ status: 404, headers: { 'Content-Type': 'text/plain', 'Set-Cookie': ['a=1', 'b=2'], 'Content-Length': 12, Skipped: undefined } });
    expect(new TextDecoder().decode(bytes)).toBe('Status: 404 Not Found\r\nContent-Type: text/plain\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 12\r\n\r\n');
  });

  it('defaults to 200 OK and takes header entries', () => {
    expect(new TextDecoder().decode(serializeCgiHead({ headers: [['X-A', '1'], ['X-A', '2']] }))).toBe('Status: 200 OK\r\nX-A: 1\r\nX-A: 2\r\n\r\n');
    expect(new TextDecoder().decode(serializeCgiHead())).toBe('Status: 200 OK\r\n\r\n');
  });

  it('writes a bare code when the phrase is empty', () => {
    expect(new TextDecoder().decode(serializeCgiHead({ status: 299 }))).toBe('Status: 299\r\n\r\n');
  });

  it('round-trips through the parser', () => {
    const init = { status: 302, statusText: 'Elsewhere', headers: [['Location', '/x'], ['Set-Cookie', 'a=1'], ['Set-Cookie', 'b=2'], ['X-Latin', '\u00e9']] as const };
    const { result } = parse([concatBytes([serializeCgiHead(init), text('body')])]);
    expect(result.head).toEqual({ status: 302, statusText: 'Elsewhere', headers: init.headers.map(([name, value]) => [name, value]) });
    expect(result.rest).toEqual(text('body'));
  });

  it.each([
    ['a CR in a value (header injection)', { headers: [['X-A', 'a\r\nSet-Cookie: evil=1']] as const }, CodecErrorCode.InvalidHeader],
    ['a LF in a value', { headers: [['X-A', 'a\nb']] as const }, CodecErrorCode.InvalidHeader],
    ['a NUL in a value', { headers: [['X-A', 'a\0b']] as const }, CodecErrorCode.InvalidHeader],
    ['a name that is not a token', { headers: [['Bad Name', 'x']] as const }, CodecErrorCode.InvalidHeader],
    ['a phrase with a line break', { statusText: 'OK\r\nX: y' }, CodecErrorCode.InvalidHeader],
    ['text above U+00FF', { headers: [['X-A', '\u2603']] as const }, CodecErrorCode.InvalidHeader],
    ['status 99', { status: 99 }, CodecErrorCode.InvalidStatus],
    ['status 1000', { status: 1000 }, CodecErrorCode.InvalidStatus],
    ['status 200.5', { status: 200.5 }, CodecErrorCode.InvalidStatus],
  ])('rejects %s', (_name, init, code) => {
    const error = thrown(() => serializeCgiHead(init));
    expect(error).toBeInstanceOf(FastCgiArgumentError);
    expect(error).toMatchObject({ code });
  });
});
