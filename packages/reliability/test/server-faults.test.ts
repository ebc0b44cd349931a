/**
 * Server faults (issue 9): the web server closes mid-upload and mid-download, and a web
 * server that never reads (backpressure).
 */
import { RecordType, Role, concatBytes, encodeParamsStream, encodeRecord, encodeStream } from '@fcgi/codec';
import { describe, expect, it } from 'vitest';
import { nginxRequest } from '../src/corpus.js';
import { peer, startServer } from './support/servers.js';

const head = (requestId: number, uri: string): Uint8Array => concatBytes([
  encodeRecord({ type: RecordType.BeginRequest, requestId, role: Role.Responder, keepConn: true }),
  ...encodeParamsStream(requestId, { REQUEST_METHOD: 'POST', REQUEST_URI: uri }, { end: true }),
]);


/** Waits for 'drain' or 'close', whichever comes first, and leaves no listener behind. */
function drainOrClose(res: NodeJS.EventEmitter): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done).once('close', done);
  });
}

describe('server: the web server goes away', () => {
  it('mid-upload: the handler sees the request end early (aborted), nothing is reported as a handler bug, and the server keeps serving', async () => {
    const seen: string[] = [];
    const started = await startServer({}, async (req, res) => {
      let length = 0;
      try {
        for await (const chunk of req) length += (chunk as Buffer).length;
        res.end(`ok ${req.url ?? ''} ${length}`);
      } catch {
        seen.push(`failed after ${length}`);
      }
      if (req.fastcgi.signal.aborted) seen.push('aborted');
    });
    const raw = await peer(started.port);
    raw.write(concatBytes([head(1, '/upload'), ...encodeStream(RecordType.Stdin, 1, new Uint8Array(100_000))]));
    await raw.waitFor(() => started.handled.length === 1, 2000);
    raw.destroy();
    await raw.waitFor(() => seen.includes('aborted'), 2000);
    expect(seen).toContain('aborted');
    expect(started.requestErrors).toEqual([]);
    const next = await peer(started.port);
    next.write(nginxRequest('/after'));
    expect((await next.waitForEnd(1, 3000))?.protocolStatus).toBe(0);
    await next.waitFor(() => started.server.connectionCount === 1, 2000);
    expect(started.server.connectionCount).toBe(1);
  });

  it('mid-download: a handler streaming 32 MiB stops at the abort, writes nothing after it, and the connection count returns to 0', async () => {
    let written = 0;
    let finishedWriting = false;
    const started = await startServer({}, async (req, res) => {
      for await (const _chunk of req) { /* drain */ }
      const piece = Buffer.alloc(64 * 1024);
      while (written < 32 * 1024 * 1024 && !req.fastcgi.signal.aborted) {
        written += piece.length;
        if (!res.write(piece)) await drainOrClose(res);
      }
      res.end();
      finishedWriting = true;
    });
    const raw = await peer(started.port);
    raw.write(nginxRequest('/download'));
    await raw.waitFor(() => raw.stdoutText(1).length > 1024 * 1024, 3000);
    raw.destroy();
    await raw.waitFor(() => finishedWriting, 3000);
    expect(finishedWriting).toBe(true);
    expect(written).toBeLessThan(32 * 1024 * 1024);
    await raw.waitFor(() => started.server.connectionCount === 0, 2000);
    expect(started.server.connectionCount).toBe(0);
  });
});

describe('server: a web server that never reads', () => {
  it('a 32 MiB response to a peer that stops reading blocks on backpressure instead of buffering', async () => {
    let written = 0;
    const started = await startServer({}, async (req, res) => {
      for await (const _chunk of req) { /* drain */ }
      const piece = Buffer.alloc(64 * 1024);
      while (written < 32 * 1024 * 1024 && !req.fastcgi.signal.aborted) {
        written += piece.length;
        if (!res.write(piece)) await drainOrClose(res);
      }
      res.end();
    });
    const raw = await peer(started.port);
    raw.socket.pause();
    raw.write(nginxRequest('/never-read'));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const stalled = written;
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The kernel buffers take a few MiB; the handler is parked on 'drain' well before 32 MiB.
    expect(stalled).toBeLessThan(16 * 1024 * 1024);
    expect(written).toBe(stalled);
    raw.socket.resume();
    expect((await raw.waitForEnd(1, 10_000))?.protocolStatus).toBe(0);
    expect(written).toBe(32 * 1024 * 1024);
  }, 20_000);
});
