import { type Server, type Socket, connect, createServer } from 'node:net';

/** A loopback TCP proxy that counts the connections it accepts: how a test sees whether a web server keeps its FastCGI connections. */
export interface CountingProxy {
  /** `127.0.0.1:<port>` */
  readonly address: string;
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

/** Starts a proxy to `target` (`127.0.0.1:PORT` or `unix:/path`). */
export async function countingProxy(target: string): Promise<CountingProxy> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((client) => {
    connections += 1;
    const upstream = target.startsWith('unix:') ? connect({ path: target.slice(5) }) : connect({ host: '127.0.0.1', port: Number(target.split(':').at(-1)) });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    address: `127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
