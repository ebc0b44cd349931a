import { describe, expect, it } from 'vitest';
import { CgiHeadParser, CodecErrorCode, FastCgiProtocolError, type ParamsInput, decodeParams, encodeParams, encodeParamsStream } from '../src/index.js';
import { thrown } from './support/helpers.js';

/** An independent reference: each pair's length prefixes, then its UTF-8 name and value. */
function referencePairs(pairs: readonly (readonly [string, string])[]): number[] {
  const bytes: number[] = [];
  const prefix = (length: number): number[] => (length < 0x80 ? [length] : [(length >>> 24) | 0x80, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff]);
  for (const [name, value] of pairs) {
    const nameBytes = new TextEncoder().encode(name);
    const valueBytes = new TextEncoder().encode(value);
    bytes.push(...prefix(nameBytes.length), ...prefix(valueBytes.length), ...nameBytes, ...valueBytes);
  }
  return bytes;
}

/** The content of the PARAMS records of a stream, joined. */
function streamContent(frames: readonly Uint8Array[]): number[] {
  const joined = frames.flatMap((frame) => Array.from(frame));
  const content: number[] = [];
  for (let offset = 0; offset < joined.length;) {
    const contentLength = ((joined[offset + 4] as number) << 8) | (joined[offset + 5] as number);
    content.push(...joined.slice(offset + 8, offset + 8 + contentLength));
    offset += 8 + contentLength + (joined[offset + 6] as number);
  }
  return content;
}

const asObject = (pairs: readonly (readonly [string, string])[]): ParamsInput => Object.fromEntries(pairs);

describe('ASCII params fast path (one string, one encodeInto)', () => {
  it.each([0, 1, 40, 127, 128, 129, 300, 5000])('writes names and values of %i characters with their 1- or 4-byte prefixes', (length) => {
    const pairs: [string, string][] = [
      ['N'.repeat(Math.max(1, length)), 'v'.repeat(length)],
      ['SHORT', 'x'],
      ['LONG_VALUE', 'w'.repeat(length + 1)],
    ];
    const expected = referencePairs(pairs);
    expect(Array.from(encodeParams(pairs))).toEqual(expected);
    expect(Array.from(encodeParams(asObject(pairs)))).toEqual(expected);
    expect(streamContent(encodeParamsStream(1, pairs))).toEqual(expected);
    expect(streamContent(encodeParamsStream(1, asObject(pairs)))).toEqual(expected);
  });

  it('keeps NUL characters (the stand-in for long prefixes) as they are', () => {
    const pairs: [string, string][] = [['\0\0\0\0', '\0'.repeat(200)], ['A', '\0\0\0\0']];
    expect(Array.from(encodeParams(pairs))).toEqual(referencePairs(pairs));
  });

  it.each([
    ['a latin1 letter', '\u00e9'],
    ['a character above U+00FF', '\u20ac'],
    ['an astral character', '\u{1f600}'],
    ['a lone surrogate', '\ud800'],
    ['U+0080', '\u0080'],
  ])('falls back to the general path for %s after a long ASCII prefix', (_name, tail) => {
    const pairs: [string, string][] = [['A', 'a'.repeat(200)], ['B', `${'b'.repeat(300)}${tail}`], ['C', `${'c'.repeat(20)}${tail}`]];
    const expected = referencePairs(pairs);
    expect(Array.from(encodeParams(pairs))).toEqual(expected);
    expect(streamContent(encodeParamsStream(1, asObject(pairs)))).toEqual(expected);
  });

  it('writes latin1 text after a long ASCII prefix byte for byte with encoding: latin1', () => {
    const bytes = encodeParams([['N', `${'a'.repeat(130)}\u00e9`]], { encoding: 'latin1' });
    expect(bytes.length).toBe(1 + 4 + 1 + 131);
    expect(bytes[bytes.length - 1]).toBe(0xe9);
  });

  it.each([8190, 8191, 8192, 8193])('gives the same bytes on either side of the one-record copy threshold (%i bytes of pairs)', (total) => {
    // NAME: 1 + 4 prefix bytes, 4 name bytes; A=b: 4 bytes; C=: 3 bytes.
    const pairs: [string, string][] = [['NAME', 'v'.repeat(total - 16)], ['A', 'b'], ['C', '']];
    const expected = referencePairs(pairs);
    expect(expected.length).toBe(total);
    expect(streamContent(encodeParamsStream(1, pairs))).toEqual(expected);
    expect(streamContent(encodeParamsStream(1, asObject(pairs)))).toEqual(expected);
  });
});

