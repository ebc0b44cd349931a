/**
 * The web server goes away, for real (issue 9): an HTTP client -> a real nginx ->
 * @fcgi/server, the HTTP client cutting its connection mid-request, mid-upload and
 * mid-download. nginx then abandons the FastCGI request (it closes the upstream
 * connection), and our server must notice: the handler sees 'close' and the abort, the
 * active request count returns to 0, no descriptor leaks, and the next request through
 * nginx is served.
 *
 * nginx buffers a whole request body before it asks the app, and reads a whole response
 * into temp files, unless told otherwise; the locations below turn that off
 * (`fastcgi_request_buffering off`, `fastcgi_buffering off` or `fastcgi_max_temp_file_size
 * 0`) so the cut reaches the app. One case keeps the default request buffering and checks
 * that the app is then never asked at all.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type FastCgiServer, createServer } from '@fcgi/server';
import { type HttpPeer, curl, requirePeers, startNginx } from '@fcgi/test-peers';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Seen, faultsApp, openDescriptors, rawHttp, waitFor } from './support/faults-app.js';

const peers = requirePeers('nginx', 'curl');

const TEN_MB = 10 * 1024 * 1024;
const DOWNLOAD = 64 * 1024 * 1024;

function location(path: string, extra: string): string {
  return `
    location ${path} {
      include /etc/nginx/fastcgi_params;
      fastcgi_keep_conn on;
      fastcgi_pass fcgi;
      ${extra}
    }`;
}

describe.skipIf(!peers.available)(peers.title('HTTP client -> nginx -> @fcgi/server: the client goes away'), () => {
  const app = faultsApp();
  const requestErrors: unknown[] = [];
  let server: FastCgiServer;
  let nginx: HttpPeer;
  let baseline = 0;
  let sequence = 0;

  beforeAll(async () => {
    server = createServer({ closeTimeout: 500 }, app.listener);
    server.on('requestError', (error) => requestErrors.push(error));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    nginx = await startNginx({
      http: `upstream fcgi { server 127.0.0.1:${port}; keepalive 4; }`,
      server: `client_max_body_size 64m;
${location('/stream/', 'fastcgi_request_buffering off; fastcgi_buffering off;')}
${location('/buffered/', 'fastcgi_max_temp_file_size 0;')}
${location('/', '')}`,
    });
    expect((await curl(`${nginx.url}/hello?id=warm-up`)).body.toString()).toBe('hello');
  });

  afterAll(async () => {
    await nginx?.stop();
    server?.closeAllConnections();
    if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    // nginx keeps up to 4 idle connections to us (keepalive 4): they are not leaks.
    baseline = openDescriptors() - server.connectionCount;
  });

  /** The handler's record of request `id`, once it exists. */
  async function seenOf(id: string): Promise<Seen> {
    await waitFor(() => app.seen.has(id), `the handler to start ${id}`);
    return app.seen.get(id) as Seen;
  }

  /** After a cut: the handler saw it, nothing is left running or open, and nginx -> server still works. */
  async function expectRecovered(seen: Seen): Promise<void> {
    await waitFor(() => seen.closed, "the handler's response to close");
    expect(seen.aborted).toBe(true);
    expect(seen.finished).toBe(false);
    await waitFor(() => server.activeRequests === 0, 'no active request');
    expect(server.activeRequests).toBe(0);
    const id = `after-${++sequence}`;
    const next = await curl(`${nginx.url}/hello?id=${id}`);
    expect(next.status).toBe(200);
    expect(next.body.toString()).toBe('hello');
    await waitFor(() => openDescriptors() - server.connectionCount <= baseline, 'descriptors back to the baseline');
    expect(server.connectionCount).toBeLessThanOrEqual(4);
    expect(requestErrors).toEqual([]);
  }

  it('mid-request: the client sends the head of a 10 MB POST, then goes away before any body byte', async () => {
    const socket = await rawHttp(nginx.port);
    socket.write(`POST /stream/upload?id=head-only HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${TEN_MB}\r\n\r\n`);
    const seen = await seenOf('head-only');
    socket.destroy();
    await expectRecovered(seen);
    expect(seen.read).toBe(0);
  });

  it('mid-request: the client goes away while the handler has not answered a GET yet', async () => {
    const socket = await rawHttp(nginx.port);
    socket.write('GET /slow?id=slow HTTP/1.1\r\nHost: localhost\r\n\r\n');
    const seen = await seenOf('slow');
    socket.destroy();
    await expectRecovered(seen);
  });

  it('mid-upload: the client goes away after 1 MB of a 10 MB body (nginx streaming the body)', async () => {
    const socket = await rawHttp(nginx.port);
    socket.write(`POST /stream/upload?id=upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${TEN_MB}\r\n\r\n`);
    socket.write(Buffer.alloc(1024 * 1024, 0x75));
    const seen = await seenOf('upload');
    // nginx passes the body on as it comes: wait until most of the first megabyte reached the handler.
    await waitFor(() => seen.read >= 512 * 1024, 'the first 512 KiB to reach the handler');
    socket.destroy();
    await expectRecovered(seen);
    expect(seen.read).toBeLessThanOrEqual(1024 * 1024);
  });

  it('mid-upload with nginx buffering the body (its default): the app is never asked, and keeps serving', async () => {
    const socket = await rawHttp(nginx.port);
    socket.write(`POST /upload?id=buffered-upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${TEN_MB}\r\n\r\n`);
    await new Promise((resolve) => socket.write(Buffer.alloc(1024 * 1024, 0x75), resolve));
    socket.destroy();
    // nginx logs the request once it has given up on it (400 or 499).
    const accessLog = join(nginx.runDirectory, 'access.log');
    await waitFor(() => readFileSync(accessLog, 'utf8').includes('id=buffered-upload'), 'nginx to log the abandoned upload');
    expect(app.seen.has('buffered-upload')).toBe(false);
    const next = await curl(`${nginx.url}/hello?id=after-buffered`);
    expect(next.body.toString()).toBe('hello');
    expect(server.activeRequests).toBe(0);
  });

  for (const [name, prefix] of [['unbuffered (fastcgi_buffering off)', '/stream'], ['buffered in memory only (fastcgi_max_temp_file_size 0)', '/buffered']] as const) {
    it(`mid-download, ${name}: the client goes away after 2 MiB of a 64 MiB streamed response`, async () => {
      const id = `download-${prefix.slice(1)}`;
      const socket = await rawHttp(nginx.port);
      let received = 0;
      socket.on('data', (chunk: Buffer) => {
        received += chunk.length;
      });
      socket.write(`GET ${prefix}/download?id=${id}&bytes=${DOWNLOAD} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
      const seen = await seenOf(id);
      await waitFor(() => received >= 2 * 1024 * 1024, 'the first 2 MiB to arrive');
      socket.destroy();
      await expectRecovered(seen);
      // The handler stopped at the abort: it wrote far less than the whole response.
      expect(seen.written).toBeLessThan(DOWNLOAD);
    }, 30_000);
  }
});
