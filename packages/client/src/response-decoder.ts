/**
 * The client's record decoder: @fcgi/codec's `RecordDecoder`, except that a STDOUT record
 * whose content runs past the end of a socket read is handed on in pieces, as views into
 * the reads, instead of being gathered into a fresh buffer first. A large response comes in
 * 64 KiB records that almost never line up with the socket's reads, so without this every
 * byte of it was allocated and copied once more in the client.
 *
 * @module
 */
import { CodecErrorCode, FCGI_HEADER_LENGTH, FCGI_VERSION_1, FastCgiProtocolError, type FcgiRecord, RecordDecoder, RecordType } from '@fcgi/codec';

/**
 * Decodes the app's records. `push` returns complete records and, for a STDOUT record that
 * spans reads, one STDOUT record per piece (never empty: an empty STDOUT record still means
 * the end of the stream, as on the wire).
 *
 * @example
 * ```ts
 * const decoder = new ResponseDecoder();
 * socket.on('data', (chunk) => {
 *   for (const record of decoder.push(chunk)) handle(record);
 * });
 * ```
 */
export class ResponseDecoder {
  readonly #decoder = new RecordDecoder();
  /** Content bytes still to come of the STDOUT record being passed on in pieces. */
  #contentLeft = 0;
  #paddingLeft = 0;
  #requestId = 0;

  /** Consumes a chunk; returns the records (and STDOUT pieces) it completed, in order. */
  push(chunk: Uint8Array): FcgiRecord[] {
    const length = chunk.length;
    let records: FcgiRecord[] | undefined;
    let offset = 0;
    while (offset < length) {
      if (this.#contentLeft > 0) {
        const take = Math.min(this.#contentLeft, length - offset);
        (records ??= []).push({ type: RecordType.Stdout, requestId: this.#requestId, content: chunk.subarray(offset, offset + take) });
        this.#contentLeft -= take;
        offset += take;
        continue;
      }
      if (this.#paddingLeft > 0) {
        const skip = Math.min(this.#paddingLeft, length - offset);
        this.#paddingLeft -= skip;
        offset += skip;
        continue;
      }
      const spanning = this.#decoder.idle ? spanningStdout(chunk, offset) : length;
      if (spanning > offset) {
        const decoded = this.#decoder.push(offset === 0 && spanning === length ? chunk : chunk.subarray(offset, spanning));
        if (records === undefined) records = decoded;
        else for (const record of decoded) records.push(record);
      }
      if (spanning === length) break;
      this.#requestId = ((chunk[spanning + 2] as number) << 8) | (chunk[spanning + 3] as number);
      this.#contentLeft = ((chunk[spanning + 4] as number) << 8) | (chunk[spanning + 5] as number);
      this.#paddingLeft = chunk[spanning + 6] as number;
      offset = spanning + FCGI_HEADER_LENGTH;
    }
    return records ?? [];
  }

  /** Declares the end of input; throws ERR_FCGI_TRUNCATED_RECORD when it stopped inside a record. */
  end(): void {
    if (this.#contentLeft > 0 || this.#paddingLeft > 0) {
      throw new FastCgiProtocolError(CodecErrorCode.TruncatedRecord, 'Input ended inside a STDOUT record', { recordType: RecordType.Stdout, requestId: this.#requestId });
    }
    this.#decoder.end();
  }
}

/**
 * Walks the record headers of `chunk` from `offset` (a record boundary); returns where a
 * STDOUT record starts whose header is whole but whose content runs past the chunk, else
 * the chunk's length. Anything odd (another version, another type) is left to the decoder.
 */
function spanningStdout(chunk: Uint8Array, offset: number): number {
  const length = chunk.length;
  let position = offset;
  while (position + FCGI_HEADER_LENGTH <= length) {
    const contentEnd = position + FCGI_HEADER_LENGTH + (((chunk[position + 4] as number) << 8) | (chunk[position + 5] as number));
    if (contentEnd > length) {
      return chunk[position] === FCGI_VERSION_1 && chunk[position + 1] === RecordType.Stdout ? position : length;
    }
    position = contentEnd + (chunk[position + 6] as number);
  }
  return length;
}
