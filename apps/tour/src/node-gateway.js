// The Node gateway: a node:http server on a free loopback port whose handler is
// @fcgi/client's createGateway, forwarding every request to one FastCGI app.
import { once } from 'node:events';
import { createServer } from 'node:http';
import { createGateway } from '@fcgi/client';

/**
 * Starts an HTTP server in front of a FastCGI app. With `documentRoot`, SCRIPT_FILENAME is
 * the script under it (php-fpm needs that); without, every request goes to the app as is.
 * `stop()` closes the HTTP server, then the gateway's connections.
 *
 * @example
 * const gateway = await startNodeGateway({ upstream: { address: '127.0.0.1:9000' } });
 * console.log(gateway.url); // 'http://127.0.0.1:41234'
 * await gateway.stop();
 * @param {{ upstream: import('@fcgi/client').ClientOptions, documentRoot?: string, onStderr?: (line: string) => void }} options
 */
export async function startNodeGateway(options) {
  const gateway = createGateway({
    upstream: { connectTimeout: 5_000, headersTimeout: 10_000, ...options.upstream },
    documentRoot: options.documentRoot,
    checkScriptExists: options.documentRoot !== undefined,
    onStderr: options.onStderr,
  });
  const server = createServer(gateway);
  server.listen(0, '127.0.0.1');
  try {
    await once(server, 'listening');
  } catch (error) {
    await gateway.close();
    throw error;
  }
  const { address, port } = server.address();
  return {
    url: `http://${address}:${port}`,
    server,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await gateway.close();
    },
  };
}
