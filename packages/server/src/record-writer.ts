/**
 * The write side of one connection: frames records, coalesces everything written in one
 * tick into one `writev` (cork/uncork), and reports the socket's backpressure.
 *
 * @module
 */
import type { Socket } from 'node:net';
import { type StreamRecordType, encodeRecord, encodeStream } from '@fcgi/codec';

/** Called once the bytes were handed to the kernel, or the socket failed. */
export type WriteCallback = (error?: Error | null) => void;

/**
 * Writes records to a socket. Writes made in the same tick go out in one `writev`; large
 * content is passed on as views, never copied.
 *
 * @example
 * ```ts
 * const writer = new RecordWriter(socket);
 * writer.writeStream(RecordType.Stdout, 1, body);
 * writer.writeEnd(1, 0, ProtocolStatus.RequestComplete);
 * ```
 */
export class RecordWriter {
  readonly #socket: Socket;
  #corked = false;
  readonly #uncork = (): void => {
    this.#corked = false;
    this.#socket.uncork();
  };

  constructor(socket: Socket) {
    this.#socket = socket;
  }

  /** True while the socket can take bytes. */
  get writable(): boolean {
    return !this.#socket.destroyed && this.#socket.writable;
  }

  /** True when the socket asked writers to wait for `'drain'`. */
  get needsDrain(): boolean {
    return this.#socket.writableNeedDrain;
  }

  /**
   * Frames `content` as stream records (and the empty record that ends the stream when
   * `end` is set). Returns false when the caller should wait for `'drain'`.
   */
  writeStream(type: StreamRecordType, requestId: number, content: Uint8Array, end: boolean, callback?: WriteCallback): boolean {
    return this.#write(encodeStream(type, requestId, content, { end }), callback);
  }

  /** Writes END_REQUEST. */
  writeEnd(requestId: number, appStatus: number, protocolStatus: number, callback?: WriteCallback): boolean {
    return this.#write([encodeRecord({ type: 3, requestId, appStatus, protocolStatus })], callback);
  }

  /** Writes one already built record. */
  writeRecord(bytes: Uint8Array, callback?: WriteCallback): boolean {
    return this.#write([bytes], callback);
  }

  #write(pieces: readonly Uint8Array[], callback: WriteCallback | undefined): boolean {
    const socket = this.#socket;
    if (!this.writable) {
      if (callback !== undefined) process.nextTick(callback);
      return false;
    }
    if (pieces.length === 0) {
      if (callback !== undefined) process.nextTick(callback);
      return !socket.writableNeedDrain;
    }
    if (!this.#corked) {
      this.#corked = true;
      socket.cork();
      process.nextTick(this.#uncork);
    }
    const last = pieces.length - 1;
    for (let index = 0; index < last; index++) socket.write(pieces[index] as Uint8Array);
    return socket.write(pieces[last] as Uint8Array, callback);
  }
}
