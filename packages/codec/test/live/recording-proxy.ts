/**
 * A recording TCP proxy for the live test: it sits between a web server and a FastCGI app,
 * relays every byte unchanged in both directions, and decodes each direction with the
 * codec's RecordDecoder as the bytes pass.
 */
import { type Server, type Socket, connect, createServer } from 'node:net';
import { once } from 'node:events';
import { type FcgiRecord, RecordDecoder } from '@fcgi/codec';

/**
 * Where the proxy forwards to: a TCP port on 127.0.0.1 or a Unix socket path.
 *
 * @example
 * ```ts
 * const upstream: Upstream = { path: '/tmp/php-fpm.sock' };
 * ```
 */
export type Upstream = { readonly port: number } | { readonly path: string };

/**
 * Everything that went one way over one connection.
 *
 * @example
 * ```ts
 * const recording = new DirectionRecording();
 * recording.push(chunk);
 * recording.end();
 * recording.endedCleanly; // true when the bytes ended on a record boundary
 * ```
 */
export class DirectionRecording {
  /** The decoded records, in order. */
  readonly records: FcgiRecord[] = [];
  /** Bytes relayed. */
  bytes = 0;
  /** Socket reads (chunks) the bytes arrived in. */
  chunks = 0;
  /** The first decode error, if any (the decoder is poisoned after it). */
  error: unknown = undefined;
  /** True once the sending side ended and `decoder.end()` ran without an error. */
  endedCleanly = false;
  readonly #decoder = new RecordDecoder();

  /** Decodes a chunk as it passes; keeps the first error instead of throwing. */
  push(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    this.chunks += 1;
    if (this.error !== undefined) return;
    try {
      this.records.push(...this.#decoder.push(Uint8Array.from(chunk)));
    } catch (error) {
      this.error = error;
    }
  }

  /** The sending side ended: the decoder must not be inside a record. */
  end(): void {
    if (this.error !== undefined) return;
    try {
      this.#decoder.end();
      this.endedCleanly = true;
    } catch (error) {
      this.error = error;
    }
  }
}

/**
 * One proxied connection.
 *
 * @example
 * ```ts
 * const [connection] = await proxy.waitForConnections(1);
 * connection.toWebServer.records.at(-1); // END_REQUEST
 * ```
 */
export interface RecordedConnection {
  /** Web server -> app: BEGIN_REQUEST, PARAMS, STDIN. */
  readonly toApplication: DirectionRecording;
  /** App -> web server: STDOUT, STDERR, END_REQUEST. */
  readonly toWebServer: DirectionRecording;
  /** Socket errors seen on either side. */
  readonly socketErrors: Error[];
  /** Resolves when both sockets have closed. */
  readonly closed: Promise<void>;
}

/**
 * A started proxy.
 *
 * @example
 * ```ts
 * const proxy: RecordingProxy = await startRecordingProxy({ port: 9000 });
 * await proxy.close();
 * ```
 */
export interface RecordingProxy {
  /** The port it listens on, on 127.0.0.1. */
  readonly port: number;
  /** Every connection so far, in accept order. */
  readonly connections: readonly RecordedConnection[];
  /** Resolves with the first `count` connections once they have all closed. */
  waitForConnections(count: number): Promise<RecordedConnection[]>;
  /** Stops listening and destroys open connections. */
  close(): Promise<void>;
}

/** Copies `source` to `target` (with backpressure), recording it on the way. */
function relay(source: Socket, target: Socket, recording: DirectionRecording, errors: Error[]): void {
  source.on('data', (chunk: Buffer) => recording.push(chunk));
  source.once('end', () => recording.end());
  source.on('error', (error) => {
    errors.push(error);
    target.destroy();
  });
  source.pipe(target);
}

function recordConnection(client: Socket, upstream: Upstream): RecordedConnection {
  const server = 'path' in upstream ? connect({ path: upstream.path }) : connect({ host: '127.0.0.1', port: upstream.port });
  const socketErrors: Error[] = [];
  const toApplication = new DirectionRecording();
  const toWebServer = new DirectionRecording();
  relay(client, server, toApplication, socketErrors);
  relay(server, client, toWebServer, socketErrors);
  const closed = Promise.all([once(client, 'close'), once(server, 'close')]).then(() => undefined);
  return { toApplication, toWebServer, socketErrors, closed };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : 0);
    });
  });
}

/**
 * Starts a recording proxy on a free 127.0.0.1 port forwarding to `upstream`.
 *
 * @example
 * ```ts
 * const proxy = await startRecordingProxy({ path: php.socketPath! });
 * // nginx: fastcgi_pass 127.0.0.1:${proxy.port};
 * const [connection] = await proxy.waitForConnections(1);
 * ```
 */
export async function startRecordingProxy(upstream: Upstream): Promise<RecordingProxy> {
  const connections: RecordedConnection[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    connections.push(recordConnection(client, upstream));
  });
  const port = await listen(server);
  return {
    port,
    connections,
    waitForConnections: async (count) => {
      while (connections.length < count) await once(server, 'connection');
      const wanted = connections.slice(0, count);
      await Promise.all(wanted.map((connection) => connection.closed));
      return wanted;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
