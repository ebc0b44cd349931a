/**
 * The decoded record transcript of one exchange, both directions in arrival order.
 *
 * @module
 */
import { type FcgiRecord, RecordDecoder } from '@fcgi/codec';
import type { Direction } from './duplex-pair.js';

/**
 * One decoded record of an exchange, with the way it went.
 *
 * @example
 * ```ts
 * const sent = result.records.filter((record: ExchangedRecord) => record.direction === 'to-app');
 * ```
 */
export type ExchangedRecord = FcgiRecord & { readonly direction: Direction };

/**
 * Collects the chunks of both directions and decodes them into records. Bytes that do
 * not decode (garbage from a broken peer) stop that direction's decoding and are kept in
 * `problems`.
 *
 * @example
 * ```ts
 * const transcript = new Transcript();
 * const pair = createDuplexPair((direction, chunk) => transcript.push(direction, chunk));
 * ```
 */
export class Transcript {
  /** Every record decoded so far, in the order the chunks were written. */
  readonly records: ExchangedRecord[] = [];
  /** Decoding failures, one per direction at most. */
  readonly problems: string[] = [];
  readonly #decoders = new Map<Direction, RecordDecoder | undefined>([
    ['to-app', new RecordDecoder({ copyContent: true })],
    ['from-app', new RecordDecoder({ copyContent: true })],
  ]);

  /** Decodes one chunk written in `direction`. */
  push(direction: Direction, chunk: Uint8Array): void {
    const decoder = this.#decoders.get(direction);
    if (decoder === undefined) return;
    try {
      for (const record of decoder.push(chunk)) this.records.push({ ...record, direction });
    } catch (error) {
      this.#decoders.set(direction, undefined);
      this.problems.push(`${direction}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
