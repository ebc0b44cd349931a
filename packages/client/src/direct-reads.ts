/**
 * Direct reads for the connections the client opens itself: `net.connect`'s documented
 * `onread` option reads into one buffer shared by every connection, and each read reaches
 * the connection as a plain copy. The socket's stream path (a new buffer, `push` and a
 * `'data'` event per read) is skipped. Sockets from a user `connect` function are read as
 * streams.
 *
 * @module
 */
import { type NetConnectOpts, type Socket, connect as netConnect } from 'node:net';
import type { Duplex } from 'node:stream';

/** Bytes one read may take: a read copies only what arrived. */
const sharedBufferSize = 64 * 1024;
let sharedBuffer: Buffer | undefined;

/** Where a direct socket's reads go: the connection once it exists, kept until then. */
interface ReadSink {
  receive: ((chunk: Buffer) => void) | undefined;
  early: Buffer[];
}

const sinks = new WeakMap<Duplex, ReadSink>();

/**
 * `net.connect(options)` with direct reads: hand the socket to {@link receiveDirectly}.
 *
 * @example
 * ```ts
 * const socket = connectDirect({ host: '127.0.0.1', port: 9000 });
 * receiveDirectly(socket, (chunk) => decoder.push(chunk));
 * ```
 */
export function connectDirect(options: NetConnectOpts): Socket {
  const sink: ReadSink = { receive: undefined, early: [] };
  sharedBuffer ??= Buffer.allocUnsafe(sharedBufferSize);
  const socket = netConnect({
    ...options,
    onread: {
      buffer: sharedBuffer,
      callback: (length: number, buffer: Uint8Array): boolean => {
        // Buffer.from copies: a slice of node's buffer pool when short, as node's own reads.
        const chunk = Buffer.from(buffer.subarray(0, length));
        if (sink.receive === undefined) sink.early.push(chunk);
        else sink.receive(chunk);
        // Pausing is the connection's to decide (socket.pause()), not the read's.
        return true;
      },
    },
  });
  sinks.set(socket, sink);
  return socket;
}

/**
 * Routes the reads of a socket from {@link connectDirect} to `receive` (bytes that came
 * first are handed over at once). Returns false for any other stream: read it with
 * `'data'` then.
 *
 * @example
 * ```ts
 * if (!receiveDirectly(socket, onChunk)) socket.on('data', onChunk);
 * ```
 */
export function receiveDirectly(socket: Duplex, receive: (chunk: Buffer) => void): boolean {
  const sink = sinks.get(socket);
  if (sink === undefined) return false;
  sink.receive = receive;
  for (const chunk of sink.early.splice(0)) receive(chunk);
  return true;
}
