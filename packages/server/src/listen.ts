/**
 * Listening: the arguments `listen()` accepts, Unix socket paths (stale files removed only
 * when nobody listens on them) and the spawned mode on file descriptor 0.
 *
 * @module
 */
import { fstatSync, lstatSync, unlinkSync } from 'node:fs';
import { type ListenOptions, type Server, connect } from 'node:net';
import { FastCgiServerError, ServerErrorCode } from './errors.js';

/** Where to listen, parsed from `listen()`'s arguments. */
export type ListenTarget =
  | { kind: 'spawned'; backlog: number | undefined }
  | { kind: 'path'; path: string; options: ListenOptions }
  | { kind: 'net'; options: ListenOptions };

/** `listen()`'s arguments without the callback. */
export type ListenArguments = [port?: number | string | ListenOptions | null, host?: string | number, backlog?: number];

/**
 * Parses node-style `listen()` arguments: `(port, host?, backlog?)`, `(path)`,
 * `({ port, host } | { path } | { fd })`, or nothing (spawned mode on fd 0).
 *
 * @example
 * ```ts
 * parseListenArguments([9000, '127.0.0.1']); // { kind: 'net', options: { port: 9000, host: '127.0.0.1' } }
 * ```
 */
export function parseListenArguments(args: ListenArguments): ListenTarget {
  const [first, second, third] = args;
  if (first === undefined || first === null) return { kind: 'spawned', backlog: typeof second === 'number' ? second : undefined };
  if (typeof first === 'object') {
    if (first.path !== undefined) return { kind: 'path', path: first.path, options: first };
    if ((first as { fd?: number }).fd === 0 && first.port === undefined) return { kind: 'spawned', backlog: first.backlog };
    return { kind: 'net', options: first };
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return { kind: 'path', path: first, options: { backlog: typeof second === 'number' ? second : undefined } };
  const options: ListenOptions = { port: Number(first) };
  if (typeof second === 'string') options.host = second;
  const backlog = typeof second === 'number' ? second : third;
  if (backlog !== undefined) options.backlog = backlog;
  return { kind: 'net', options };
}

/**
 * True when file descriptor 0 is a socket (as under mod_fcgid, spawn-fcgi or IIS). Whether
 * it is a listening one is settled by `listen({ fd: 0 })`, which fails otherwise.
 *
 * @example
 * ```ts
 * if (!fdZeroIsSocket()) console.error('not started by a FastCGI spawner');
 * ```
 */
export function fdZeroIsSocket(): boolean {
  try {
    return fstatSync(0).isSocket();
  } catch {
    return false;
  }
}

function isSocketFile(path: string): boolean {
  try {
    return lstatSync(path).isSocket();
  } catch {
    return true;
  }
}

/** The error for `listen()` without an address when fd 0 cannot be served. */
export function notSpawnedError(cause?: unknown): FastCgiServerError {
  const why = cause === undefined ? 'file descriptor 0 is not a socket' : 'file descriptor 0 is not a listening socket';
  return new FastCgiServerError(ServerErrorCode.NotSpawned, `listen() without an address serves the listening socket on fd 0 (FCGI_LISTENSOCK_FILENO), but ${why}; pass a port, a host and port, or { path }`, { cause });
}

/** Wraps a system error from `listen()`. */
export function listenError(error: NodeJS.ErrnoException, where: string): FastCgiServerError {
  if (error.code === 'EADDRINUSE') {
    return new FastCgiServerError(ServerErrorCode.AddressInUse, `${where} is already in use by a live listener`, { cause: error });
  }
  return new FastCgiServerError(ServerErrorCode.ListenFailed, `Cannot listen on ${where}: ${error.message}`, { cause: error });
}

/**
 * Listens on a Unix socket path. When the path exists, it is removed only if nobody
 * accepts connections on it (a stale file from a crashed process); a live listener gives
 * ERR_FCGI_ADDRESS_IN_USE. Calls `onError` with a wrapped error on failure.
 *
 * @example
 * ```ts
 * listenOnPath(netServer, '/run/app.sock', {}, (error) => server.emit('error', error));
 * ```
 */
export function listenOnPath(server: Server, path: string, options: ListenOptions, onError: (error: FastCgiServerError) => void): void {
  const attempt = (retry: boolean): void => {
    const onListenError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      if (error.code !== 'EADDRINUSE' || !retry) {
        onError(listenError(error, path));
        return;
      }
      const probe = connect({ path });
      probe.once('connect', () => {
        probe.destroy();
        onError(listenError(error, path));
      });
      probe.once('error', (probeError: NodeJS.ErrnoException) => {
        if (probeError.code !== 'ECONNREFUSED' && probeError.code !== 'ENOENT') {
          onError(listenError(error, path));
          return;
        }
        if (!isSocketFile(path)) {
          // Never remove something that is not a socket (a regular file, a directory).
          onError(listenError(error, path));
          return;
        }
        try {
          unlinkSync(path);
        } catch {
          // Already gone.
        }
        attempt(false);
      });
    };
    const onListening = (): void => {
      server.off('error', onListenError);
    };
    server.once('error', onListenError);
    server.once('listening', onListening);
    server.listen({ ...options, path });
  };
  attempt(true);
}
