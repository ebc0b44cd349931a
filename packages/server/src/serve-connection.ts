/**
 * Serving a connection that did not come from the listening socket: an in-memory duplex
 * (tests, `@fcgi/harness`'s `inject`) or a socket accepted elsewhere.
 *
 * @module
 */
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * Gives a plain Duplex the few `net.Socket` members the engine uses: `setTimeout` (an
 * idle timer fed by traffic in both directions) and `remoteAddress` (undefined, so
 * `webServerAddresses` treats it as a Unix peer). A `net.Socket` is returned as is.
 *
 * @example
 * ```ts
 * const socketLike = asConnectionSocket(new PassThrough());
 * socketLike.setTimeout(1000); // 'timeout' after 1 s without data
 * ```
 */
export function asConnectionSocket(stream: Duplex): Socket {
  const candidate = stream as Partial<Socket> & Duplex;
  if (typeof candidate.setTimeout === 'function') return stream as Socket;
  let timer: NodeJS.Timeout | undefined;
  let idleMs = 0;
  const rearm = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = idleMs > 0 && !stream.destroyed ? setTimeout(() => stream.emit('timeout'), idleMs) : undefined;
    timer?.unref();
  };
  Object.defineProperty(stream, 'setTimeout', {
    configurable: true,
    value: (milliseconds: number): Duplex => {
      idleMs = milliseconds;
      rearm();
      return stream;
    },
  });
  stream.on('data', () => {
    if (idleMs > 0) rearm();
  });
  stream.on('close', () => {
    if (timer !== undefined) clearTimeout(timer);
  });
  return stream as Socket;
}
