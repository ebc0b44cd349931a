/**
 * The CGI response head carried at the start of STDOUT: header lines, a blank line, then
 * the body. An incremental parser (the head may arrive split over many records) and a
 * serializer for the other direction.
 *
 * @module
 */
import { CodecErrorCode, FastCgiArgumentError, FastCgiLimitError, FastCgiProtocolError } from './errors.js';
import { DEFAULT_LIMITS, readLimit } from './limits.js';
import { statusText as reasonPhrase } from './status-text.js';
import { decodeText } from './text.js';

/**
 * A header as `[name, value]`, name as sent.
 *
 * @example
 * ```ts
 * const entry: HeaderEntry = ['Set-Cookie', 'id=1; HttpOnly'];
 * ```
 */
export type HeaderEntry = readonly [name: string, value: string];

/**
 * A parsed CGI response head.
 *
 * @example
 * ```ts
 * const head: CgiHead = { status: 404, statusText: 'Not Found', headers: [['Content-Type', 'text/plain']] };
 * ```
 */
export interface CgiHead {
  /** From `Status:`; 302 when only `Location:` is given; else 200. */
  readonly status: number;
  /** The text after the code in `Status:`, or the standard phrase. */
  readonly statusText: string;
  /** Every header but `Status`, in order, repeats kept (e.g. several Set-Cookie). */
  readonly headers: readonly HeaderEntry[];
}

/**
 * Options of {@link CgiHeadParser}.
 *
 * @example
 * ```ts
 * new CgiHeadParser({ maxHeadBytes: 8192, maxHeaders: 50 } satisfies CgiHeadParserOptions);
 * ```
 */
export interface CgiHeadParserOptions {
  /** Bytes of the head including its blank line (default 64 KiB); more throws ERR_FCGI_HEAD_TOO_LARGE. */
  maxHeadBytes?: number;
  /** Header lines (default 200); more throws ERR_FCGI_TOO_MANY_HEADERS. */
  maxHeaders?: number;
}

/**
 * What {@link CgiHeadParser.push} returns once the head is complete.
 *
 * @example
 * ```ts
 * const result: CgiHeadResult | undefined = parser.push(chunk);
 * if (result) body.write(result.rest);
 * ```
 */
export interface CgiHeadResult {
  readonly head: CgiHead;
  /** Body bytes that followed the blank line in the last chunk (a view). */
  readonly rest: Uint8Array;
}

const LF = 10;
const CR = 13;
const emptyBytes = new Uint8Array(0);
const headerNamePattern = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function invalidHeader(message: string): FastCgiProtocolError {
  return new FastCgiProtocolError(CodecErrorCode.InvalidHeader, message);
}

function parseStatus(value: string): { status: number; text: string } {
  const match = /^(\d{3})(?:[ \t]+(.*))?$/.exec(value);
  const status = match === null ? NaN : Number(match[1]);
  if (match === null || status < 100) {
    throw new FastCgiProtocolError(CodecErrorCode.InvalidStatus, `Invalid Status header: ${JSON.stringify(value.slice(0, 64))}`);
  }
  return { status, text: match[2]?.trim() || reasonPhrase(status) };
}

/**
 * Parses a complete head block (the text before the blank line, without it).
 *
 * @example
 * ```ts
 * parseCgiHeadText('Status: 201 Created\r\nContent-Type: text/plain', 200).status; // 201
 * ```
 */
export function parseCgiHeadText(text: string, maxHeaders: number): CgiHead {
  const state: HeadState = { headers: [], status: undefined, hasLocation: false };
  // One pass over the lines ('\n'-separated, one trailing '\r' dropped), by index: no split, no line strings.
  for (let lineStart = 0; text !== '';) {
    const newline = text.indexOf('\n', lineStart);
    let lineEnd = newline === -1 ? text.length : newline;
    if (lineEnd > lineStart && text.charCodeAt(lineEnd - 1) === CR) lineEnd--;
    parseLine(state, text, lineStart, lineEnd, maxHeaders);
    if (newline === -1) break;
    lineStart = newline + 1;
  }
  const { status, hasLocation, headers } = state;
  const code = status?.status ?? (hasLocation ? 302 : 200);
  return { status: code, statusText: status?.text ?? reasonPhrase(code), headers };
}

/** What {@link parseCgiHeadText} has gathered so far. */
interface HeadState {
  readonly headers: [string, string][];
  status: { status: number; text: string } | undefined;
  hasLocation: boolean;
}

const SPACE = 32;
const TAB = 9;

