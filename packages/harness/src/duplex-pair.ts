/**
 * An in-memory connection: two Duplex ends where what one writes the other reads, with a
 * tap on both directions (the transcript of `inject`). No socket, no port.
 *
 * @module
 */
import { Duplex } from 'node:stream';

/**
 * Which way bytes went: from the client (web server side) to the app, or back.
 *
 * @example
 * ```ts
 * const direction: Direction = 'to-app';
 * ```
 */
export type Direction = 'to-app' | 'from-app';

/**
 * The two ends of {@link createDuplexPair}.
 *
 * @example
 * ```ts
 * const { clientSide, appSide } = createDuplexPair();
 * ```
 */
export interface DuplexPair {
  /** The end the client (web server side) reads and writes. */
  readonly clientSide: Duplex;
  /** The end the app reads and writes. */
  readonly appSide: Duplex;
}

function makeEnd(direction: Direction, peer: () => Duplex, onChunk: ((direction: Direction, chunk: Uint8Array) => void) | undefined): Duplex {
  return new Duplex({
    allowHalfOpen: false,
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      onChunk?.(direction, chunk);
      const other = peer();
      if (!other.destroyed && other.readableEnded === false) other.push(chunk);
      callback();
    },
    final(callback) {
      const other = peer();
      if (!other.destroyed) other.push(null);
      callback();
    },
    destroy(error, callback) {
      // As a TCP reset seen from the other side: end of input, then close.
      const other = peer();
      if (!other.destroyed) {
        other.push(null);
        setImmediate(() => other.destroy());
      }
      callback(error);
    },
  });
}

/**
 * Creates an in-memory connection. `onChunk` sees every chunk written, in order, with
 * its direction.
 *
 * @example
 * ```ts
 * const { clientSide, appSide } = createDuplexPair((direction, chunk) => console.log(direction, chunk.length));
 * appSide.on('data', (chunk) => appSide.write(chunk)); // echo
 * clientSide.write('ping');
 * ```
 */
export function createDuplexPair(onChunk?: (direction: Direction, chunk: Uint8Array) => void): DuplexPair {
  const ends: { client?: Duplex; app?: Duplex } = {};
  const clientSide = makeEnd('to-app', () => ends.app!, onChunk);
  const appSide = makeEnd('from-app', () => ends.client!, onChunk);
  ends.client = clientSide;
  ends.app = appSide;
  return { clientSide, appSide };
}
