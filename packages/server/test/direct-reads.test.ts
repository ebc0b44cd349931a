import { once } from 'node:events';
import { type AddressInfo, Socket, connect, createServer as createNetServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { adoptForDirectReads } from '../src/direct-reads.js';
import { TestClient, baseParams, delay, onCleanup, startServer } from './support/harness.js';

const tagged = (uri: string, tag: string) => baseParams(uri, { REQUEST_METHOD: 'POST', HTTP_X_TAG: tag, CONTENT_LENGTH: String(tag.length) });

describe('direct reads (the default)', () => {
  it('keeps what a request read even after other connections reuse the shared read buffer', async () => {
    const { port } = await startServer({}, (req, res) => {
      const tag = req.url === '/late' ? delay(80) : Promise.resolve();
      void tag.then(async () => {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        res.end(JSON.stringify({ url: req.url, tag: req.headers['x-tag'], body: Buffer.concat(chunks).toString() }));
      });
    });
    const late = await TestClient.connect(port);
    const other = await TestClient.connect(port);
    const first = 'a'.repeat(40);
    const second = 'b'.repeat(40);
    const lateReply = late.fetch(1, { params: tagged('/late', first), body: first });
    await delay(20);
    // Same layout as the first request, so its bytes land where the first one's were read.
    const otherReply = await other.fetch(1, { params: tagged('/now!', second), body: second });
    expect(JSON.parse(otherReply.body.toString())).toEqual({ url: '/now!', tag: second, body: second });
    expect(JSON.parse((await lateReply).body.toString())).toEqual({ url: '/late', tag: first, body: first });
  });

  it.each([true, false])("emits the socket that carries the traffic as 'connection' (directReads %s)", async (directReads) => {
    const { server, port } = await startServer({ directReads }, (_req, res) => res.end('ok'));
    const sockets: Socket[] = [];
    server.on('connection', (socket: Socket) => sockets.push(socket));
    const client = await TestClient.connect(port);
    expect((await client.fetch(1)).body.toString()).toBe('ok');
    expect(sockets).toHaveLength(1);
    expect(sockets[0]?.bytesRead).toBeGreaterThan(0);
    expect(sockets[0]?.bytesWritten).toBeGreaterThan(0);
    expect(sockets[0]?.remoteAddress).toBe('127.0.0.1');
  });

  it('serves a body in many reads with directReads false as well', async () => {
    const { port } = await startServer({ directReads: false }, (req, res) => {
      let total = 0;
      req.on('data', (chunk: Buffer) => (total += chunk.length));
      req.on('end', () => res.end(String(total)));
    });
    const client = await TestClient.connect(port);
    const reply = await client.fetch(1, { params: baseParams('/', { REQUEST_METHOD: 'POST' }), body: Buffer.alloc(300_000, 7) });
    expect(reply.body.toString()).toBe('300000');
  });

  it('hands the connection count to the adopted socket: a closed connection frees its maxConnections slot', async () => {
    const { server, port } = await startServer({ maxConnections: 1 }, (_req, res) => res.end('ok'));
    const first = await TestClient.connect(port);
    expect((await first.fetch(1)).status).toBe(200);
    first.socket.destroy();
    for (let waited = 0; server.connectionCount > 0 && waited < 2000; waited += 10) await delay(10);
    expect(server.connectionCount).toBe(0);
    const second = await TestClient.connect(port);
    expect((await second.fetch(1)).status).toBe(200);
  });

  it('adopts only a paused, freshly accepted socket', async () => {
    const accepted: Socket[] = [];
    const plain = createNetServer((socket) => accepted.push(socket));
    plain.listen(0, '127.0.0.1');
    await once(plain, 'listening');
    const client = connect((plain.address() as AddressInfo).port, '127.0.0.1');
    onCleanup(() => {
      client.destroy();
      for (const socket of accepted) socket.destroy();
      plain.close();
    });
    await once(plain, 'connection');
    // Already reading (no pauseOnConnect): left alone.
    expect(adoptForDirectReads(accepted[0] as Socket, () => undefined)).toBeUndefined();
    expect(accepted[0]?.readable).toBe(true);
    // Not an accepted socket at all.
    expect(adoptForDirectReads(new Socket(), () => undefined)).toBeUndefined();
  });
});
