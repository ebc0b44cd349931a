/**
 * A raw FastCGI connection for the conformance suite: send exact bytes, wait for decoded
 * records with a deadline, see when the app closes.
 *
 * @module
 */
import type { Socket } from 'node:net';
import { type EndRequestRecord, type FcgiRecord, RecordDecoder, RecordType, concatBytes } from '@fcgi/codec';
import { FastCgiHarnessError, HarnessErrorCode } from './errors.js';
import { connectAddress } from './transport.js';

/**
 * What a request got back: its records (all of that id) and END_REQUEST.
 *
 * @example
 * ```ts
 * const { records, end } = await connection.response(1, 2000);
 * ```
 */
export interface RawResponse {
  readonly records: readonly FcgiRecord[];
  readonly end: EndRequestRecord;
}

/**
 * One connection to an app, driven byte by byte.
 *
 * @example
 * ```ts
 * const connection = await RawConnection.open('127.0.0.1:9000', 2000);
 * connection.send(encodeRecord({ type: RecordType.GetValues, requestId: 0, pairs: [['FCGI_MPXS_CONNS', '']] }));
 * const answer = await connection.next((record) => record.type === RecordType.GetValuesResult, 2000);
 * connection.destroy();
 * ```
 */
export class RawConnection {
  /** Every record received, in order. */
  readonly received: FcgiRecord[] = [];
  /** Set when the app sent bytes that do not decode. */
  decodeError: string | undefined;
  readonly #socket: Socket;
  readonly #decoder = new RecordDecoder({ copyContent: true });
  #closed = false;
  #cursor = 0;
  #waiters: (() => void)[] = [];

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      try {
        this.received.push(...this.#decoder.push(chunk));
      } catch (error) {
        this.decodeError = error instanceof Error ? error.message : String(error);
        socket.destroy();
      }
      this.#wake();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.#closed = true;
      this.#wake();
    });
  }

  /** Connects to `address` within `timeout` ms. */
  static async open(address: string, timeout: number): Promise<RawConnection> {
    return new RawConnection(await connectAddress(address, timeout));
  }

  /** True once the app (or we) closed the connection. */
  get closed(): boolean {
    return this.#closed;
  }

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }

  /** Waits until `ready()` is true, the connection closes, or `timeout` ms pass; resolves to `ready()`. */
  async waitFor(ready: () => boolean, timeout: number): Promise<boolean> {
    const deadline = Date.now() + timeout;
    while (!ready() && !this.#closed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return ready();
  }

  /** Writes bytes (records already encoded), as one write or one write per piece. */
  send(pieces: Uint8Array | readonly Uint8Array[], separateWrites = false): void {
    const list = pieces instanceof Uint8Array ? [pieces] : pieces;
    if (separateWrites) for (const piece of list) this.#socket.write(piece);
    else this.#socket.write(concatBytes(list));
  }

  /** The next received record matching `match` (after those already returned), or an ERR_FCGI_HARNESS_TIMEOUT / CONNECTION_CLOSED error. */
  async next(match: (record: FcgiRecord) => boolean, timeout: number): Promise<FcgiRecord> {
    const find = (): number => this.received.findIndex((record, index) => index >= this.#cursor && match(record));
    await this.waitFor(() => find() !== -1, timeout);
    const index = find();
    if (index === -1) throw this.#missing(`no matching record within ${timeout} ms`);
    this.#cursor = index + 1;
    return this.received[index]!;
  }

  /** Every record of request `requestId` up to its END_REQUEST. */
  async response(requestId: number, timeout: number): Promise<RawResponse> {
    const isEnd = (record: FcgiRecord): boolean => record.type === RecordType.EndRequest && record.requestId === requestId;
    await this.waitFor(() => this.received.some(isEnd), timeout);
    const endIndex = this.received.findIndex(isEnd);
    if (endIndex === -1) throw this.#missing(`no END_REQUEST for request ${requestId} within ${timeout} ms`);
    const records = this.received.slice(0, endIndex + 1).filter((record) => record.requestId === requestId);
    return { records, end: this.received[endIndex] as EndRequestRecord };
  }

  /** Resolves true when the app closes the connection within `timeout` ms. */
  async closesWithin(timeout: number): Promise<boolean> {
    await this.waitFor(() => this.#closed, timeout);
    return this.#closed;
  }

  #missing(what: string): FastCgiHarnessError {
    if (this.decodeError !== undefined) return new FastCgiHarnessError(HarnessErrorCode.ConnectionClosed, `${what}: the app sent bytes that are not FastCGI (${this.decodeError})`);
    if (this.#closed) return new FastCgiHarnessError(HarnessErrorCode.ConnectionClosed, `${what}: the app closed the connection`);
    return new FastCgiHarnessError(HarnessErrorCode.Timeout, what);
  }

  /** Closes the connection now. */
  destroy(): void {
    this.#socket.destroy();
  }
}
