import type { AddressInfo } from 'node:net';
import type { FastCgiServer } from '@fcgi/server';

/**
 * Starts `server` on a free loopback port and resolves to its `127.0.0.1:PORT` address.
 * (The 'listening' event is used because `listen(port, host, callback)` does not
 * type-check against FastCgiServer's signature, reported.)
 */
export function listenLocal(server: FastCgiServer): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.once('listening', () => resolve(`127.0.0.1:${(server.address() as AddressInfo).port}`));
    server.listen(0, '127.0.0.1');
  });
}

/** Closes `server`, ignoring ERR_FCGI_NOT_RUNNING. */
export function closeServer(server: FastCgiServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
