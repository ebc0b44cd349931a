/**
 * A raw FastCGI peer on a loopback socket: writes any bytes, decodes every record the other
 * side sends back, and waits (bounded) for a record or the close. Used as the hostile web
 * server against @fcgi/server, and by the soak run.
 *
 * @module
 */
import { type Socket, connect } from 'node:net';
import { type EndRequestRecord, type FcgiRecord, RecordDecoder, RecordType } from '@fcgi/codec';

/**
 * One raw connection.
 *
 * @example
 * ```ts
 * const peer = await RawPeer.connect(9000);
 * peer.write(nginxRequest('/index.php'));
 * const end = await peer.waitForEnd(1, 2000);
 * peer.destroy();
 * ```
 */
export class RawPeer {
  readonly socket: Socket;
  readonly records: FcgiRecord[] = [];
  /** A decoding error on what the other side sent (never expected from our server). */
  decodeError: unknown = undefined;
  closed = false;
  readonly #decoder = new RecordDecoder();
  #waiters = new Set<() => void>();

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.#wake();
    });
  }

  /** Connects to 127.0.0.1:`port` (rejects within `timeout` ms). */
  static connect(port: number, timeout = 5000): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: '127.0.0.1' });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to port ${port} timed out`));
      }, timeout);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new RawPeer(socket));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  #onData(chunk: Buffer): void {
    try {
      for (const record of this.#decoder.push(chunk)) this.records.push(record);
    } catch (error) {
      this.decodeError = error;
    }
    this.#wake();
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }

  /** Writes bytes unless the socket is gone. */
  write(bytes: Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  /** Resolves once `ready()` holds (checked on every socket event and every 10 ms), or with false after `timeout` ms. */
  waitFor(ready: () => boolean, timeout: number): Promise<boolean> {
    if (ready()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (value: boolean): void => {
        clearTimeout(timer);
        clearInterval(poll);
        this.#waiters.delete(check);
        resolve(value);
      };
      const check = (): void => {
        if (ready()) finish(true);
      };
      const timer = setTimeout(() => finish(ready()), timeout);
      // Conditions on state outside this socket (a handler ran) are polled too.
      const poll = setInterval(check, 10);
      this.#waiters.add(check);
    });
  }

  /** The END_REQUEST of `requestId`, if it came. */
  endOf(requestId: number): EndRequestRecord | undefined {
    return this.records.find((record): record is EndRequestRecord => record.type === RecordType.EndRequest && record.requestId === requestId);
  }

  /** Waits for the END_REQUEST of `requestId`; undefined on timeout or close. */
  async waitForEnd(requestId: number, timeout: number): Promise<EndRequestRecord | undefined> {
    await this.waitFor(() => this.endOf(requestId) !== undefined || this.closed, timeout);
    return this.endOf(requestId);
  }

  /** Waits for the close; false on timeout. */
  waitForClose(timeout: number): Promise<boolean> {
    return this.waitFor(() => this.closed, timeout);
  }

  /** The STDOUT bytes of `requestId` so far, as latin1 text. */
  stdoutText(requestId: number): string {
    const pieces: Buffer[] = [];
    for (const record of this.records) {
      if (record.type === RecordType.Stdout && record.requestId === requestId) pieces.push(Buffer.from(record.content));
    }
    return Buffer.concat(pieces).toString('latin1');
  }

  /** Closes the socket at once. */
  destroy(): void {
    this.socket.destroy();
  }
}
