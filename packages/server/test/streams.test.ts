import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { RecordType, encodeRecord, encodeStream } from '@fcgi/codec';
import { describe, expect, it } from 'vitest';
import type { FastCgiIncomingMessage } from '../src/index.js';
import { TestClient, baseParams, delay, startServer } from './support/harness.js';

const post = (uri = '/') => baseParams(uri, { REQUEST_METHOD: 'POST' });

/** Writes `total` bytes of STDIN for `requestId` in 60 KB records, honouring the socket's backpressure. */
async function sendBody(client: TestClient, requestId: number, total: number, hash = createHash('sha256')): Promise<string> {
  const chunk = Buffer.alloc(60_000);
  for (let sent = 0; sent < total; sent += chunk.length) {
    chunk.fill(sent % 251);
    const piece = chunk.subarray(0, Math.min(chunk.length, total - sent));
    hash.update(piece);
    if (!client.socket.write(encodeRecord({ type: RecordType.Stdin, requestId, content: piece }))) await once(client.socket, 'drain');
  }
  client.socket.write(encodeRecord({ type: RecordType.Stdin, requestId, content: new Uint8Array(0) }));
  return hash.digest('hex');
}

/** The V8 garbage collector as a function, exposed at run time for memory assertions. */
function exposedGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

describe('STDIN with backpressure', () => {
  it('stops reading the socket while a handler does not read, then delivers every byte', async () => {
    let request: FastCgiIncomingMessage | undefined;
    const { port } = await startServer({ stdinHighWaterMark: 64 * 1024 }, (req) => {
      request = req;
    });
    const client = await TestClient.connect(port);
    client.send({ type: RecordType.BeginRequest, requestId: 1, role: 1, keepConn: true }, ...encodeParamsRecords(1));
    const bodySent = sendBody(client, 1, 8 * 1024 * 1024);
    await delay(200);
    // Nothing reads: the server buffers at most the high-water mark plus one socket read.
    expect(request!.readableLength).toBeGreaterThan(0);
    expect(request!.readableLength).toBeLessThan(64 * 1024 + 256 * 1024);
    expect(client.socket.writableLength).toBeGreaterThan(0);
    const hash = createHash('sha256');
    const res = request!.fastcgi;
    expect(res.role).toBe('responder');
    for await (const chunk of request!) hash.update(chunk as Buffer);
    expect(hash.digest('hex')).toBe(await bodySent);
  });

  it('answers a handler that never reads STDIN and keeps the connection usable', async () => {
    const { port } = await startServer({}, (req, res) => res.end(`ignored ${req.headers['content-length']}`));
    const client = await TestClient.connect(port);
    const reply = await client.fetch(1, { params: { ...post(), CONTENT_LENGTH: '300000' }, body: Buffer.alloc(300_000) });
    expect(reply.body.toString()).toBe('ignored 300000');
    expect((await client.fetch(2)).body.toString()).toBe('ignored undefined');
  });

  it('lets a stalled request hold up its connection only until it reads (no deadlock)', async () => {
    const { port } = await startServer({ stdinHighWaterMark: 16 * 1024 }, async (req, res) => {
      if (req.url === '/stall') {
        await delay(100);
        req.resume();
        await once(req, 'end');
        res.end('stalled one');
        return;
      }
      res.end('quick');
    });
    const client = await TestClient.connect(port);
    client.send(TestClient.requestBytes(1, { params: post('/stall'), endStdin: false }), encodeStream(RecordType.Stdin, 1, Buffer.alloc(200_000), { end: true }), TestClient.requestBytes(2));
    const [stall, quick] = await Promise.all([client.cgiReply(1), client.cgiReply(2)]);
    expect(stall.body.toString()).toBe('stalled one');
    expect(quick.body.toString()).toBe('quick');
  });

  it('moves a 50 MB upload and a 50 MB download with bounded memory', async () => {
    const size = 50 * 1024 * 1024;
    const { port } = await startServer({}, async (req, res) => {
      const hash = createHash('sha256');
      let received = 0;
      for await (const chunk of req) {
        hash.update(chunk as Buffer);
        received += (chunk as Buffer).length;
      }
      res.setHeader('X-Upload-Sha256', hash.digest('hex'));
      res.setHeader('X-Upload-Size', String(received));
      const block = Buffer.alloc(256 * 1024, 7);
      for (let sent = 0; sent < size; sent += block.length) {
        if (!res.write(block)) await once(res, 'drain');
      }
      res.end();
    });
    const client = await TestClient.connect(port);
    // Measure what is retained, not garbage awaiting collection: collect before each sample.
    const collect = exposedGc();
    collect();
    const baseline = process.memoryUsage().arrayBuffers;
    let peak = baseline;
    const sampler = setInterval(() => {
      collect();
      peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    }, 25);
    // Consume the reply as it comes instead of keeping 50 MB of records in the client.
    let downloaded = 0;
    let end = false;
    let head = Buffer.alloc(0);
    client.records.push = (...records) => {
      for (const record of records) {
        if (record.type === RecordType.Stdout) {
          downloaded += record.content.length;
          if (head.length < 4096) head = Buffer.concat([head, record.content]);
        }
        if (record.type === RecordType.EndRequest) end = true;
      }
      return 0;
    };
    client.send({ type: RecordType.BeginRequest, requestId: 1, role: 1, keepConn: true }, ...encodeParamsRecords(1));
    const sentHash = await sendBody(client, 1, size);
    while (!end) await delay(20);
    clearInterval(sampler);
    const headText = head.toString('latin1');
    const headLength = headText.indexOf('\r\n\r\n') + 4;
    expect(/X-Upload-Sha256: ([0-9a-f]+)/.exec(headText)?.[1]).toBe(sentHash);
    expect(/X-Upload-Size: (\d+)/.exec(headText)?.[1]).toBe(String(size));
    expect(downloaded - headLength).toBe(size);
    // Client and server share this process: together they held far less than one body.
    expect(peak - baseline).toBeLessThan(48 * 1024 * 1024);
  }, 60_000);
});