/** Parses the line `text[lineStart, lineEnd)` (its line end already cut off) into `state`. */
function parseLine(state: HeadState, text: string, lineStart: number, lineEnd: number, maxHeaders: number): void {
  const headers = state.headers;
  const first = lineStart < lineEnd ? text.charCodeAt(lineStart) : -1;
  if (first === SPACE || first === TAB) {
    const previous = headers[headers.length - 1];
    if (previous === undefined) throw invalidHeader('A continuation line with no header before it');
    previous[1] = `${previous[1]} ${text.slice(lineStart, lineEnd).trim()}`;
    return;
  }
  const colon = text.indexOf(':', lineStart);
  const name = colon > lineStart && colon < lineEnd ? text.slice(lineStart, colon) : '';
  if (!headerNamePattern.test(name)) throw invalidHeader(`Invalid CGI header line: ${JSON.stringify(text.slice(lineStart, Math.min(lineEnd, lineStart + 64)))}`);
  const value = text.slice(colon + 1, lineEnd).trim();
  // Compare lengths first: most names are neither, and need no lower-cased copy.
  if (name.length === 6 && name.toLowerCase() === 'status') {
    if (state.status !== undefined) throw new FastCgiProtocolError(CodecErrorCode.InvalidStatus, 'More than one Status header');
    state.status = parseStatus(value);
    return;
  }
  if (headers.length === maxHeaders) {
    throw new FastCgiLimitError(CodecErrorCode.TooManyHeaders, `More than ${maxHeaders} headers in the CGI response head`, { limit: maxHeaders });
  }
  if (name.length === 8 && name.toLowerCase() === 'location') state.hasLocation = true;
  headers.push([name, value]);
}

/**
 * Finds the end of the head in `bytes` from `from`: the index just past the blank line,
 * and the index where the head's text ends; -1 when absent.
 */
function findHeadEnd(bytes: Uint8Array, from: number): { textEnd: number; bodyStart: number } | undefined {
  for (let index = bytes.indexOf(LF, from); index !== -1; index = bytes.indexOf(LF, index + 1)) {
    if (index === 0) return { textEnd: 0, bodyStart: 1 };
    if (bytes[index - 1] === LF) return { textEnd: index - 1, bodyStart: index + 1 };
    if (bytes[index - 1] === CR && (index === 1 || bytes[index - 2] === LF)) {
      return { textEnd: Math.max(0, index - 2), bodyStart: index + 1 };
    }
  }
  return undefined;
}

/**
 * Incremental parser of the CGI head at the start of a STDOUT stream. Push STDOUT content
 * until it returns a result; bytes after the blank line come back as `rest`. Accepts LF or
 * CRLF line ends, repeated headers and folded lines; latin1 text (as HTTP). Call `end()`
 * if STDOUT ends first: it throws ERR_FCGI_HEAD_INCOMPLETE.
 *
 * @example
 * ```ts
 * import { CgiHeadParser } from '@fcgi/codec';
 * const parser = new CgiHeadParser({ maxHeadBytes: 16384 });
 * const result = parser.push(new TextEncoder().encode('Status: 404 Not Found\r\nContent-Type: text/plain\r\n\r\nnope'));
 * result?.head.status; // 404
 * result?.rest; // the bytes of 'nope'
 * ```
 */
export class CgiHeadParser {
  readonly #maxHeadBytes: number;
  readonly #maxHeaders: number;
  #buffer: Uint8Array = emptyBytes;
  #length = 0;
  #done = false;

  constructor(options: CgiHeadParserOptions = {}) {
    this.#maxHeadBytes = readLimit('maxHeadBytes', options.maxHeadBytes, DEFAULT_LIMITS.maxHeadBytes);
    this.#maxHeaders = readLimit('maxHeaders', options.maxHeaders, DEFAULT_LIMITS.maxHeaders);
  }

  /** True once the head has been returned. */
  get done(): boolean {
    return this.#done;
  }

