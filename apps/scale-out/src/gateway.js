// The Node gateway balancing over several php-fpm pools: createGateway over a
// BalancedClient (round robin, passive health, failover of requests no pool received).
import { once } from 'node:events';
import { createServer } from 'node:http';
import { BalancedClient, createGateway } from '@fcgi/client';
import { siteDirectory } from './php-pools.js';

/**
 * Starts a node:http server on `port` (0: any free port) whose requests go to the pools.
 *
 * @example
 * const gateway = await startGateway({ pools: [{ address: '127.0.0.1:9001' }, { address: '127.0.0.1:9002' }] });
 * console.log(gateway.url);
 * await gateway.stop();
 * @param {{ pools: { address: string }[], connectionsPerPool?: number, port?: number, host?: string }} options
 */
export async function startGateway(options) {
  const client = new BalancedClient({
    upstreams: options.pools.map((pool) => pool.address),
    strategy: 'round-robin', // or 'least-busy': fewest running + queued requests
    connections: options.connectionsPerPool ?? 2, // = pm.max_children: a kept connection pins a php-fpm worker
    maxFails: 1, // one refused connection takes a pool out...
    failTimeout: 10_000, // ...for 10 s, as nginx's max_fails=1 fail_timeout=10s
    connectTimeout: 2_000,
  });
  const gateway = createGateway({ upstream: client, documentRoot: siteDirectory, index: 'index.php' });
  const server = createServer(gateway);
  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  try {
    await once(server, 'listening');
  } catch (error) {
    await client.close();
    throw error;
  }
  const { address, port } = server.address();
  return {
    kind: 'gateway',
    url: `http://${address}:${port}`,
    client,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await client.close();
    },
  };
}
