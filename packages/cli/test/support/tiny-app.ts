/**
 * A tiny FastCGI app for the CLI's tests, written with node:net and @fcgi/codec only: it
 * records each request and answers as the test's handler says.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { type FcgiRecord, ParamsDecoder, RecordDecoder, concatBytes, encodeRecord } from '@fcgi/codec';

export interface ReceivedRequest {
  readonly requestId: number;
  readonly role: number;
  readonly keepConn: boolean;
  readonly params: Record<string, string>;
  readonly stdin: Buffer;
  readonly data: Buffer;
}

/** What the app does with a request: answer, or misbehave. */
export type Behaviour =
  | { readonly stdout: string | Uint8Array; readonly stderr?: string; readonly appStatus?: number; readonly protocolStatus?: number }
  | 'hang'
  | 'close'
  | 'garbage';

export interface TinyApp {
  readonly address: string;
  readonly requests: ReceivedRequest[];
  close(): Promise<void>;
}

interface Pending {
  role: number;
  keepConn: boolean;
  params: Record<string, string>;
  paramsDecoder: ParamsDecoder;
  paramsDone: boolean;
  stdin: Buffer[];
  stdinDone: boolean;
  data: Buffer[];
  dataDone: boolean;
}

function streamRecords(type: 6 | 7, requestId: number, content: Uint8Array): Uint8Array[] {
  const records: Uint8Array[] = [];
  for (let offset = 0; offset < content.length; offset += 65535) records.push(encodeRecord({ type, requestId, content: content.subarray(offset, offset + 65535) }));
  return records;
}

function answer(socket: Socket, requestId: number, behaviour: Behaviour, keepConn: boolean): void {
  if (behaviour === 'hang') return;
  if (behaviour === 'close') return void socket.destroy();
  if (behaviour === 'garbage') return void socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
  const stdout = typeof behaviour.stdout === 'string' ? Buffer.from(behaviour.stdout) : behaviour.stdout;
  const records = [
    ...(behaviour.stderr === undefined ? [] : streamRecords(7, requestId, Buffer.from(behaviour.stderr))),
    ...streamRecords(6, requestId, stdout),
    encodeRecord({ type: 6, requestId, content: new Uint8Array(0) }),
    encodeRecord({ type: 3, requestId, appStatus: behaviour.appStatus ?? 0, protocolStatus: behaviour.protocolStatus ?? 0 }),
  ];
  socket.write(concatBytes(records));
  if (!keepConn) socket.end();
}

function onRecord(socket: Socket, record: FcgiRecord, pending: Map<number, Pending>, app: { requests: ReceivedRequest[]; handler: (request: ReceivedRequest) => Behaviour; values: Record<string, string> }): void {
  if (record.type === 9) {
    const pairs = record.pairs.map((pair) => (Array.isArray(pair) ? String(pair[0]) : (pair as { name: string }).name)).filter((name) => name in app.values).map((name) => [name, app.values[name] as string] as const);
    socket.write(encodeRecord({ type: 10, requestId: 0, pairs }));
    return;
  }
  if (record.type === 1) {
    pending.set(record.requestId, { role: record.role, keepConn: record.keepConn, params: {}, paramsDecoder: new ParamsDecoder(), paramsDone: false, stdin: [], stdinDone: false, data: [], dataDone: record.role !== 3 });
    return;
  }
  const state = pending.get(record.requestId);
  if (state === undefined || (record.type !== 4 && record.type !== 5 && record.type !== 8)) return;
  if (record.type === 4) {
    if (record.content.length === 0) state.paramsDone = true;
    else for (const pair of state.paramsDecoder.push(record.content)) state.params[pair.name] = pair.value;
  } else if (record.type === 5) {
    if (record.content.length === 0) state.stdinDone = true;
    else state.stdin.push(Buffer.from(record.content));
  } else if (record.content.length === 0) state.dataDone = true;
  else state.data.push(Buffer.from(record.content));
  if (!state.paramsDone || !state.stdinDone || !state.dataDone) return;
  pending.delete(record.requestId);
  const request: ReceivedRequest = { requestId: record.requestId, role: state.role, keepConn: state.keepConn, params: state.params, stdin: Buffer.concat(state.stdin), data: Buffer.concat(state.data) };
  app.requests.push(request);
  answer(socket, record.requestId, app.handler(request), state.keepConn);
}

/** Starts the app on a loopback port, or on a Unix socket when `path` is given. */
export async function startTinyApp(handler: (request: ReceivedRequest) => Behaviour, options: { path?: string; values?: Record<string, string> } = {}): Promise<TinyApp> {
  const requests: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  const app = { requests, handler, values: options.values ?? { FCGI_MAX_CONNS: '4', FCGI_MAX_REQS: '4', FCGI_MPXS_CONNS: '0' } };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const decoder = new RecordDecoder();
    const pending = new Map<number, Pending>();
    socket.on('data', (chunk: Buffer) => {
      for (const record of decoder.push(chunk)) onRecord(socket, record, pending, app);
    });
  });
  await new Promise<void>((resolve) => (options.path === undefined ? server.listen(0, '127.0.0.1', resolve) : server.listen(options.path, resolve)));
  const bound = server.address();
  const address = options.path !== undefined ? `unix:${options.path}` : typeof bound === 'object' && bound !== null ? `127.0.0.1:${bound.port}` : '';
  return {
    address,
    requests,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}
