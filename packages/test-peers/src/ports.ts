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
