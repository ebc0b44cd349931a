/**
 * The write side of one connection: frames records straight into a shared slab, joins
 * everything written in one tick into one socket write (one syscall per response in the
 * usual case), and reports the socket's backpressure.
 *
 * @module
 */
import type { Socket } from 'node:net';
import { FCGI_HEADER_LENGTH, FCGI_MAX_CONTENT_LENGTH, type StreamRecordType, writeHeader } from '@fcgi/codec';

/** Called once the bytes were handed to the kernel, or the socket failed. */
export type WriteCallback = (error?: Error | null) => void;

/** Content at least this large is passed on as a view, never copied. */
const copyThreshold = 8192;
/** Bytes waiting in a tick above which they are written at once (not at the tick's end): above the largest response that should go out in one write with its END_REQUEST (a 64 KiB body takes two records). */
const flushThreshold = 256 * 1024;
const slabSize = 64 * 1024;
const endRequestType = 3;
const emptyContent = new Uint8Array(0);

let slab = Buffer.allocUnsafeSlow(slabSize);
/** Bytes of `slab` handed out; what lies before this offset is never written again. */
let slabUsed = 0;

function writeSlabHeader(type: number, requestId: number, contentLength: number, paddingLength: number): void {
  writeHeader(slab, slabUsed, type, requestId, contentLength, paddingLength);
  slabUsed += FCGI_HEADER_LENGTH;
}

function writePadding(paddingLength: number): void {
  if (paddingLength > 0) slab.fill(0, slabUsed, slabUsed + paddingLength);
  slabUsed += paddingLength;
}

function paddingFor(contentLength: number): number {
  return (8 - (contentLength & 7)) & 7;
}

