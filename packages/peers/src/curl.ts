/**
 * Real HTTP requests with the curl binary, binary-safe both ways.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { peerPath } from './binaries.js';

/**
 * Options of {@link curl}.
 *
 * @example
 * ```ts
 * const options: CurlOptions = { method: 'PUT', body: new Uint8Array(10), headers: ['X-Test: 1'] };
 * ```
 */
export interface CurlOptions {
  /** The method (default GET, or POST when `body` is given). */
  method?: string;
  /** The request body, sent with `--data-binary @-` (no `Expect: 100-continue`). */
  body?: Uint8Array;
  /** Request headers as `'Name: value'`. */
  headers?: readonly string[];
  /** The local address to send from (default `127.0.0.2`, so REMOTE_ADDR differs from the web server's own address). */
  localAddress?: string;
  /** More curl arguments. */
  args?: readonly string[];
  /** Gives up after this many seconds (`--max-time`, default 30). */
  maxTime?: number;
}

/**
 * What {@link curl} returns.
 *
 * @example
 * ```ts
 * const response: CurlResult = await curl(nginx.url);
 * response.body.toString();
 * ```
 */
export interface CurlResult {
  /** curl's exit code (0 when the transfer worked). */
  readonly exitCode: number;
  /** The final response's status code (0 when there was none). */
  readonly status: number;
  /** The final response's header lines, status line excluded. */
  readonly headers: readonly string[];
  /** The response body, byte for byte. */
  readonly body: Buffer;
  /** curl's error output. */
  readonly stderr: string;
}

function curlArguments(url: string, options: CurlOptions): string[] {
  const args = ['-sS', '-i', '--max-time', String(options.maxTime ?? 30), '--interface', options.localAddress ?? '127.0.0.2'];
  if (options.method !== undefined) args.push('-X', options.method);
  if (options.body !== undefined) args.push('--data-binary', '@-', '-H', 'Expect:', '-H', 'Content-Type: application/octet-stream');
  for (const header of options.headers ?? []) args.push('-H', header);
  return [...args, ...(options.args ?? []), url];
}

const headSeparator = Buffer.from('\r\n\r\n');

/** Splits `curl -i` output into the last response's head and body, skipping 1xx heads. */
function splitResponse(output: Buffer): { status: number; headers: string[]; body: Buffer } {
  let rest = output;
  for (;;) {
    const end = rest.indexOf(headSeparator);
    if (end === -1) return { status: 0, headers: [], body: rest };
    const [statusLine = '', ...headers] = rest.subarray(0, end).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/[\d.]+ (\d{3})/.exec(statusLine)?.[1] ?? 0);
    rest = rest.subarray(end + headSeparator.length);
    if (status < 100 || status >= 200) return { status, headers, body: rest };
  }
}

/**
 * Runs curl against `url` and resolves with the status, headers and exact body bytes.
 *
 * @example
 * ```ts
 * const response = await curl(`${nginx.url}/upload.php`, { body: new Uint8Array(100_000) });
 * response.status; // 200
 * ```
 */
export async function curl(url: string, options: CurlOptions = {}): Promise<CurlResult> {
  const child = spawn(peerPath('curl'), curlArguments(url, options), { stdio: ['pipe', 'pipe', 'pipe'] });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  child.stdin.on('error', () => undefined);
  child.stdin.end(options.body ?? new Uint8Array(0));
  const [exitCode] = (await once(child, 'close')) as [number | null];
  const response = splitResponse(Buffer.concat(stdout));
  return { exitCode: exitCode ?? -1, ...response, stderr: Buffer.concat(stderr).toString('utf8') };
}
