/**
 * Free loopback ports.
 *
 * @module
 */
import { createServer } from 'node:net';

/**
 * Asks the kernel for a free TCP port on `host` (127.0.0.1 by default) and releases it.
 * Another process could take it before you bind it, which is rare enough for tests.
 *
 * @example
 * ```ts
 * const port = await freePort();
 * ```
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('No port was assigned'))));
    });
  });
}

const portTakenPattern = /address already in use|EADDRINUSE|cannot bind socket/i;

/**
 * Runs `start` with a free port, and again with a new one (up to `attempts` times in all)
 * when it failed because another process took the port in between. A port the caller
 * chose is tried once.
 *
 * @example
 * ```ts
 * const server = await withFreePort(options.port, (port) => launch(port));
 * ```
 */
export async function withFreePort<Result>(chosenPort: number | undefined, start: (port: number) => Promise<Result>, attempts = 3): Promise<Result> {
  if (chosenPort !== undefined) return start(chosenPort);
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(await freePort());
    } catch (error) {
      if (attempt >= attempts || !portTakenPattern.test(String((error as Error).message))) throw error;
    }
  }
}
