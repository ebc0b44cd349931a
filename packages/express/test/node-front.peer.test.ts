import type { AddressInfo } from 'node:net';
import { createServer } from '@fcgi/server';
import { buildNodeListener, nodeAuthorizer } from './node-app.js';
import { webServerFrontSuite } from './web-server-front.js';

// The reference for the framework runs: a plain node:http listener on @fcgi/server.
webServerFrontSuite('a plain node:http listener', async (context) => {
  const server = createServer({ authorizer: nodeAuthorizer }, buildNodeListener(context));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1').once('listening', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
});
