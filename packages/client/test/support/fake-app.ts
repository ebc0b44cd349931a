/**
 * A tiny scripted FastCGI app for tests: decodes what the client sends, records it, and
 * lets each test answer (or misbehave) as it likes.
 */
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { Duplex } from 'node:stream';
import {
  type FcgiRecord,
  RecordDecoder,
  RecordType,
  concatBytes,
  decodeParams,
  encodeRecord,
  encodeStream,
} from '@fcgi/codec';

export interface FakeRequest {
  readonly requestId: number;
  readonly role: number;
  readonly keepConn: boolean;
  readonly params: Record<string, string>;
  readonly paramsRecords: Uint8Array[];
  readonly stdin: Promise<Buffer>;
  readonly data: Promise<Buffer>;
  aborted: boolean;
  readonly connection: FakeConnection;
}

export class FakeConnection {
  readonly records: FcgiRecord[] = [];
  /** Number of 'data' events received (to check coalesced writes). */
  chunks = 0;
  readonly index: number;
  constructor(readonly socket: Duplex, index: number) {
    this.index = index;
  }
  write(bytes: Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }
  stdout(requestId: number, content: string | Uint8Array): void {
    this.write(concatBytes(encodeStream(RecordType.Stdout, requestId, typeof content === 'string' ? Buffer.from(content) : content)));
  }
  stderr(requestId: number, content: string): void {
    this.write(concatBytes(encodeStream(RecordType.Stderr, requestId, Buffer.from(content))));
  }
  /** Request ids whose BEGIN_REQUEST lacked KEEP_CONN: the app closes after their END_REQUEST. */
  readonly closeAfter = new Set<number>();
  end(requestId: number, appStatus = 0, protocolStatus = 0): void {
    this.write(encodeRecord({ type: RecordType.EndRequest, requestId, appStatus, protocolStatus }));
    if (this.closeAfter.delete(requestId)) this.socket.end();
  }
  /** A whole CGI response, php-fpm style (no empty STDOUT before END_REQUEST). */
  respond(requestId: number, head: string, body: string | Uint8Array = ''): void {
    const bodyBytes = typeof body === 'string' ? Buffer.from(body) : body;
    this.stdout(requestId, Buffer.concat([Buffer.from(`${head}\r\n\r\n`), bodyBytes]));
    this.end(requestId);
  }
  close(): void {
    this.socket.destroy();
  }
}

export type FakeHandler = (request: FakeRequest, connection: FakeConnection) => void | Promise<void>;

export interface FakeAppOptions {
  /** GET_VALUES answer; null ignores GET_VALUES. */
  values?: Record<string, string> | null;
  /** Called with each raw chunk before decoding. */
  onChunk?: (connection: FakeConnection, chunk: Buffer) => void;
}

interface Pending {
  request: FakeRequest;
  params: Uint8Array[];
  stdin: Uint8Array[];
  data: Uint8Array[];
  resolveStdin: (bytes: Buffer) => void;
  resolveData: (bytes: Buffer) => void;
}

export class FakeApp {
  readonly connections: FakeConnection[] = [];
  readonly requests: FakeRequest[] = [];
  valuesRequests = 0;
  server: Server | undefined;
  constructor(readonly handler: FakeHandler, readonly options: FakeAppOptions = {}) {}

  get address(): string {
    return `127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  async listen(): Promise<this> {
    this.server = createServer((socket) => this.attach(socket));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  attach(socket: Duplex): FakeConnection {
    const connection = new FakeConnection(socket, this.connections.length);
    this.connections.push(connection);
    const decoder = new RecordDecoder();
    const pending = new Map<number, Pending>();
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      connection.chunks += 1;
      this.options.onChunk?.(connection, chunk);
      let records: FcgiRecord[];
      try {
        records = decoder.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const record of records) {
        connection.records.push(record);
        this.#onRecord(connection, pending, record);
      }
    });
    return connection;
  }

  #onRecord(connection: FakeConnection, pending: Map<number, Pending>, record: FcgiRecord): void {
    switch (record.type) {
      case RecordType.GetValues: {
        this.valuesRequests += 1;
        const values = this.options.values === undefined ? { FCGI_MPXS_CONNS: '0' } : this.options.values;
        if (values !== null) connection.write(encodeRecord({ type: RecordType.GetValuesResult, requestId: 0, pairs: Object.entries(values) }));
        return;
      }
      case RecordType.BeginRequest: {
        let resolveStdin: (bytes: Buffer) => void = () => {};
        let resolveData: (bytes: Buffer) => void = () => {};
        const request: FakeRequest = {
          requestId: record.requestId, role: record.role, keepConn: record.keepConn, params: {}, paramsRecords: [],
          stdin: new Promise((resolve) => { resolveStdin = resolve; }),
          data: new Promise((resolve) => { resolveData = resolve; }),
          aborted: false, connection,
        };
        pending.set(record.requestId, { request, params: [], stdin: [], data: [], resolveStdin, resolveData });
        if (!record.keepConn) connection.closeAfter.add(record.requestId);
        return;
      }
      case RecordType.Params: {
        const entry = pending.get(record.requestId);
        if (entry === undefined) return;
        if (record.content.length > 0) {
          entry.params.push(record.content.slice());
          entry.request.paramsRecords.push(record.content.slice());
          return;
        }
        for (const pair of decodeParams(concatBytes(entry.params))) entry.request.params[pair.name] = pair.value;
        this.requests.push(entry.request);
        void this.handler(entry.request, connection);
        return;
      }
      case RecordType.Stdin:
      case RecordType.Data: {
        const entry = pending.get(record.requestId);
        if (entry === undefined) return;
        const list = record.type === RecordType.Stdin ? entry.stdin : entry.data;
        if (record.content.length > 0) list.push(record.content.slice());
        else (record.type === RecordType.Stdin ? entry.resolveStdin : entry.resolveData)(Buffer.concat(list));
        return;
      }
      case RecordType.AbortRequest: {
        const entry = pending.get(record.requestId);
        if (entry !== undefined) entry.request.aborted = true;
        return;
      }
      default:
        return;
    }
  }

  async close(): Promise<void> {
    for (const connection of this.connections) connection.socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

export async function startFakeApp(handler: FakeHandler, options: FakeAppOptions = {}): Promise<FakeApp> {
  return new FakeApp(handler, options).listen();
}

/** Two connected in-memory Duplex streams. */
export function duplexPair(): [Duplex, Duplex] {
  const pair: Duplex[] = [];
  const make = (peerIndex: number): Duplex => new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      pair[peerIndex]!.push(chunk);
      callback();
    },
    final(callback) {
      pair[peerIndex]!.push(null);
      callback();
    },
    destroy(error, callback) {
      const other = pair[peerIndex]!;
      if (!other.destroyed) other.destroy();
      callback(error);
    },
  });
  pair.push(make(1), make(0));
  return [pair[0]!, pair[1]!];
}

export async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

export { type Socket };
