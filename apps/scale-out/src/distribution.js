// Which backend answered each request: sends requests and counts the X-Backend names.

/**
 * Sends `requests` GETs to `url` (one at a time, over a kept-alive connection) and counts
 * answers per backend (the first word of X-Backend); `failed` counts non-200 answers and
 * errors.
 *
 * @example
 * const { counts, failed } = await countBackends('http://127.0.0.1:8080/', 30);
 * counts; // Map { 'app-1' => 10, 'app-2' => 10, 'app-3' => 10 }
 * @param {string} url
 * @param {number} requests
 */
export async function countBackends(url, requests) {
  /** @type {Map<string, number>} */
  const counts = new Map();
  let failed = 0;
  for (let sent = 0; sent < requests; sent += 1) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      await response.arrayBuffer();
      const backend = response.headers.get('x-backend')?.split(' ')[0];
      if (response.status !== 200 || backend === undefined) failed += 1;
      else counts.set(backend, (counts.get(backend) ?? 0) + 1);
    } catch {
      failed += 1;
    }
  }
  return { counts, failed };
}

/**
 * One line per backend: its name, address and how many of the requests it answered.
 *
 * @example
 * formatCounts(backends, counts); // ['  app-1  127.0.0.1:43121  10  ##########', ...]
 * @param {{ name: string, address: string }[]} backends
 * @param {Map<string, number>} counts
 */
export function formatCounts(backends, counts) {
  return backends.map((backend) => {
    const count = counts.get(backend.name) ?? 0;
    return `  ${backend.name.padEnd(7)} ${backend.address.padEnd(16)} ${String(count).padStart(4)}  ${'#'.repeat(Math.min(count, 60))}`;
  });
}
