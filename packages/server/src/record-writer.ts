/**
 * The write side of one connection: frames records, joins the small ones written in one tick
 * into one buffer and one `write`, passes large content on in one `writev` (cork/uncork),
 * and reports the socket's backpressure.
 *
 * @module
 */
import type { Socket } from 'node:net';
import { type StreamRecordType, encodeRecord, encodeStream } from '@fcgi/codec';

/**
 * Records written in one tick are joined into one buffer while they total at most this many
 * bytes: a small response (head, body, empty STDOUT, END_REQUEST) then costs one copy of a
 * few hundred bytes and one plain `write`, instead of a `writev` of many small pieces.
 */
const joinLimit = 16 * 1024;

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
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #pendingCallbacks: WriteCallback[] = [];
  #flushScheduled = false;
  readonly #scheduledFlush = (): void => {
    this.#flushScheduled = false;
    this.#flush();
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
    let bytes = 0;
    for (const piece of pieces) bytes += piece.length;
    if (bytes <= joinLimit - this.#pendingBytes) {
      this.#pending.push(...pieces);
      this.#pendingBytes += bytes;
      if (callback !== undefined) this.#pendingCallbacks.push(callback);
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        process.nextTick(this.#scheduledFlush);
      }
      return !socket.writableNeedDrain;
    }
    this.#flush();
    if (!this.#corked) {
      this.#corked = true;
      socket.cork();
      process.nextTick(this.#uncork);
    }
    const last = pieces.length - 1;
    for (let index = 0; index < last; index++) socket.write(pieces[index] as Uint8Array);
    return socket.write(pieces[last] as Uint8Array, callback);
  }

  /** Writes the small records waiting for the end of the tick now (call before ending the socket). */
  flush(): void {
    this.#flush();
  }

  /** Writes the joined small records, in order, before anything written after them. */
  #flush(): void {
    if (this.#pending.length === 0) return;
    const pieces = this.#pending;
    const callbacks = this.#pendingCallbacks;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#pendingCallbacks = [];
    if (!this.writable) {
      for (const callback of callbacks) process.nextTick(callback);
      return;
    }
    const joined = pieces.length === 1 ? (pieces[0] as Uint8Array) : Buffer.concat(pieces);
    if (callbacks.length === 0) this.#socket.write(joined);
    else if (callbacks.length === 1) this.#socket.write(joined, callbacks[0]);
    else {
      this.#socket.write(joined, (error) => {
        for (const callback of callbacks) callback(error);
      });
    }
  }
}
