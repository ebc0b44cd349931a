/**
 * @fcgi/server: the FastCGI application runtime. Serves node:http listeners (Express,
 * Koa, plain handlers), fetch-style handlers and authorizers behind nginx, Apache,
 * lighttpd, HAProxy or IIS, over TCP, Unix sockets or the socket inherited on fd 0.
 *
 * @example
 * ```ts
 * import { createServer } from '@fcgi/server';
 * createServer((req, res) => res.end(`hello from ${req.fastcgi.role}`)).listen(9000, '127.0.0.1');
 * ```
 *
 * @module
 */
export { type ServerOptions, type FastCgiServerEvents, FastCgiServer, createServer } from './server.js';
export { type EngineOptions, type ResolvedEngineOptions, SERVER_DEFAULTS, normalizeAddress } from './options.js';
export { type ServerErrorCodeValue, FastCgiServerError, ServerErrorCode } from './errors.js';
export { type RequestListener, type RequestErrorReporter } from './node-handler.js';
export { type FastCgiRequestInfo, type PeerInfo, FastCgiIncomingMessage, FastCgiSocket, peerInfo, requestUrl } from './node-request.js';
export { requestHeaders } from './request-headers.js';
export { FastCgiServerResponse } from './node-response.js';
export { type FetchContext, type FetchHandler, sendWebResponse, toNodeListener, toWebRequest } from './fetch.js';
export { type AuthorizerAllow, type AuthorizerDeny, type AuthorizerHandler, type AuthorizerResult, toAuthorizerListener } from './authorizer.js';
export { type RoleName } from './request.js';
export { FastCgiError } from '@fcgi/codec';
