// One HTTP request with node:http, no kept connection, a hard timeout, and the time each
// body chunk arrived (to show that a streamed response really streams).
import { request as httpRequest } from 'node:http';

/**
 * Sends one request and reads the whole answer. Rejects after `timeout` ms (default 10 s).
 *
 * @example
 * const answer = await sendRequest('http://127.0.0.1:8080/notes', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"text":"hi"}' });
 * answer.status; // 201
 * @param {string} url
 * @param {{ method?: string, headers?: Record<string, string>, body?: string, timeout?: number }} [options]
 * @returns {Promise<{ status: number, statusText: string, headers: import('node:http').IncomingHttpHeaders, body: string, chunkTimes: number[] }>}
 */
export function sendRequest(url, options = {}) {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers, agent: false, signal: AbortSignal.timeout(options.timeout ?? 10_000) }, (incoming) => {
      const chunks = [];
      const chunkTimes = [];
      incoming.on('data', (chunk) => {
        chunks.push(chunk);
        chunkTimes.push(Math.round(performance.now() - started));
      });
      incoming.once('error', reject);
      incoming.once('end', () => {
        resolve({ status: incoming.statusCode ?? 0, statusText: incoming.statusMessage ?? '', headers: incoming.headers, body: Buffer.concat(chunks).toString('utf8'), chunkTimes });
      });
    });
    outgoing.once('error', reject);
    outgoing.end(options.body);
  });
}