describe('STDOUT with backpressure', () => {
  it('reports backpressure to the handler and emits drain once the web server reads again', async () => {
    const results: boolean[] = [];
    let drained = false;
    const { port } = await startServer({}, async (_req, res) => {
      const block = Buffer.alloc(1024 * 1024, 1);
      for (let index = 0; index < 4; index++) results.push(res.write(block));
      expect(res.writableNeedDrain).toBe(true);
      await once(res, 'drain');
      expect(res.writableNeedDrain).toBe(false);
      drained = true;
      res.end();
    });
    const client = await TestClient.connect(port);
    client.socket.pause();
    client.request(1);
    await delay(100);
    expect(results.includes(false)).toBe(true);
    expect(drained).toBe(false);
    client.socket.resume();
    const reply = await client.cgiReply(1, 10_000);
    expect(drained).toBe(true);
    expect(reply.body.length).toBe(4 * 1024 * 1024);
  });
});

describe('piping into the response', () => {
  it('pipes a stream into res through backpressure', async () => {
    const block = Buffer.alloc(64 * 1024, 3);
    const { port } = await startServer({}, async (_req, res) => {
      await pipeline(Readable.from((function* () {
        for (let index = 0; index < 64; index++) yield block;
      })()), res);
    });
    const client = await TestClient.connect(port);
    client.socket.pause();
    client.request(1);
    await delay(50);
    client.socket.resume();
    const reply = await client.cgiReply(1, 10_000);
    expect(reply.body.length).toBe(64 * block.length);
    expect(reply.end.appStatus).toBe(0);
  });
});

function encodeParamsRecords(requestId: number): Uint8Array[] {
  return TestClient.requestBytes(requestId, { params: post() }).slice(1, -1);
}
