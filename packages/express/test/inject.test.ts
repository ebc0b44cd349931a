import { createServer } from '@fcgi/server';
import { toFastCgi } from '../src/index.js';
import { buildAuthorizerApp, buildExpressApp } from './express-app.js';
import { buildNodeListener, nodeAuthorizer } from './node-app.js';
import { injectedAppSuite } from './served-app-suite.js';

// The shared suite in-process through @fcgi/harness's inject: no socket, no port.
injectedAppSuite('Express app', (context) => Promise.resolve(toFastCgi(buildExpressApp(context), { authorizer: buildAuthorizerApp() })));

injectedAppSuite('a plain node:http listener', (context) => Promise.resolve(createServer({ authorizer: nodeAuthorizer }, buildNodeListener(context))));
