/**
 * Readiness: a peer is ready when a connection to its address succeeds.
 *
 * @module
 */
import { connect } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * Where a peer listens: a loopback TCP port or a Unix socket path.
 *
 * @example
 * ```ts
 * const tcp: ListenAddress = { host: '127.0.0.1', port: 9000 };
 * const unix: ListenAddress = { path: '/tmp/php.sock' };
 * ```
 */
export type ListenAddress = { readonly host: string; readonly port: number } | { readonly path: string };

/**
 * Formats an address for messages: `127.0.0.1:8080` or `unix:/tmp/x.sock`.
 *
 * @example
 * ```ts
 * formatAddress({ path: '/tmp/php.sock' }); // 'unix:/tmp/php.sock'
 * ```
 */
export function formatAddress(address: ListenAddress): string {
  return 'path' in address ? `unix:${address.path}` : `${address.host}:${address.port}`;
}

/**
 * Tries one connection; resolves true when it was accepted (and closes it at once).
 *
 * @example
 * ```ts
 * await canConnect({ host: '127.0.0.1', port: 8080 }); // false when nothing listens
 * ```
 */
export function canConnect(address: ListenAddress): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = 'path' in address ? connect({ path: address.path }) : connect({ host: address.host, port: address.port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * Options of {@link waitForConnection}.
 *
 * @example
 * ```ts
 * const options: WaitOptions = { timeout: 5000, failure: () => (child.exitCode === null ? undefined : 'exited') };
 * ```
 */
export interface WaitOptions {
  /** Give up after this many milliseconds (default 15000). */
  timeout?: number;
  /** Checked between attempts: a message here stops the wait at once (e.g. the process exited). */
  failure?: () => string | undefined;
}

/**
 * Retries connecting until the address accepts, the failure check reports something, or
 * the timeout passes; rejects in the last two cases.
 *
 * @example
 * ```ts
 * await waitForConnection({ host: '127.0.0.1', port }, { timeout: 5000 });
 * ```
 */
export async function waitForConnection(address: ListenAddress, options: WaitOptions = {}): Promise<void> {
  const deadline = Date.now() + (options.timeout ?? 15_000);
  for (;;) {
    const failure = options.failure?.();
    if (failure !== undefined) throw new Error(`${formatAddress(address)} never became ready: ${failure}`);
    if (await canConnect(address)) return;
    if (Date.now() > deadline) throw new Error(`${formatAddress(address)} did not accept a connection within ${options.timeout ?? 15_000} ms`);
    await delay(25);
  }
}