describe('latin1 text decoding through the ASCII fast path', () => {
  const latin1 = (bytes: readonly number[]): string => String.fromCharCode(...bytes);
  const asciiRun = Array.from('abcdefghijklmnopqrstuvwxyz0123456789', (character) => character.charCodeAt(0));

  it.each([
    ['a UTF-8 byte order mark first', [0xef, 0xbb, 0xbf, ...asciiRun]],
    ['a valid UTF-8 sequence', [...asciiRun, 0xc3, 0xa9]],
    ['an invalid UTF-8 byte', [...asciiRun, 0xff]],
    ['C1 controls and NBSP', [...asciiRun, 0x85, 0x80, 0xa0]],
    ['only ASCII', asciiRun],
  ])('decodes a value of 32 bytes or more with %s byte for byte', (_name, valueBytes) => {
    const bytes = new Uint8Array([1, valueBytes.length, 0x56, ...valueBytes]);
    const [decoded] = decodeParams(bytes, { encoding: 'latin1' });
    expect(decoded?.value).toBe(latin1(valueBytes));
  });

  it('reads a long CGI head with latin1 bytes after ASCII byte for byte', () => {
    const line = [...Array.from('X-Long: ', (character) => character.charCodeAt(0)), ...asciiRun, 0xe9, 0xa0, 0x41];
    const result = new CgiHeadParser().push(new Uint8Array([...line, 13, 10, 13, 10]));
    expect(result?.head.headers).toEqual([['X-Long', `${latin1(asciiRun)}\u00e9\u00a0A`]]);
  });
});

describe('CGI head lines (one pass by index)', () => {
  const push = (text: string): ReturnType<CgiHeadParser['push']> => new CgiHeadParser().push(new TextEncoder().encode(text));

  it('gives the same headers with CRLF, LF and mixed line ends, a CR inside a line kept', () => {
    const expected = [['A', '1'], ['B', 'x\ry'], ['C', '']];
    expect(push('A: 1\r\nB: x\ry\r\nC:\r\n\r\n')?.head.headers).toEqual(expected);
    expect(push('A: 1\nB: x\ry\nC:\n\n')?.head.headers).toEqual(expected);
    expect(push('A: 1\nB: x\ry\r\nC:   \n\r\n')?.head.headers).toEqual(expected);
  });

  it('refuses a line without a colon even when a later line has one, naming only that line', () => {
    const error = thrown(() => push('A: 1\r\nNoColonHere\r\nB: 2\r\n\r\n'));
    expect(error).toBeInstanceOf(FastCgiProtocolError);
    expect(error).toMatchObject({ code: CodecErrorCode.InvalidHeader, message: 'Invalid CGI header line: "NoColonHere"' });
  });

  it('quotes at most 64 characters of a refused line', () => {
    const error = thrown(() => push(`${'x'.repeat(100)}\r\n\r\n`));
    expect(error).toMatchObject({ code: CodecErrorCode.InvalidHeader, message: `Invalid CGI header line: "${'x'.repeat(64)}"` });
  });

  it('matches Status and Location in any case, and only those names', () => {
    expect(push('STATUS: 201\r\nlocation: /x\r\n\r\n')?.head).toEqual({ status: 201, statusText: 'Created', headers: [['location', '/x']] });
    expect(push('LOCATION: /y\r\n\r\n')?.head.status).toBe(302);
    expect(push('Statux: 1\r\nLocatio: /z\r\nLocations: /w\r\n\r\n')?.head).toEqual({
      status: 200,
      statusText: 'OK',
      headers: [['Statux', '1'], ['Locatio', '/z'], ['Locations', '/w']],
    });
  });

  it('joins a continuation line after Status to the header before it', () => {
    expect(push('A: 1\r\nStatus: 404\r\n  more\r\n\r\n')?.head).toEqual({ status: 404, statusText: 'Not Found', headers: [['A', '1 more']] });
  });
});
