/**
 * Test support: a scripted hostile FastCGI app on loopback. It decodes what the client
 * sends and, when a request's STDIN ends, writes whatever bytes the script returns for it.
 */
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { type FcgiRecord, RecordDecoder, RecordType, decodeParams, concatBytes } from '@fcgi/codec';
import { onCleanup } from './servers.js';

/** What a script sees of a request. */
export interface ScriptedRequest {
  readonly requestId: number;
  readonly params: Map<string, string>;
  readonly paramsRecords: Uint8Array[];
  readonly stdin: Buffer;
  /** Content length of each non-empty STDIN record, in order. */
  readonly stdinRecordLengths: number[];
  readonly socket: Socket;
  /** How many requests this connection served before this one. */
  readonly index: number;
}

/** The script: the bytes to answer with; `close` ends the connection after them. */
export type Script = (request: ScriptedRequest) => { bytes: Uint8Array; close?: boolean } | undefined;

/** A started scripted app. */
export interface ScriptedApp {
  readonly address: string;
  readonly server: Server;
  readonly requests: ScriptedRequest[];
  /** GET_VALUES records received. */
  readonly valuesQueries: FcgiRecord[];
}

interface Pending {
  params: Uint8Array[];
  stdin: Uint8Array[];
}

function onRecord(record: FcgiRecord, socket: Socket, pending: Map<number, Pending>, app: ScriptedApp, script: Script, onValues: ((socket: Socket) => void) | undefined): void {
  if (record.type === RecordType.GetValues) {
    app.valuesQueries.push(record);
    onValues?.(socket);
    return;
  }
  if (record.type === RecordType.BeginRequest) pending.set(record.requestId, { params: [], stdin: [] });
  const entry = pending.get(record.requestId);
  if (entry === undefined) return;
  if (record.type === RecordType.Params && record.content.length > 0) entry.params.push(record.content.slice());
  if (record.type === RecordType.Stdin && record.content.length > 0) entry.stdin.push(record.content.slice());
  if (record.type !== RecordType.Stdin || record.content.length > 0) return;
  pending.delete(record.requestId);
  const params = new Map(decodeParams(concatBytes(entry.params), { maxParamsBytes: 16 * 1024 * 1024 }).map((pair) => [pair.name, pair.value]));
  const request: ScriptedRequest = { requestId: record.requestId, params, paramsRecords: entry.params, stdin: Buffer.concat(entry.stdin), stdinRecordLengths: entry.stdin.map((piece) => piece.length), socket, index: app.requests.length };
  app.requests.push(request);
  const answer = script(request);
  if (answer === undefined) return;
  socket.write(answer.bytes);
  if (answer.close === true) socket.end();
}

/** Starts the app on 127.0.0.1; closed after the test. `onValues` answers GET_VALUES. */
export async function startScriptedApp(script: Script, onValues?: (socket: Socket) => void): Promise<ScriptedApp> {
  const sockets = new Set<Socket>();
  const app: ScriptedApp = { address: '', server: createServer(), requests: [], valuesQueries: [] };
  app.server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const decoder = new RecordDecoder({ maxValuesPairs: 10_000 });
    const pending = new Map<number, Pending>();
    socket.on('data', (chunk: Buffer) => {
      let records: FcgiRecord[];
      try {
        records = decoder.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const record of records) onRecord(record, socket, pending, app, script, onValues);
    });
  });
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
  onCleanup(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => app.server.close(() => resolve()));
  });
  return { ...app, address: `127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}
