/**
 * Opening connections for the harness: to a FastCGI address over TCP or a Unix socket,
 * or to an in-process server over an in-memory pair, always through a tapped
 * {@link createDuplexPair} so every byte is seen.
 *
 * @module
 */
import { connect as netConnect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { parseAddress } from '@fcgi/client';
import type { FastCgiServer } from '@fcgi/server';
import { type Direction, createDuplexPair } from './duplex-pair.js';
import { FastCgiHarnessError, HarnessErrorCode } from './errors.js';

/**
 * Connects a socket to a FastCGI address (`host:port`, `tcp://host:port`, `unix:/path`),
 * resolving once connected; rejects on error or after `timeout` ms.
 *
 * @example
 * ```ts
 * const socket = await connectAddress('127.0.0.1:9000', 2000);
 * ```
 */
export function connectAddress(address: string, timeout: number): Promise<Socket> {
  const endpoint = parseAddress(address);
  const socket = endpoint.kind === 'unix' ? netConnect({ path: endpoint.path }) : netConnect({ host: endpoint.host, port: endpoint.port });
  if (endpoint.kind === 'tcp') socket.setNoDelay(true);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new FastCgiHarnessError(HarnessErrorCode.Timeout, `Could not connect to ${address} within ${timeout} ms`));
    }, timeout);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Joins one end of a pair to a real socket, both ways, ends and resets included. */
function bridge(end: Duplex, socket: Socket): void {
  end.on('data', (chunk: Buffer) => socket.write(chunk));
  socket.on('data', (chunk: Buffer) => end.write(chunk));
  end.on('end', () => socket.end());
  socket.on('end', () => end.end());
  socket.on('error', () => end.destroy());
  socket.on('close', () => end.destroy());
  end.on('close', () => socket.destroy());
}

/**
 * Where a harness connection goes: a running app's address, or an in-process server.
 *
 * @example
 * ```ts
 * const where: ConnectionTarget = { address: '127.0.0.1:9000' };
 * ```
 */
export type ConnectionTarget = { readonly address: string } | { readonly server: FastCgiServer };

/**
 * Opens a tapped connection to `target`: the returned Duplex is the client's end;
 * `onChunk` sees every chunk in both directions.
 *
 * @example
 * ```ts
 * const duplex = await openTappedConnection({ address: '127.0.0.1:9000' }, 2000, (direction, chunk) => log.push([direction, chunk]));
 * ```
 */
export async function openTappedConnection(target: ConnectionTarget, timeout: number, onChunk?: (direction: Direction, chunk: Uint8Array) => void): Promise<Duplex> {
  const { clientSide, appSide } = createDuplexPair(onChunk);
  if ('server' in target) {
    target.server.serveConnection(appSide);
    return clientSide;
  }
  const socket = await connectAddress(target.address, timeout);
  bridge(appSide, socket);
  return clientSide;
}
