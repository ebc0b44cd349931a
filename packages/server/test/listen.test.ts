import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, type Server, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type FastCgiServer, createServer } from '../src/index.js';
import { TestClient, baseParams, delay, onCleanup, startServer } from './support/harness.js';

const distEntry = fileURLToPath(new URL('../dist/index.js', import.meta.url));

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fcgi-server-'));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function track(server: FastCgiServer): FastCgiServer {
  onCleanup(async () => {
    server.closeAllConnections();
    if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return server;
}

async function listenError(server: FastCgiServer, ...args: unknown[]): Promise<{ code?: string; message: string }> {
  (server.listen as (...listenArguments: unknown[]) => unknown).apply(server, args);
  const [error] = (await once(server, 'error')) as [{ code?: string; message: string }];
  return error;
}

describe('TCP', () => {
  it('listens on IPv4 loopback with port and host', async () => {
    const server = track(createServer((_req, res) => res.end('v4')));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const client = await TestClient.connect((server.address() as AddressInfo).port);
    expect((await client.fetch(1)).body.toString()).toBe('v4');
  });

  it('listens on IPv6 loopback with an options object', async () => {
    const server = track(createServer((req, res) => res.end(`v6 ${req.socket.remoteAddress}`)));
    server.listen({ port: 0, host: '::1' });
    const outcome = await Promise.race([once(server, 'listening').then(() => 'listening'), once(server, 'error').then(([error]) => (error as { cause?: { code?: string } }).cause?.code)]);
    if (outcome === 'EADDRNOTAVAIL' || outcome === 'EAFNOSUPPORT') return; // No IPv6 on this machine.
    expect(outcome).toBe('listening');
    const { port } = server.address() as AddressInfo;
    const client = await TestClient.connect({ port, host: '::1' });
    expect((await client.fetch(1)).body.toString()).toBe('v6 127.0.0.2');
  });

  it('reports a port in use as ERR_FCGI_ADDRESS_IN_USE', async () => {
    const { port } = await startServer({}, (_req, res) => res.end());
    const error = await listenError(track(createServer(() => {})), port, '127.0.0.1');
    expect(error.code).toBe('ERR_FCGI_ADDRESS_IN_USE');
  });
});

describe('Unix sockets', () => {
  it('serves on a socket path', async () => {
    const path = join(tempDir(), 'app.sock');
    const server = track(createServer((_req, res) => res.end('unix')));
    server.listen({ path });
    await once(server, 'listening');
    const client = await TestClient.connect({ path });
    expect((await client.fetch(1)).body.toString()).toBe('unix');
  });

  it('refuses a path a live listener holds, and leaves it alone', async () => {
    const path = join(tempDir(), 'busy.sock');
    const first = track(createServer((_req, res) => res.end('first')));
    first.listen(path);
    await once(first, 'listening');
    const error = await listenError(track(createServer(() => {})), { path });
    expect(error.code).toBe('ERR_FCGI_ADDRESS_IN_USE');
    const client = await TestClient.connect({ path });
    expect((await client.fetch(1)).body.toString()).toBe('first');
  });

  it('removes a stale socket file nobody listens on', async () => {
    const path = join(tempDir(), 'stale.sock');
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    await once(child, 'exit');
    expect(existsSync(path)).toBe(true);
    const server = track(createServer((_req, res) => res.end('fresh')));
    server.listen({ path });
    await once(server, 'listening');
    const client = await TestClient.connect({ path });
    expect((await client.fetch(1)).body.toString()).toBe('fresh');
  });

  it('never removes a path that is not a socket', async () => {
    const path = join(tempDir(), 'regular-file');
    writeFileSync(path, 'keep me');
    const error = await listenError(track(createServer(() => {})), { path });
    expect(error.code).toBe('ERR_FCGI_ADDRESS_IN_USE');
    expect(existsSync(path)).toBe(true);
  });
});

describe('spawned mode (fd 0)', () => {
  function spawnChild(stdin: number | 'pipe' | 'ignore'): ChildProcess {
    const script = `
      import { createServer } from ${JSON.stringify(distEntry)};
      const server = createServer((req, res) => res.end('spawned ' + req.url));
      server.on('listening', () => process.stdout.write('listening\\n'));
      server.on('error', (error) => { process.stdout.write(error.code + '\\n'); process.exit(3); });
      server.listen();
      process.on('SIGTERM', () => server.close(() => process.exit(0)));
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: [stdin, 'pipe', 'inherit'] });
    onCleanup(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    return child;
  }

  async function firstLine(child: ChildProcess): Promise<string> {
    let text = '';
    for await (const chunk of child.stdout!) {
      text += String(chunk);
      if (text.includes('\n')) break;
    }
    return text.trim();
  }

  it('serves the listening socket inherited as fd 0', async () => {
    const listener: Server = createNetServer();
    listener.listen(0, '127.0.0.1');
    await once(listener, 'listening');
    const { port } = listener.address() as AddressInfo;
    const fd = (listener as unknown as { _handle: { fd: number } })._handle.fd;
    const child = spawnChild(fd);
    // The parent stops accepting: only the child serves the socket now.
    listener.close();
    expect(await firstLine(child)).toBe('listening');
    const client = await TestClient.connect(port);
    expect((await client.fetch(1, { params: baseParams('/from-child') })).body.toString()).toBe('spawned /from-child');
  });

  it('serves a listening Unix socket inherited as fd 0', async () => {
    const path = join(tempDir(), 'spawned.sock');
    const listener: Server = createNetServer();
    listener.listen(path);
    await once(listener, 'listening');
    const fd = (listener as unknown as { _handle: { fd: number } })._handle.fd;
    const child = spawnChild(fd);
    // Stop accepting in the parent. Closing unlinks the bound path, so move it away first.
    const moved = `${path}.moved`;
    renameSync(path, moved);
    listener.close();
    expect(await firstLine(child)).toBe('listening');
    const client = await TestClient.connect({ path: moved });
    expect((await client.fetch(1, { params: baseParams('/over-unix') })).body.toString()).toBe('spawned /over-unix');
  });

  it.each([
    ['a connected socket pair', 'pipe'],
    ['/dev/null', 'ignore'],
  ] as const)('fails with ERR_FCGI_NOT_SPAWNED when fd 0 is %s', async (_name, stdin) => {
    const child = spawnChild(stdin);
    expect(await firstLine(child)).toBe('ERR_FCGI_NOT_SPAWNED');
  });
});

describe('FCGI_WEB_SERVER_ADDRS', () => {
  it('closes TCP connections from peers not in the list', async () => {
    const { port, connectionErrors } = await startServer({ webServerAddresses: ['10.11.12.13', '::ffff:192.0.2.1'] }, (_req, res) => res.end());
    const client = await TestClient.connect(port);
    client.request(1);
    await client.closed;
    expect(client.records).toEqual([]);
    expect((connectionErrors[0] as { code?: string }).code).toBe('ERR_FCGI_FORBIDDEN_PEER');
  });

  it('accepts listed peers, IPv4-mapped forms included', async () => {
    const { port } = await startServer({ webServerAddresses: [' 10.0.0.1', '::FFFF:127.0.0.1'] }, (_req, res) => res.end('allowed'));
    const client = await TestClient.connect(port);
    expect((await client.fetch(1)).body.toString()).toBe('allowed');
  });

  it('reads the environment variable when the option is absent', async () => {
    const saved = process.env.FCGI_WEB_SERVER_ADDRS;
    process.env.FCGI_WEB_SERVER_ADDRS = '192.0.2.10,192.0.2.11';
    onCleanup(() => {
      if (saved === undefined) delete process.env.FCGI_WEB_SERVER_ADDRS;
      else process.env.FCGI_WEB_SERVER_ADDRS = saved;
    });
    const server = createServer(() => {});
    expect([...(server.options.webServerAddresses ?? [])]).toEqual(['192.0.2.10', '192.0.2.11']);
    process.env.FCGI_WEB_SERVER_ADDRS = '127.0.0.1';
    const { port } = await startServer({}, (_req, res) => res.end('from env'));
    const client = await TestClient.connect(port);
    expect((await client.fetch(1)).body.toString()).toBe('from env');
  });

  it('allows Unix-socket peers only when allowUnixPeers is set', async () => {
    const dir = tempDir();
    const refusedPath = join(dir, 'refused.sock');
    const refused = track(createServer({ webServerAddresses: ['127.0.0.1'] }, (_req, res) => res.end()));
    refused.on('connectionError', () => {});
    refused.listen({ path: refusedPath });
    await once(refused, 'listening');
    const refusedClient = await TestClient.connect({ path: refusedPath });
    refusedClient.request(1);
    await refusedClient.closed;
    expect(refusedClient.records).toEqual([]);

    const allowedPath = join(dir, 'allowed.sock');
    const allowed = track(createServer({ webServerAddresses: ['127.0.0.1'], allowUnixPeers: true }, (_req, res) => res.end('unix ok')));
    allowed.listen({ path: allowedPath });
    await once(allowed, 'listening');
    const client = await TestClient.connect({ path: allowedPath });
    expect((await client.fetch(1)).body.toString()).toBe('unix ok');
  });
});

describe('close()', () => {
  it('stops accepting, closes idle kept connections and lets in-flight requests finish', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const { server, port } = await startServer({}, async (req, res) => {
      if (req.url === '/slow') await released;
      res.end(`done ${req.url}`);
    });
    const idle = await TestClient.connect(port);
    await idle.fetch(1);
    const busy = await TestClient.connect(port);
    busy.request(1, { params: baseParams('/slow') });
    await delay(20);
    let closed = false;
    server.close(() => (closed = true));
    await idle.closed;
    expect(closed).toBe(false);
    await expect(TestClient.connect(port)).rejects.toThrow();
    release();
    expect((await busy.cgiReply(1)).body.toString()).toBe('done /slow');
    await busy.closed;
    await delay(10);
    expect(closed).toBe(true);
  });

  it('aborts requests still running after closeTimeout, with END_REQUEST', async () => {
    let signalled = false;
    const { server, port } = await startServer({ closeTimeout: 50 }, (req) => {
      req.fastcgi.signal.addEventListener('abort', () => (signalled = true));
    });
    const client = await TestClient.connect(port);
    client.request(1);
    await delay(20);
    const closing = new Promise<void>((resolve) => server.close(() => resolve()));
    const end = await client.waitFor((record) => record.type === 3);
    expect(end.requestId).toBe(1);
    await closing;
    expect(signalled).toBe(true);
  });

  it('refuses new requests on kept connections while closing', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const { server, port } = await startServer({}, async (_req, res) => {
      await released;
      res.end('ok');
    });
    const client = await TestClient.connect(port);
    client.request(1);
    await delay(20);
    server.close();
    client.request(2);
    expect(await client.waitFor((record) => record.type === 3 && record.requestId === 2)).toMatchObject({ protocolStatus: 2 });
    release();
    expect((await client.cgiReply(1)).body.toString()).toBe('ok');
  });

  it('closeIdleConnections closes only connections without a request in flight', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const { server, port } = await startServer({}, async (req, res) => {
      if (req.url === '/slow') await released;
      res.end('ok');
    });
    const idle = await TestClient.connect(port);
    await idle.fetch(1);
    const busy = await TestClient.connect(port);
    busy.request(1, { params: baseParams('/slow') });
    await delay(20);
    server.closeIdleConnections();
    await idle.closed;
    expect(busy.isClosed).toBe(false);
    release();
    expect((await busy.cgiReply(1)).status).toBe(200);
  });

  it('emits close exactly once, after the last connection', async () => {
    const { server, port } = await startServer({}, (_req, res) => res.end());
    const client = await TestClient.connect(port);
    await client.fetch(1);
    let closes = 0;
    server.on('close', () => closes++);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await client.closed;
    await delay(30);
    expect(closes).toBe(1);
  });

  it('reports ERR_FCGI_SERVER_NOT_RUNNING when not listening', async () => {
    const error = await new Promise<Error | undefined>((resolve) => createServer(() => {}).close(resolve));
    expect((error as { code?: string }).code).toBe('ERR_FCGI_SERVER_NOT_RUNNING');
  });

  it('installs a SIGTERM handler only when asked', async () => {
    const before = process.listenerCount('SIGTERM');
    createServer(() => {});
    expect(process.listenerCount('SIGTERM')).toBe(before);
    const server = createServer({ handleSignals: true }, () => {});
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(process.listenerCount('SIGTERM')).toBe(before);
  });
});
