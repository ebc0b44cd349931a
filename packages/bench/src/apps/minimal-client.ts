/**
 * The floor of a FastCGI client in Node: requests to the app on @fcgi/codec alone, over at
 * most `connections` kept connections (one request at a time on each; more wait in a
 * queue), each request encoded when sent, its answer gathered until END_REQUEST. No
 * timeouts, no CGI head parsing, no multiplexing, no error handling beyond not hanging: not
 * a product, the reference row of the direct php-fpm benchmark.
 *
 * @module
 */
import type { ParamsInput } from '@fcgi/codec';
import { keptUpstreams } from './kept-upstreams.js';

/** One request: what to send, and where its answer (STDOUT bytes, head included) goes. */
interface Pending {
  params: ParamsInput;
  resolve(answer: Buffer): void;
  reject(error: Error): void;
}

/**
 * A function sending one request to the app at the Unix socket `path` and resolving with its
 * STDOUT bytes (CGI head and body) after END_REQUEST.
 *
 * @example
 * ```ts
 * const send = minimalClient('/run/php-fpm.sock', 8);
 * const answer = await send({ SCRIPT_FILENAME: '/srv/www/hello.php', REQUEST_METHOD: 'GET' });
 * ```
 */
export function minimalClient(path: string, connections: number): (params: ParamsInput) => Promise<Buffer> {
  const submit = keptUpstreams<Pending>(path, connections, {
    params: (pending) => pending.params,
    answer: (pending, stdout) => pending.resolve(stdout),
    lost: (pending) => pending.reject(new Error('The app closed the connection')),
  });
  return (params) => new Promise<Buffer>((resolve, reject) => submit({ params, resolve, reject }));
}
