/**
 * @fcgi/client: talk to php-fpm or any FastCGI app from Node. Pooled keep-alive
 * connections, streaming both ways with backpressure, timeouts, abort, all three roles,
 * GET_VALUES, and an HTTP gateway.
 *
 * @example
 * ```ts
 * import { Client } from '@fcgi/client';
 * const client = new Client({ address: '127.0.0.1:9000' });
 * const response = await client.request({ params: { SCRIPT_FILENAME: '/srv/www/hello.php', REQUEST_METHOD: 'GET' } });
 * response.body.pipe(process.stdout);
 * ```
 *
 * @module
 */
export { Client, type ClientStats } from './client.js';
export { type DispatchHandler, type DispatchController } from './dispatch.js';
export { BalancedClient, type BalancedClientOptions } from './balanced.js';
export { type ClientOptions, type ConnectFunction, CLIENT_DEFAULTS } from './options.js';
export { type RequestOptions, type ClientResponse, type BodyReadOptions, type RequestEnd, type RoleInput } from './request-options.js';
export { type RequestBody } from './body.js';
export { type Endpoint, parseAddress, formatEndpoint } from './address.js';
export { ClientErrorCode, type ClientErrorCodeValue, FastCgiClientError, FastCgiTimeoutError, FastCgiUpstreamError } from './errors.js';
export { createGateway, type Gateway, type GatewayOptions } from './gateway/gateway.js';
export { Forwarder, type ForwardOptions, type ForwardOutcome, type UpstreamOutcome, type FallthroughReason, type OpenOptions } from './gateway/forwarder.js';
export { ForwardErrorCode, FastCgiForwardError, upstreamStatus } from './gateway/forward-error.js';
export { responseHeaders, sanitizeLogLine } from './gateway/upstream-response.js';
export { type ScriptRoutingOptions } from './gateway/script-routing.js';
export { type ListenTarget, toListenOptions } from './gateway/listen-target.js';
export { mapCgiParams, normalizePath, type CgiMapping, type CgiParamsOptions, DEFAULT_SPLIT_PATH_INFO } from './gateway/cgi-params.js';
