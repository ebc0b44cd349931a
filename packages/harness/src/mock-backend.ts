/**
 * `createMockBackend(script)`: a scriptable FastCGI app on a loopback port or a Unix
 * socket, recording everything it receives, with fault injection.
 *
 * @module
 */
import { type AddressInfo, type Server, type Socket, createServer as createNetServer } from 'node:net';
import { FastCgiHarnessError, HarnessErrorCode } from './errors.js';
import { MockConnection, type ReceivedRecord } from './mock-connection.js';
import { type MockRequest, type MockScript, checkResponse } from './mock-script.js';

/**
 * A running mock backend.
 *
 * @example
 * ```ts
 * const backend = await createMockBackend({ respond: { body: 'hi' } });
 * const client = new Client({ address: backend.address });
 * // ... then
 * expect(backend.requests[0]!.params.SCRIPT_FILENAME).toBe('/srv/index.php');
 * await backend.close();
 * ```
 */
export interface MockBackend {
  /** The address to connect to: `127.0.0.1:PORT` or `unix:/path`. */
  readonly address: string;
  /** The TCP port (undefined on a Unix socket). */
  readonly port: number | undefined;
  /** Every record received, in order, with its connection index. */
  readonly records: readonly ReceivedRecord[];
  /** Every request begun (BEGIN_REQUEST), with its params, STDIN and DATA as received. */
  readonly requests: readonly MockRequest[];
  /** Connections accepted so far. */
  readonly connectionsAccepted: number;
  /** Connections open now. */
  readonly openConnections: number;
  /** Resolves once `count` requests have begun (BEGIN_REQUEST received), or rejects after `timeout` ms (default 5000). */
  waitForRequests(count?: number, timeout?: number): Promise<readonly MockRequest[]>;
  /** Stops listening and destroys every connection. */
  close(): Promise<void>;
}

class RunningMockBackend implements MockBackend {
  readonly records: ReceivedRecord[] = [];
  readonly requests: MockRequest[] = [];
  connectionsAccepted = 0;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #waiters: (() => void)[] = [];

  constructor(script: MockScript) {
    const context = { script, records: this.records, requests: this.requests, changed: () => this.#changed() };
    this.#server = createNetServer((socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
      new MockConnection(socket, this.connectionsAccepted++, context);
    });
  }

  get address(): string {
    const address = this.#server.address();
    if (typeof address === 'string') return `unix:${address}`;
    const info = address as AddressInfo;
    return info.family === 'IPv6' ? `[${info.address}]:${info.port}` : `${info.address}:${info.port}`;
  }

  get port(): number | undefined {
    const address = this.#server.address();
    return typeof address === 'object' && address !== null ? address.port : undefined;
  }

  get openConnections(): number {
    return this.#sockets.size;
  }

  listen(script: MockScript): Promise<void> {
    const where = script.listen ?? {};
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      const done = (): void => {
        this.#server.off('error', reject);
        resolve();
      };
      if ('path' in where) this.#server.listen(where.path, done);
      else this.#server.listen(where.port ?? 0, where.host ?? '127.0.0.1', done);
    });
  }

  #changed(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }

  async waitForRequests(count = 1, timeout = 5000): Promise<readonly MockRequest[]> {
    const deadline = Date.now() + timeout;
    const ready = (): boolean => this.requests.length >= count;
    while (!ready()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new FastCgiHarnessError(HarnessErrorCode.Timeout, `The mock backend got ${this.requests.length} of ${count} requests within ${timeout} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.requests.slice(0, count);
  }

  close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    return new Promise((resolve) => {
      if (!this.#server.listening) resolve();
      else this.#server.close(() => resolve());
    });
  }
}

/**
 * Starts a FastCGI app that answers as `script` says, on a free loopback port (or the
 * Unix socket `script.listen.path`), and records every record and request it receives.
 * Faults (see `MockResponse`): 1-byte records, every byte its own write, random padding,
 * no empty STDOUT, closing mid-head / mid-body, never answering, slow output, garbage,
 * OVERLOADED / CANT_MPX_CONN / UNKNOWN_ROLE, and FCGI_MPXS_CONNS 0 or 1.
 *
 * @example
 * ```ts
 * import { createMockBackend } from '@fcgi/harness';
 * const backend = await createMockBackend({ respond: { status: 201, headers: { 'x-id': '7' }, body: ['a', 'b'], recordSize: 1, omitEmptyStdout: true } });
 * // point your client or web server at backend.address
 * await backend.close();
 * ```
 */
export async function createMockBackend(script: MockScript = {}): Promise<MockBackend> {
  if (script.respond !== undefined && typeof script.respond !== 'function') checkResponse(script.respond);
  const backend = new RunningMockBackend(script);
  await backend.listen(script);
  return backend;
}
