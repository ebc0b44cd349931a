/**
 * Test support: our FastCGI server on an ephemeral loopback port, and raw peers, all
 * closed after each test.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { type FastCgiServer, type RequestListener, type ServerOptions, createServer } from '@fcgi/server';
import { afterEach } from 'vitest';
import { RawPeer } from '../../src/raw-peer.js';

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Registers a cleanup that runs after the current test. */
export function onCleanup(cleanup: () => Promise<void> | void): void {
  cleanups.push(cleanup);
}

/** A started server, its port and what it reported. */
export interface Started {
  server: FastCgiServer;
  port: number;
  connectionErrors: { code?: string }[];
  requestErrors: { code?: string }[];
  handled: string[];
}

/** The default handler: drains the body and answers `ok <uri> <body length>`. */
export const echoLength: RequestListener = async (req, res) => {
  let length = 0;
  for await (const chunk of req) length += (chunk as Buffer).length;
  res.end(`ok ${req.url ?? ''} ${length}`);
};

/** Starts @fcgi/server on 127.0.0.1 with an ephemeral port; closed after the test. */
export async function startServer(options: ServerOptions = {}, listener: RequestListener = echoLength): Promise<Started> {
  const handled: string[] = [];
  const server = createServer({ closeTimeout: 500, ...options }, (req, res) => {
    handled.push(req.url ?? '');
    return listener(req, res);
  });
  const connectionErrors: { code?: string }[] = [];
  const requestErrors: { code?: string }[] = [];
  server.on('connectionError', (error: { code?: string }) => connectionErrors.push(error));
  server.on('requestError', (error: { code?: string }) => requestErrors.push(error));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  onCleanup(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { server, port: (server.address() as AddressInfo).port, connectionErrors, requestErrors, handled };
}

/** A raw peer, destroyed after the test. */
export async function peer(port: number): Promise<RawPeer> {
  const raw = await RawPeer.connect(port);
  onCleanup(() => raw.destroy());
  return raw;
}
