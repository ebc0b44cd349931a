/**
 * Where `serve()` listens: a port, an address string, node's listen options, or nothing
 * (the socket inherited on fd 0).
 *
 * @module
 */
import type { FastCgiServer } from '@fcgi/server';

/**
 * A listen address: a port (on 127.0.0.1), `'host:port'`, `'unix:/path'` or a path with a
 * `/`, `{ port, host }`, `{ path }`, `{ fd: 0 }`, or undefined for spawned mode (fd 0).
 *
 * @example
 * ```ts
 * const target: ListenTarget = { path: '/run/app/fcgi.sock' };
 * ```
 */
export type ListenTarget = number | string | { port: number; host?: string } | { path: string } | { fd: 0 } | undefined;

/** Arguments of `server.listen()`. */
export type ListenArguments = [] | [number, string] | [{ port: number; host?: string } | { path: string } | { fd: 0 }];

/**
 * The `server.listen()` arguments for `target`.
 *
 * @example
 * ```ts
 * toArguments('127.0.0.1:9000'); // [9000, '127.0.0.1']
 * ```
 */
export function toArguments(target: ListenTarget): ListenArguments {
  if (target === undefined) return [];
  if (typeof target === 'number') return [target, '127.0.0.1'];
  if (typeof target !== 'string') return [target];
  if (target.startsWith('unix:')) return [{ path: target.slice(5) }];
  if (target.includes('/')) return [{ path: target }];
  const match = /^(?:tcp:\/\/)?(.*):(\d+)$/.exec(target);
  if (match === null) return [Number(target), '127.0.0.1'];
  return [Number(match[2]), (match[1] as string).replace(/^\[(.*)\]$/, '$1')];
}

/**
 * Starts `server` on `target`; resolves once it listens, rejects with the server's
 * `'error'` (ERR_FCGI_ADDRESS_IN_USE, ERR_FCGI_NOT_SPAWNED, ERR_FCGI_LISTEN_FAILED).
 *
 * @example
 * ```ts
 * await listenOn(createServer(app), '127.0.0.1:9000');
 * ```
 */
export function listenOn(server: FastCgiServer, target: ListenTarget): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.once('listening', () => {
      server.off('error', onError);
      resolve();
    });
    const args = toArguments(target);
    if (args.length === 0) server.listen();
    else if (args.length === 2) server.listen(args[0], args[1]);
    else server.listen(args[0] as { port: number; host?: string } | { path: string });
  });
}

/**
 * The options of `fastify.listen()` for `target`.
 *
 * @example
 * ```ts
 * await fastify.listen(toFastifyListenOptions('unix:/run/app.sock')); // { path: '/run/app.sock' }
 * ```
 */
export function toFastifyListenOptions(target: ListenTarget): { port?: number; host?: string; path?: string } {
  const args = toArguments(target);
  if (args.length === 0) return { fd: 0 } as { port?: number };
  if (args.length === 2) return { port: args[0], host: args[1] };
  return args[0] as { port?: number; host?: string; path?: string };
}
