/**
 * Where a server listens, written as the client's addresses are: a port, `'host:port'`,
 * `'unix:/path'` or a path, node's listen options, or nothing (the socket inherited on
 * fd 0). The framework adapters' `serve()` and a gateway's HTTP server read it alike.
 *
 * @module
 */

/**
 * A listen address: a port (on 127.0.0.1), `'host:port'` (`tcp://` and `[::1]:port`
 * allowed), `'unix:/path'` or a path with a `/`, `{ port, host }`, `{ path }`, `{ fd: 0 }`,
 * or undefined for spawned mode (the socket on fd 0).
 *
 * @example
 * ```ts
 * const target: ListenTarget = { path: '/run/app/fcgi.sock' };
 * ```
 */
export type ListenTarget = number | string | { port: number; host?: string } | { path: string } | { fd: 0 } | undefined;

/**
 * The options of node's `server.listen(options)` (and `fastify.listen(options)`) for
 * `target`.
 *
 * @example
 * ```ts
 * toListenOptions('127.0.0.1:9000'); // { port: 9000, host: '127.0.0.1' }
 * toListenOptions('unix:/run/app.sock'); // { path: '/run/app.sock' }
 * toListenOptions(undefined); // { fd: 0 }
 * ```
 */
export function toListenOptions(target: ListenTarget): { port?: number; host?: string; path?: string; fd?: 0 } {
  if (target === undefined) return { fd: 0 };
  if (typeof target === 'number') return { port: target, host: '127.0.0.1' };
  if (typeof target !== 'string') return target;
  if (target.startsWith('unix:')) return { path: target.slice(5) };
  if (target.includes('/') && !target.startsWith('tcp://')) return { path: target };
  const match = /^(?:tcp:\/\/)?(.*):(\d+)$/.exec(target);
  if (match === null) return { port: Number(target), host: '127.0.0.1' };
  return { port: Number(match[2]), host: (match[1] as string).replace(/^\[(.*)\]$/, '$1') };
}
