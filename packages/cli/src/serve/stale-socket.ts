/**
 * Removing a Unix socket file left by a crashed server before the workers listen on its
 * path (@fcgi/server's `listen` does the same for one process).
 *
 * @module
 */
import { lstatSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';

function probeRefused(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect({ path });
    probe.once('connect', () => (probe.destroy(), resolve(false)));
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

/**
 * Removes PATH when it is a socket nobody accepts connections on. A live listener, or
 * anything that is not a socket, is left alone (listening then fails with a clear error).
 *
 * @example
 * ```ts
 * await removeStaleSocket('/run/app/fcgi.sock');
 * ```
 */
export async function removeStaleSocket(path: string): Promise<void> {
  try {
    if (!lstatSync(path).isSocket()) return;
  } catch {
    return;
  }
  if (!(await probeRefused(path))) return;
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}
