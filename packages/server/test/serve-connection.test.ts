import { Duplex } from 'node:stream';
import { RecordDecoder, RecordType, Role, concatBytes, encodeParamsStream, encodeRecord, type FcgiRecord } from '@fcgi/codec';
import { describe, expect, it } from 'vitest';
import { createServer } from '../src/index.js';

/** Two in-memory ends: what one writes, the other reads. */
function pair(): [Duplex, Duplex] {
  const sides: Duplex[] = [];
  const make = (index: number): Duplex =>
    new Duplex({
      allowHalfOpen: false,
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        sides[1 - index]!.push(chunk);
        callback();
      },
      final(callback) {
        sides[1 - index]!.push(null);
        callback();
      },
    });
  sides.push(make(0), make(1));
  return [sides[0]!, sides[1]!];
}

function request(keepConn: boolean): Uint8Array {
  return concatBytes([
    encodeRecord({ type: RecordType.BeginRequest, requestId: 1, role: Role.Responder, keepConn }),
    ...encodeParamsStream(1, { REQUEST_METHOD: 'GET', REQUEST_URI: '/hello' }),
    encodeRecord({ type: RecordType.Stdin, requestId: 1, content: new Uint8Array(0) }),
  ]);
}

describe('server.serveConnection(duplex)', () => {
  it('serves FastCGI on an in-memory duplex and closes it without KEEP_CONN', async () => {
    const server = createServer((req, res) => res.end(`url ${req.url ?? ''}`));
    const [appSide, clientSide] = pair();
    const records: FcgiRecord[] = [];
    const decoder = new RecordDecoder({ copyContent: true });
    clientSide.on('data', (chunk: Buffer) => records.push(...decoder.push(chunk)));
    const ended = new Promise<void>((resolve) => clientSide.on('end', resolve));
    server.serveConnection(appSide);
    expect(server.connectionCount).toBe(1);
    clientSide.write(request(false));
    await ended;
    const stdout = records.filter((record) => record.type === RecordType.Stdout).map((record) => Buffer.from((record as { content: Uint8Array }).content).toString()).join('');
    expect(stdout).toContain('url /hello');
    expect(records.at(-1)).toMatchObject({ type: RecordType.EndRequest, requestId: 1, protocolStatus: 0 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(server.connectionCount).toBe(0);
  });

  it('applies idleTimeout to a duplex without setTimeout', async () => {
    const server = createServer({ idleTimeout: 50 }, (_req, res) => res.end());
    const [appSide] = pair();
    const closed = new Promise<void>((resolve) => appSide.on('close', resolve));
    server.serveConnection(appSide);
    await closed;
    expect(server.connectionCount).toBe(0);
  });

  it('hands a whole response of 64 KiB (head, body, end of stream, END_REQUEST) to the socket in one write', async () => {
    const body = Buffer.alloc(64 * 1024, 1);
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(body.length) });
      res.end(body);
    });
    const writes: Buffer[][] = [];
    const socket = new Duplex({
      read() {},
      writev(chunks, callback) {
        writes.push(chunks.map(({ chunk }) => chunk as Buffer));
        callback();
      },
      write(chunk: Buffer, _encoding, callback) {
        writes.push([chunk]);
        callback();
      },
    });
    server.serveConnection(socket);
    socket.push(Buffer.from(request(true)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const records = new RecordDecoder({ copyContent: true }).push(Buffer.concat(writes.flat()));
    expect(records.at(-1)?.type).toBe(RecordType.EndRequest);
    expect(writes).toHaveLength(1);
    socket.destroy();
  });
});
