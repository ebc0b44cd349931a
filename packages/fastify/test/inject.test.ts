import { injectedAppSuite } from '../../express/test/served-app-suite.js';
import { buildFastifyApp } from './fastify-app.js';

// The shared suite in-process through @fcgi/harness's inject: the Fastify instance itself is the target.
injectedAppSuite('Fastify instance', (context) => Promise.resolve(buildFastifyApp(context)));
