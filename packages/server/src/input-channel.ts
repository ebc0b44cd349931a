/**
 * One inbound stream of a request (STDIN or DATA) feeding a Readable, with backpressure:
 * when the Readable holds more than the high-water mark because nobody reads it, the
 * connection stops reading its socket until the handler catches up.
 *
 * @module
 */
import type { Readable } from 'node:stream';

/** What an input channel needs from its connection. */
export interface InputFlowControl {
  /** +1: one more stream is over its high-water mark (pause the socket); -1: one fewer. */
  inputBlocked(delta: 1 | -1): void;
}

/**
 * Feeds record contents into a Readable and pauses the socket while the Readable is full.
 *
 * @example
 * ```ts
 * const channel = new InputChannel(flowControl, 64 * 1024);
 * channel.bind(new Readable({ read: () => channel.demand() }));
 * channel.push(record.content);
 * ```
 */
export class InputChannel {
  readonly #flow: InputFlowControl;
  /** Buffered bytes above which the socket is paused. */
  readonly highWaterMark: number;
  #target: Readable | undefined;
  #blocked = false;
  #ended = false;
  #onEnd: ((target: Readable) => void) | undefined;
  /** Bytes pushed so far. */
  bytes = 0;

  constructor(flow: InputFlowControl, highWaterMark: number) {
    this.#flow = flow;
    this.highWaterMark = highWaterMark;
  }

  /** True once the empty record arrived (or the channel was closed). */
  get ended(): boolean {
    return this.#ended;
  }

  /** Attaches the Readable that receives the bytes; `onEnd` runs with it just before it ends. */
  bind(target: Readable, onEnd?: (target: Readable) => void): void {
    this.#target = target;
    this.#onEnd = onEnd;
  }

  /** Pushes one record's content. */
  push(content: Uint8Array): void {
    const target = this.#target;
    if (this.#ended || target === undefined || target.destroyed) return;
    this.bytes += content.length;
    target.push(Buffer.from(content.buffer, content.byteOffset, content.length));
    if (!this.#blocked && target.readableLength > this.highWaterMark) {
      this.#blocked = true;
      this.#flow.inputBlocked(1);
    }
  }

  /**
   * Called from the Readable's `_read`: the consumer is taking the buffer and wants more
   * (a Readable calls `_read` only when what remains after the read is below its mark).
   */
  demand(): void {
    this.#unblock();
  }

  /** The stream's empty record: ends the Readable. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#unblock();
    const target = this.#target;
    if (target !== undefined && !target.destroyed) {
      this.#onEnd?.(target);
      target.push(null);
    }
  }

  /** Stops feeding (request over or failed) without ending the Readable. */
  close(): void {
    this.#ended = true;
    this.#unblock();
  }

  #unblock(): void {
    if (!this.#blocked) return;
    this.#blocked = false;
    this.#flow.inputBlocked(-1);
  }
}
