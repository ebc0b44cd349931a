/**
 * Opening a transport: TCP (IPv4/IPv6), a Unix socket, or a user `connect` function, each
 * bounded by `connectTimeout`.
 *
 * @module
 */
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { type Endpoint, formatEndpoint } from './address.js';
import { connectDirect } from './direct-reads.js';
import { ClientErrorCode, FastCgiClientError, FastCgiTimeoutError } from './errors.js';
import type { ConnectFunction } from './options.js';

function connectSocket(endpoint: Endpoint): Socket {
  const socket = endpoint.kind === 'unix' ? connectDirect({ path: endpoint.path }) : connectDirect({ host: endpoint.host, port: endpoint.port });
  if (endpoint.kind === 'tcp') socket.setNoDelay(true);
  return socket;
}

function waitConnected(socket: Socket, signal: AbortSignal): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      socket.off('connect', onConnect);
      socket.off('error', onError);
      signal.removeEventListener('abort', onAbort);
    };
    const onConnect = (): void => {
      cleanup();
      resolve(socket);
    };
    const onError = (error: Error): void => {
      cleanup();
      socket.destroy();
      reject(error);
    };
    const onAbort = (): void => onError(signal.reason as Error);
    socket.once('connect', onConnect);
    socket.once('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Opens a transport to `endpoint` (or through `connect`) within `timeout` ms. Rejects with
 * ERR_FCGI_CONNECT_FAILED or ERR_FCGI_CONNECT_TIMEOUT (both with `unsent: true`).
 *
 * @example
 * ```ts
 * const socket = await openTransport({ kind: 'tcp', host: '127.0.0.1', port: 9000 }, undefined, 10000);
 * ```
 */
export async function openTransport(endpoint: Endpoint | undefined, connect: ConnectFunction | undefined, timeout: number): Promise<Duplex> {
  const controller = new AbortController();
  const where = endpoint === undefined ? 'the connect function' : formatEndpoint(endpoint);
  const timeoutError = new FastCgiTimeoutError(ClientErrorCode.ConnectTimeout, `Could not connect to ${where} within ${timeout} ms`, { limit: timeout, unsent: true });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      controller.abort(timeoutError);
      reject(timeoutError);
    }, timeout);
  });
  try {
    const opening = connect !== undefined ? Promise.resolve(connect(endpoint, controller.signal)) : waitConnected(connectSocket(endpoint as Endpoint), controller.signal);
    opening.then((late) => { if (controller.signal.aborted) late.destroy(); }, () => {});
    return await Promise.race([opening, timedOut]);
  } catch (error) {
    if (error === timeoutError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new FastCgiClientError(ClientErrorCode.ConnectFailed, `Could not connect to ${where}: ${reason}`, { cause: error, unsent: true });
  } finally {
    clearTimeout(timer);
  }
}
