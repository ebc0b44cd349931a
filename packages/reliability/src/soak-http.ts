/**
 * One HTTP exchange of the soak: a request through a gateway, the whole reply read.
 *
 * @module
 */
import { type Agent, request as httpRequest } from 'node:http';

/** What to send. */
export interface HttpExchange {
  port: number;
  agent: Agent;
  path: string;
  /** A POST body (default: a GET without one). */
  body?: Buffer | undefined;
  /** Send the body chunked (in two writes) instead of with Content-Length. */
  chunked?: boolean;
}

/**
 * Sends one request to 127.0.0.1 and reads the whole reply (10 s timeout).
 *
 * @example
 * ```ts
 * const { status, body } = await httpExchange({ port, agent, path: '/small' });
 * ```
 */
export function httpExchange(exchange: HttpExchange): Promise<{ status: number; body: Buffer }> {
  const { body, chunked = false } = exchange;
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = body !== undefined && !chunked ? { 'Content-Length': String(body.length) } : {};
    const request = httpRequest({ host: '127.0.0.1', port: exchange.port, path: exchange.path, method: body === undefined ? 'GET' : 'POST', headers, agent: exchange.agent, timeout: 10_000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) }));
      response.on('error', reject);
      response.on('aborted', () => reject(new Error('HTTP response aborted')));
    });
    request.on('timeout', () => request.destroy(new Error('HTTP timeout')));
    request.on('error', reject);
    if (body !== undefined && chunked) {
      request.write(body.subarray(0, 100));
      request.end(body.subarray(100));
    } else request.end(body);
  });
}
