/**
 * A recording FastCGI proxy: node:net plus the codec. It relays bytes unchanged between a
 * web server and a FastCGI app and decodes every record in both directions.
 */
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';
import { type FcgiRecord, RecordDecoder } from '../../src/index.js';

/** What one proxied connection carried. */
export interface ConnectionRecording {
  /** Records from the web server to the app. */
  readonly toApp: FcgiRecord[];
  /** Records from the app to the web server. */
  readonly toServer: FcgiRecord[];
  /** Decoder or socket errors (a passing run has none). */
  readonly errors: unknown[];
  /** Resolves when both sockets have closed and both decoders saw a clean end. */
  readonly closed: Promise<void>;
}

/** A running proxy. */
export interface RecordingProxy {
  readonly port: number;
  readonly connections: ConnectionRecording[];
  close(): Promise<void>;
}

/** Relays `from` to `to` with backpressure, decoding every chunk into `records`. */
function relay(from: Socket, to: Socket, records: FcgiRecord[], errors: unknown[]): void {
  const decoder = new RecordDecoder();
  from.on('data', (chunk: Buffer) => {
    try {
      records.push(...decoder.push(chunk));
    } catch (error) {
      errors.push(error);
    }
    if (!to.write(chunk)) {
      from.pause();
      to.once('drain', () => from.resume());
    }
  });
  from.on('end', () => {
    try {
      decoder.end();
    } catch (error) {
      errors.push(error);
    }
    to.end();
  });
}

function closedPromise(socket: Socket): Promise<void> {
  return new Promise((resolve) => socket.once('close', () => resolve()));
}

/** Starts a proxy on 127.0.0.1 that forwards every connection to the app at `appPort`. */
export async function startRecordingProxy(appPort: number): Promise<RecordingProxy> {
  const connections: ConnectionRecording[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const app = connect(appPort, '127.0.0.1');
    const recording = { toApp: [] as FcgiRecord[], toServer: [] as FcgiRecord[], errors: [] as unknown[] };
    for (const socket of [client, app]) {
      sockets.add(socket);
      socket.on('error', (error) => {
        recording.errors.push(error);
        client.destroy();
        app.destroy();
      });
      socket.once('close', () => sockets.delete(socket));
    }
    relay(client, app, recording.toApp, recording.errors);
    relay(app, client, recording.toServer, recording.errors);
    connections.push({ ...recording, closed: Promise.all([closedPromise(client), closedPromise(app)]).then(() => undefined) });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    connections,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
