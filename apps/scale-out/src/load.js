// A small HTTP load loop for the measurement: `connections` kept-alive connections, each
// sending one request after another until the time is up or `maxRequests` were sent.
import { Agent, request as httpRequest } from 'node:http';

function get(url, agent) {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { agent, timeout: 10_000 }, (response) => {
      response.resume();
      response.once('end', () => resolve({ status: response.statusCode, backend: String(response.headers['x-backend'] ?? '').split(' ')[0] }));
      response.once('error', reject);
    });
    request.once('timeout', () => request.destroy(new Error('timed out')));
    request.once('error', reject);
    request.end();
  });
}

/**
 * Loads `url` for `seconds` (bounded by `maxRequests`) and returns the counts.
 *
 * @example
 * const result = await runLoad('http://127.0.0.1:8090/work', { seconds: 3, connections: 16, maxRequests: 100_000 });
 * console.log(result.perSecond, result.backends);
 * @param {string} url
 * @param {{ seconds: number, connections: number, maxRequests: number }} options
 */
export async function runLoad(url, options) {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  /** @type {Map<string, number>} */
  const backends = new Map();
  let sent = 0;
  let answered = 0;
  let failed = 0;
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  const loop = async () => {
    while (performance.now() < deadline && sent < options.maxRequests) {
      sent += 1;
      try {
        const { status, backend } = await get(url, agent);
        if (status !== 200) failed += 1;
        else {
          answered += 1;
          backends.set(backend, (backends.get(backend) ?? 0) + 1);
        }
      } catch {
        failed += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: options.connections }, loop));
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  return { answered, failed, seconds: elapsed, perSecond: answered / elapsed, backends };
}
