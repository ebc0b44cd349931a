/**
 * Passing the app's answer on: its headers without the hop-by-hop ones, its STDERR lines
 * to a callback, its head and body to a node:http response.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HeaderEntry } from '@fcgi/codec';
import type { ClientResponse } from '../request-options.js';

const hopByHopHeaders = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);

/**
 * The response headers of the app worth passing on (hop-by-hop ones dropped), repeated
 * names (Set-Cookie) kept as arrays.
 *
 * @example
 * ```ts
 * for (const [name, value] of responseHeaders(upstream)) reply.header(name, value);
 * ```
 */
export function responseHeaders(upstream: ClientResponse): Map<string, string | string[]> {
  const grouped = new Map<string, string[]>();
  for (const [name, value] of upstream.rawHeaders) {
    const key = name.toLowerCase();
    if (hopByHopHeaders.has(key)) continue;
    const list = grouped.get(key) ?? [];
    if (list.length === 0) grouped.set(key, list);
    list.push(value);
  }
  return new Map([...grouped].map(([name, values]) => [name, values.length === 1 ? (values[0] as string) : values]));
}

/**
 * Sets the app's headers on `response` (hop-by-hop ones dropped; a repeated name, such as
 * Set-Cookie, appended), replacing headers of the same name set before. Throws when a
 * header is not valid HTTP.
 *
 * @example
 * ```ts
 * setRawHeaders(response, [['Content-Type', 'text/html'], ['Set-Cookie', 'a=1'], ['Set-Cookie', 'b=2']]);
 * ```
 */
export function setRawHeaders(response: ServerResponse, rawHeaders: readonly HeaderEntry[]): void {
  for (let index = 0; index < rawHeaders.length; index += 1) {
    const [name, value] = rawHeaders[index] as HeaderEntry;
    const key = name.toLowerCase();
    if (hopByHopHeaders.has(key)) continue;
    if (seenBefore(rawHeaders, index, key)) response.appendHeader(name, value);
    else response.setHeader(name, value);
  }
}

/** True when a header before `index` has the lower-case name `key` (heads are short: a scan beats a map). */
function seenBefore(rawHeaders: readonly HeaderEntry[], index: number, key: string): boolean {
  for (let before = 0; before < index; before += 1) {
    const name = (rawHeaders[before] as HeaderEntry)[0];
    if (name.length === key.length && name.toLowerCase() === key) return true;
  }
  return false;
}

/**
 * Replaces control characters (except tab) so a log line cannot forge others.
 *
 * @example
 * ```ts
 * sanitizeLogLine('a\nb'); // 'a\\x0ab'
 * ```
 */
export function sanitizeLogLine(line: string): string {
  // eslint-disable-next-line no-control-regex
  return line.replace(/[\x00-\x08\x0a-\x1f\x7f]/g, (character) => `\\x${character.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Longest STDERR line given to `onStderr`; longer lines come in pieces (memory stays bounded). */
const maxStderrLine = 16 * 1024;

/**
 * Splits STDERR bytes into lines for `onStderr`: control characters escaped, a line
 * longer than 16 KiB passed on in pieces (memory stays bounded), the last partial line
 * passed on by `end()`.
 *
 * @example
 * ```ts
 * const lines = new StderrLines((line) => console.warn(line));
 * lines.push(chunk);
 * lines.end();
 * ```
 */
export class StderrLines {
  readonly #emitLine: (line: string) => void;
  #pending = '';

  constructor(emitLine: (line: string) => void) {
    this.#emitLine = emitLine;
  }

  #emit(line: string): void {
    for (let start = 0; start < line.length || start === 0; start += maxStderrLine) this.#emitLine(sanitizeLogLine(line.slice(start, start + maxStderrLine)));
  }

  /** Takes a chunk of STDERR; emits every line it completes. */
  push(chunk: Buffer): void {
    this.#pending += chunk.toString('utf8');
    const lines = this.#pending.split('\n');
    this.#pending = lines.pop() ?? '';
    for (const line of lines) this.#emit(line.replace(/\r$/, ''));
    // A line without an end is not buffered without bound: full pieces go out now.
    if (this.#pending.length > maxStderrLine) {
      const cut = this.#pending.length - (this.#pending.length % maxStderrLine);
      this.#emit(this.#pending.slice(0, cut));
      this.#pending = this.#pending.slice(cut);
    }
  }

  /** STDERR ended: emits the last line if it had no newline. */
  end(): void {
    if (this.#pending !== '') this.#emit(this.#pending);
    this.#pending = '';
  }
}

/**
 * Sends the app's STDERR lines, control characters escaped, to `onStderr`, or drops them.
 *
 * @example
 * ```ts
 * void relayStderr(upstream, request, (line) => console.warn(line));
 * ```
 */
export async function relayStderr(upstream: ClientResponse, request: IncomingMessage, onStderr: ((line: string, request: IncomingMessage) => void) | undefined): Promise<void> {
  // Unread, the STDERR bytes stay in the response (at most maxStderrBuffer) and go with it.
  if (onStderr === undefined) return;
  const lines = new StderrLines((line) => onStderr(line, request));
  try {
    for await (const chunk of upstream.stderr) lines.push(chunk as Buffer);
  } catch {
    // the request failed: its error is reported elsewhere
  }
  lines.end();
}
