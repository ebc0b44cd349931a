/**
 * Test support: a tiny FastCGI client over a real loopback socket, built on the codec,
 * and a server starter that closes everything after each test.
 */
import { once } from 'node:events';
import { type AddressInfo, type Socket, connect } from 'node:net';
import {
  CgiHeadParser,
  type EndRequestRecord,
  type FcgiRecord,
  type ParamsInput,
  RecordDecoder,
  RecordType,
  Role,
  concatBytes,
  encodeParamsStream,
  encodeRecord,
  encodeStream,
} from '@fcgi/codec';
import { afterEach } from 'vitest';
import { type FastCgiServer, type RequestListener, type ServerOptions, createServer } from '../../src/index.js';

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  const pending = cleanups.splice(0).reverse();
  for (const cleanup of pending) await cleanup();
});

/** Registers a cleanup that runs after the current test. */
export function onCleanup(cleanup: () => Promise<void> | void): void {
  cleanups.push(cleanup);
}

/** A started server and its TCP port. */
export interface Started {
  server: FastCgiServer;
  port: number;
  connectionErrors: Error[];
  requestErrors: Error[];
}

/** Starts a server on 127.0.0.1 with an ephemeral port; closed after the test. */
export async function startServer(options: ServerOptions, listener?: RequestListener): Promise<Started> {
  const server = createServer({ closeTimeout: 500, ...options }, listener);
  const connectionErrors: Error[] = [];
  const requestErrors: Error[] = [];
  server.on('connectionError', (error) => connectionErrors.push(error));
  server.on('requestError', (error) => requestErrors.push(error));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  onCleanup(async () => {
    if (!server.listening && server.connectionCount === 0) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { server, port: (server.address() as AddressInfo).port, connectionErrors, requestErrors };
}

/** One request's reply, collected from records. */
export interface Reply {
  stdout: Buffer;
  stderr: Buffer;
  end: EndRequestRecord;
  /** Records of this id in arrival order. */
  records: FcgiRecord[];
}

/** A parsed CGI response. */
export interface CgiReply extends Reply {
  status: number;
  headers: [string, string][];
  body: Buffer;
  header(name: string): string | undefined;
}

/** Options of {@link TestClient.request}. */
export interface RequestOptions {
  role?: number;
  keepConn?: boolean;
  params?: ParamsInput;
  body?: Uint8Array | string;
  /** Send the empty STDIN record (default true). */
  endStdin?: boolean;
}

/** The standard params of a GET request to `uri`. */
export function baseParams(uri = '/', extra: Record<string, string> = {}): Record<string, string> {
  return { REQUEST_METHOD: 'GET', REQUEST_URI: uri, SERVER_PROTOCOL: 'HTTP/1.1', REMOTE_ADDR: '127.0.0.2', REMOTE_PORT: '40000', ...extra };
}

/**
 * A FastCGI client for tests: writes records, decodes every reply record, and waits for
 * records matching a predicate.
 */
export class TestClient {
  readonly socket: Socket;
  readonly records: FcgiRecord[] = [];
  readonly closed: Promise<void>;
  error: Error | undefined;
  readonly #decoder = new RecordDecoder();
  #waiters: (() => void)[] = [];
  #isClosed = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      for (const record of this.#decoder.push(chunk)) this.records.push(record);
      this.#wake();
    });
    socket.on('error', (error) => {
      this.error = error;
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.#isClosed = true;
        this.#wake();
        resolve();
      });
    });
  }

  /** Connects to a TCP port on 127.0.0.1 or a Unix path; closed after the test. */
  static async connect(target: number | { path: string } | { port: number; host: string }): Promise<TestClient> {
    const socket = typeof target === 'number' ? connect({ port: target, host: '127.0.0.1' }) : connect(target);
    await once(socket, 'connect');
    const client = new TestClient(socket);
    onCleanup(() => {
      socket.destroy();
    });
    return client;
  }

  /** True once the server closed the connection. */
  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** Writes records and raw bytes in one socket write. */
  send(...items: (FcgiRecord | Uint8Array | Uint8Array[])[]): void {
    const pieces: Uint8Array[] = [];
    for (const item of items) {
      if (item instanceof Uint8Array) pieces.push(item);
      else if (Array.isArray(item)) pieces.push(...item);
      else pieces.push(encodeRecord(item));
    }
    this.socket.write(concatBytes(pieces));
  }

  /** The bytes of a whole request: BEGIN_REQUEST, PARAMS, STDIN (ended unless told). */
  static requestBytes(requestId: number, options: RequestOptions = {}): Uint8Array[] {
    const body = typeof options.body === 'string' ? Buffer.from(options.body) : (options.body ?? new Uint8Array(0));
    return [
      encodeRecord({ type: RecordType.BeginRequest, requestId, role: options.role ?? Role.Responder, keepConn: options.keepConn ?? true }),
      ...encodeParamsStream(requestId, options.params ?? baseParams()),
      ...encodeStream(RecordType.Stdin, requestId, body, { end: options.endStdin !== false }),
    ];
  }

  /** Sends a whole request. */
  request(requestId: number, options: RequestOptions = {}): void {
    this.send(TestClient.requestBytes(requestId, options));
  }

  /** Resolves with the first record (from `from`) matching `predicate`. */
  async waitFor(predicate: (record: FcgiRecord) => boolean, timeout = 5000, from = 0): Promise<FcgiRecord> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const found = this.records.slice(from).find(predicate);
      if (found !== undefined) return found;
      if (this.#isClosed) throw new Error(`Connection closed before the expected record (got ${this.records.length} records)`);
      if (Date.now() > deadline) throw new Error('Timed out waiting for a record');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits for END_REQUEST of `requestId` and collects that request's records. */
  async reply(requestId: number, timeout = 5000, from = 0): Promise<Reply> {
    const end = (await this.waitFor((record) => record.type === RecordType.EndRequest && record.requestId === requestId, timeout, from)) as EndRequestRecord;
    const endIndex = this.records.indexOf(end, from);
    const records = this.records.slice(from, endIndex + 1).filter((record) => record.requestId === requestId);
    const bytes = (type: number): Buffer => Buffer.concat(records.filter((record) => record.type === type).map((record) => (record as { content: Uint8Array }).content));
    return { stdout: bytes(RecordType.Stdout), stderr: bytes(RecordType.Stderr), end, records };
  }

  /** Waits for the reply and parses its CGI head. */
  async cgiReply(requestId: number, timeout = 5000, from = 0): Promise<CgiReply> {
    const reply = await this.reply(requestId, timeout, from);
    const result = new CgiHeadParser().push(reply.stdout);
    if (result === undefined) throw new Error(`No CGI head in ${JSON.stringify(reply.stdout.toString('latin1').slice(0, 200))}`);
    const headers = result.head.headers.map(([name, value]) => [name, value] as [string, string]);
    return {
      ...reply,
      status: result.head.status,
      headers,
      body: Buffer.from(result.rest),
      header: (name) => headers.find(([candidate]) => candidate.toLowerCase() === name.toLowerCase())?.[1],
    };
  }

  /** Sends a whole request and returns its parsed reply. */
  async fetch(requestId: number, options: RequestOptions = {}): Promise<CgiReply> {
    const from = this.records.length;
    this.request(requestId, options);
    return this.cgiReply(requestId, 5000, from);
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter();
  }
}

/** Resolves after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
