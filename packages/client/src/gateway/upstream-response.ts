/**
 * Passing the app's answer on: its headers without the hop-by-hop ones, its STDERR lines
 * to a callback, its head and body to a node:http response.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { isBodyComplete } from '../exchange.js';
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

/** Sets the app's headers on `response` (hop-by-hop ones dropped), without the maps of {@link responseHeaders}. */
function setUpstreamHeaders(response: ServerResponse, upstream: ClientResponse): void {
  const headers = upstream.headers;
  for (const name in headers) {
    if (!hopByHopHeaders.has(name)) response.setHeader(name, headers[name] as string | string[]);
  }
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
 * Sends the app's STDERR lines, control characters escaped, to `onStderr`, or drops them.
 *
 * @example
 * ```ts
 * void relayStderr(upstream, request, (line) => console.warn(line));
 * ```
 */
export async function relayStderr(upstream: ClientResponse, request: IncomingMessage, onStderr: ((line: string, request: IncomingMessage) => void) | undefined): Promise<void> {
  if (onStderr === undefined) {
    upstream.stderr.resume();
    return;
  }
  const emit = (line: string): void => {
    for (let start = 0; start < line.length || start === 0; start += maxStderrLine) onStderr(sanitizeLogLine(line.slice(start, start + maxStderrLine)), request);
  };
  let pending = '';
  try {
    for await (const chunk of upstream.stderr) {
      pending += (chunk as Buffer).toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) emit(line.replace(/\r$/, ''));
      // A line without an end is not buffered without bound: full pieces go out now.
      if (pending.length > maxStderrLine) {
        const cut = pending.length - (pending.length % maxStderrLine);
        emit(pending.slice(0, cut));
        pending = pending.slice(cut);
      }
    }
  } catch {
    // the request failed: its error is reported elsewhere
  }
  if (pending !== '') emit(pending);
}

/**
 * `pipeline(body, response)` without its per-call AbortController and listeners (a measurable
 * share of a small request's cost): pipes, rejects when the body fails, destroys the body
 * when the response closes before it finished.
 */
function pipeBody(body: Readable, response: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      response.off('close', onClose);
      body.unpipe(response);
      reject(error);
    };
    const onClose = (): void => {
      body.off('error', onError);
      if (response.writableFinished) resolve();
      else {
        body.destroy();
        reject(new Error('The response closed before its body was sent'));
      }
    };
    body.once('error', onError);
    response.once('close', onClose);
    body.pipe(response);
  });
}

/**
 * Writes the app's head to `response` (throws when a header is not valid HTTP, before
 * anything was sent).
 *
 * @example
 * ```ts
 * writeUpstreamHead(response, upstream);
 * ```
 */
export function writeUpstreamHead(response: ServerResponse, upstream: ClientResponse): void {
  setUpstreamHeaders(response, upstream);
  response.writeHead(upstream.status, upstream.statusText);
}

/** Statuses that carry no body, so no Content-Length either (RFC 9110 8.6). */
function mayHaveBody(status: number, method: string | undefined): boolean {
  return status >= 200 && status !== 204 && status !== 304 && method !== 'HEAD';
}

/**
 * Sends a response whose body arrived whole with its head (END_REQUEST included, as for most
 * small pages) in one `end()`, with a Content-Length when the app sent none, instead of
 * streaming it chunked: one write for head and body, no pipe. False, sending nothing, when
 * the body is still coming (or for HEAD and statuses without a body): stream it then.
 * Throws, before sending anything, when a header is not valid HTTP.
 *
 * @example
 * ```ts
 * if (!sendCompleteResponse(request.method, response, upstream)) await sendUpstreamBody(response, upstream);
 * ```
 */
export function sendCompleteResponse(method: string | undefined, response: ServerResponse, upstream: ClientResponse): boolean {
  if (!isBodyComplete(upstream.body) || !mayHaveBody(upstream.status, method)) return false;
  const body = (upstream.body.read() as Buffer | null) ?? Buffer.alloc(0);
  try {
    setUpstreamHeaders(response, upstream);
    if (!response.hasHeader('content-length')) response.setHeader('Content-Length', body.length);
    response.writeHead(upstream.status, upstream.statusText);
  } finally {
    upstream.body.resume();
  }
  response.end(body);
  return true;
}

/**
 * Streams the app's body to `response`; rejects when either side fails before the end.
 *
 * @example
 * ```ts
 * await sendUpstreamBody(response, upstream).catch(() => response.destroy());
 * ```
 */
export function sendUpstreamBody(response: ServerResponse, upstream: ClientResponse): Promise<void> {
  return pipeBody(upstream.body, response);
}