/**
 * Writes records to a socket. Small records written in the same tick are framed into one
 * buffer and go out in one write; large content is passed on as views, never copied.
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
  /** This tick's chunks, in order, not yet handed to the socket. */
  /** This tick's chunks are the first `#chunkCount` slots (the arrays are reused, never shrunk). */
  readonly #chunks: (Uint8Array | undefined)[] = [];
  #chunkCount = 0;
  #pendingBytes = 0;
  /** The slab bytes this writer is framing now: `slab` from #segmentStart to #segmentEnd. */
  #segmentSlab: Buffer | undefined;
  #segmentStart = 0;
  #segmentEnd = 0;
  readonly #callbacks: (WriteCallback | undefined)[] = [];
  #callbackCount = 0;
  #scheduled = false;
  readonly #flushTick = (): void => {
    this.#scheduled = false;
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
    if (!this.writable) return refuse(callback);
    let offset = 0;
    while (offset < content.length) {
      const length = Math.min(FCGI_MAX_CONTENT_LENGTH, content.length - offset);
      this.#frame(type, requestId, offset === 0 && length === content.length ? content : content.subarray(offset, offset + length));
      offset += length;
    }
    if (end) {
      this.#begin(FCGI_HEADER_LENGTH);
      writeSlabHeader(type, requestId, 0, 0);
      this.#segmentEnd = slabUsed;
    }
    return this.#after(callback);
  }

  /**
   * Frames latin1 text (a CGI head), and `content` after it (the first body bytes), as one
   * stream record without an intermediate buffer: a web server handles one record for the
   * head and a small body. Longer text and content are framed as bytes, in several records.
   */
  writeText(type: StreamRecordType, requestId: number, text: string, callback?: WriteCallback, content: Uint8Array = emptyContent): boolean {
    const length = text.length + content.length;
    if (length >= copyThreshold) {
      if (content.length === 0) return this.writeStream(type, requestId, Buffer.from(text, 'latin1'), false, callback);
      this.writeText(type, requestId, text);
      return this.writeStream(type, requestId, content, false, callback);
    }
    if (!this.writable) return refuse(callback);
    const padding = paddingFor(length);
    this.#begin(FCGI_HEADER_LENGTH + length + padding);
    writeSlabHeader(type, requestId, length, padding);
    slabUsed += slab.write(text, slabUsed, text.length, 'latin1');
    if (content.length > 0) {
      slab.set(content, slabUsed);
      slabUsed += content.length;
    }
    writePadding(padding);
    this.#segmentEnd = slabUsed;
    return this.#after(callback);
  }

  /** Writes END_REQUEST. */
  writeEnd(requestId: number, appStatus: number, protocolStatus: number, callback?: WriteCallback): boolean {
    if (!this.writable) return refuse(callback);
    this.#begin(2 * FCGI_HEADER_LENGTH);
    writeSlabHeader(endRequestType, requestId, 8, 0);
    const target = slab;
    const offset = slabUsed;
    target.writeUInt32BE(appStatus >>> 0, offset);
    target[offset + 4] = protocolStatus;
    target[offset + 5] = 0;
    target[offset + 6] = 0;
    target[offset + 7] = 0;
    slabUsed = offset + 8;
    this.#segmentEnd = slabUsed;
    return this.#after(callback);
  }

  /** Writes one already built record. */
  writeRecord(bytes: Uint8Array, callback?: WriteCallback): boolean {
    if (!this.writable) return refuse(callback);
    if (bytes.length >= copyThreshold) {
      this.#view(bytes);
    } else {
      this.#begin(bytes.length);
      slab.set(bytes, slabUsed);
      slabUsed += bytes.length;
      this.#segmentEnd = slabUsed;
    }
    return this.#after(callback);
  }

  #frame(type: number, requestId: number, content: Uint8Array): void {
    const length = content.length;
    const padding = paddingFor(length);
    if (length < copyThreshold) {
      this.#begin(FCGI_HEADER_LENGTH + length + padding);
      writeSlabHeader(type, requestId, length, padding);
      slab.set(content, slabUsed);
      slabUsed += length;
      writePadding(padding);
      this.#segmentEnd = slabUsed;
      return;
    }
    this.#begin(FCGI_HEADER_LENGTH);
    writeSlabHeader(type, requestId, length, padding);
    this.#segmentEnd = slabUsed;
    this.#view(content);
    if (padding > 0) {
      this.#begin(padding);
      writePadding(padding);
      this.#segmentEnd = slabUsed;
    }
  }

  /**
   * Makes room for `length` more bytes at `slabUsed`, continuing this writer's segment when
   * nothing else was framed since (another connection may share the slab in one tick).
   */
  #begin(length: number): void {
    const contiguous = this.#segmentSlab === slab && this.#segmentEnd === slabUsed;
    if (slabUsed + length > slab.length) {
      this.#closeSegment();
      slab = Buffer.allocUnsafeSlow(Math.max(slabSize, length));
      slabUsed = 0;
    } else if (!contiguous) {
      this.#closeSegment();
    }
    if (this.#segmentSlab === undefined) {
      this.#segmentSlab = slab;
      this.#segmentStart = slabUsed;
      this.#segmentEnd = slabUsed;
    }
    this.#pendingBytes += length;
    this.#schedule();
  }

  /** Ends the slab segment being framed: it becomes one chunk of this tick. */
  #closeSegment(): void {
    const segment = this.#segmentSlab;
    if (segment === undefined) return;
    this.#segmentSlab = undefined;
    if (this.#segmentEnd > this.#segmentStart) this.#chunks[this.#chunkCount++] = segment.subarray(this.#segmentStart, this.#segmentEnd);
  }

  /** A large piece of content: its own chunk, never copied. */
  #view(content: Uint8Array): void {
    this.#closeSegment();
    this.#chunks[this.#chunkCount++] = content;
    this.#pendingBytes += content.length;
    this.#schedule();
  }

  #after(callback: WriteCallback | undefined): boolean {
    if (callback !== undefined) this.#callbacks[this.#callbackCount++] = callback;
    if (this.#pendingBytes >= flushThreshold) return this.#flush();
    return !this.#socket.writableNeedDrain;
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    process.nextTick(this.#flushTick);
  }

  /**
   * Hands what this tick framed to the socket now (before `socket.end()`, say); it would go
   * at the end of the tick otherwise. Returns false when the caller should wait for drain.
   */
  flush(): boolean {
    return this.#flush();
  }

  /** Hands this tick's chunks to the socket (one write when they fit one chunk); callbacks ride on the last. */
  #flush(): boolean {
    this.#closeSegment();
    this.#pendingBytes = 0;
    const notify = this.#takeCallbacks();
    const count = this.#chunkCount;
    this.#chunkCount = 0;
    const chunks = this.#chunks;
    const socket = this.#socket;
    if (!this.writable || count === 0) {
      for (let index = 0; index < count; index++) chunks[index] = undefined;
      if (notify !== undefined) process.nextTick(notify);
      return this.writable && !socket.writableNeedDrain;
    }
    if (count === 1) {
      const chunk = chunks[0] as Uint8Array;
      chunks[0] = undefined;
      return socket.write(chunk, notify);
    }
    socket.cork();
    let ready = true;
    for (let index = 0; index < count; index++) {
      const chunk = chunks[index] as Uint8Array;
      chunks[index] = undefined;
      ready = index === count - 1 ? socket.write(chunk, notify) : socket.write(chunk);
    }
    socket.uncork();
    return ready;
  }

  /** This tick's callbacks as one (undefined when none), their slots cleared. */
  #takeCallbacks(): WriteCallback | undefined {
    const count = this.#callbackCount;
    if (count === 0) return undefined;
    this.#callbackCount = 0;
    const slots = this.#callbacks;
    if (count === 1) {
      const callback = slots[0];
      slots[0] = undefined;
      return callback;
    }
    const callbacks = slots.slice(0, count) as WriteCallback[];
    for (let index = 0; index < count; index++) slots[index] = undefined;
    return (error?: Error | null): void => {
      for (const callback of callbacks) callback(error);
    };
  }
}

function refuse(callback: WriteCallback | undefined): boolean {
  if (callback !== undefined) process.nextTick(callback);
  return false;
}