  /**
   * Consumes STDOUT content; returns the head and the body bytes after it once the blank
   * line has arrived, else `undefined`.
   *
   * @example
   * ```ts
   * const result = parser.push(record.content);
   * if (result) respond(result.head, result.rest);
   * ```
   */
  push(chunk: Uint8Array): CgiHeadResult | undefined {
    if (this.#done) throw new FastCgiArgumentError(CodecErrorCode.InvalidOption, 'The CGI head was already parsed');
    const previousLength = this.#length;
    const bytes = previousLength === 0 ? chunk : this.#append(chunk);
    const found = findHeadEnd(bytes, previousLength);
    if (found === undefined) {
      if (bytes.length > this.#maxHeadBytes) throw this.#tooLarge();
      if (previousLength === 0) this.#append(chunk);
      return undefined;
    }
    if (found.bodyStart > this.#maxHeadBytes) throw this.#tooLarge();
    this.#done = true;
    this.#buffer = emptyBytes;
    this.#length = 0;
    const head = parseCgiHeadText(decodeText(bytes, 0, found.textEnd, 'latin1'), this.#maxHeaders);
    return { head, rest: chunk.subarray(found.bodyStart - previousLength) };
  }

  /** Appends to the growable buffer (doubling, capped near the limit); returns the filled view. */
  #append(chunk: Uint8Array): Uint8Array {
    const needed = this.#length + chunk.length;
    if (needed > this.#buffer.length) {
      const capacity = Math.max(needed, Math.min(this.#buffer.length * 2, this.#maxHeadBytes + 1), 256);
      const grown = new Uint8Array(capacity);
      grown.set(this.#buffer.subarray(0, this.#length), 0);
      this.#buffer = grown;
    }
    this.#buffer.set(chunk, this.#length);
    this.#length = needed;
    return this.#buffer.subarray(0, needed);
  }

  /**
   * Declares the end of STDOUT; throws ERR_FCGI_HEAD_INCOMPLETE when the head never ended.
   *
   * @example
   * ```ts
   * if (record.content.length === 0 && !parser.done) parser.end();
   * ```
   */
  end(): void {
    if (!this.#done) {
      throw new FastCgiProtocolError(CodecErrorCode.HeadIncomplete, 'STDOUT ended before the blank line that ends the CGI response head');
    }
  }

  #tooLarge(): FastCgiLimitError {
    return new FastCgiLimitError(CodecErrorCode.HeadTooLarge, `The CGI response head exceeds maxHeadBytes (${this.#maxHeadBytes})`, { limit: this.#maxHeadBytes });
  }
}

/**
 * What {@link serializeCgiHead} writes.
 *
 * @example
 * ```ts
 * serializeCgiHead({ status: 302, headers: [['Location', '/login']] } satisfies CgiHeadInit);
 * ```
 */
export interface CgiHeadInit {
  /** The status code (default 200). */
  status?: number;
  /** The reason phrase (default: the standard one). */
  statusText?: string;
  /** Headers as entries or an object (array values become repeated lines). */
  headers?: Iterable<HeaderEntry> | Readonly<Record<string, string | number | readonly string[] | undefined>>;
}

function headerEntries(headers: CgiHeadInit['headers']): HeaderEntry[] {
  if (headers === undefined) return [];
  if (typeof (headers as Iterable<HeaderEntry>)[Symbol.iterator] === 'function') return [...(headers as Iterable<HeaderEntry>)];
  const entries: HeaderEntry[] = [];
  for (const [name, value] of Object.entries(headers as Record<string, string | number | readonly string[] | undefined>)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value as readonly string[]) entries.push([name, item]);
    else entries.push([name, String(value)]);
  }
  return entries;
}

function checkHeader(name: string, value: string): void {
  if (!headerNamePattern.test(name)) throw new FastCgiArgumentError(CodecErrorCode.InvalidHeader, `Invalid header name ${JSON.stringify(name)}`);
  if (/[\r\n\0]/.test(value)) throw new FastCgiArgumentError(CodecErrorCode.InvalidHeader, `Header ${name} has a CR, LF or NUL in its value`);
}

/**
 * Writes a CGI response head: `Status:` first, then the headers, CRLF line ends, and the
 * blank line. Names must be HTTP tokens; values with CR, LF or NUL throw
 * ERR_FCGI_INVALID_HEADER (header injection). Text is written as latin1.
 *
 * @example
 * ```ts
 * import { serializeCgiHead } from '@fcgi/codec';
 * serializeCgiHead({ status: 404, headers: { 'Content-Type': 'text/plain', 'Set-Cookie': ['a=1', 'b=2'] } });
 * // 'Status: 404 Not Found\r\nContent-Type: text/plain\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n' as bytes
 * ```
 */
export function serializeCgiHead(init: CgiHeadInit = {}): Uint8Array {
  const status = init.status ?? 200;
  if (!Number.isInteger(status) || status < 100 || status > 999) {
    throw new FastCgiArgumentError(CodecErrorCode.InvalidStatus, `Status must be an integer in 100..999, got ${String(status)}`);
  }
  const text = init.statusText ?? reasonPhrase(status);
  checkHeader('Status', text);
  let head = text === '' ? `Status: ${status}\r\n` : `Status: ${status} ${text}\r\n`;
  for (const [name, value] of headerEntries(init.headers)) {
    checkHeader(name, value);
    head += `${name}: ${value}\r\n`;
  }
  head += '\r\n';
  const bytes = new Uint8Array(head.length);
  for (let index = 0; index < head.length; index++) {
    const code = head.charCodeAt(index);
    if (code > 0xff) throw new FastCgiArgumentError(CodecErrorCode.InvalidHeader, 'Header text must be latin1 (code points up to U+00FF)');
    bytes[index] = code;
  }
  return bytes;
}
