import type { AddressInfo } from 'node:net';
import { serve } from '../src/index.js';
import { buildAuthorizerApp, buildExpressApp } from './express-app.js';
import { webServerFrontSuite } from './web-server-front.js';

webServerFrontSuite('an Express app served with serve()', async (context) => {
  const server = await serve(buildExpressApp(context), { listen: 0, authorizer: buildAuthorizerApp() });
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
});
