// The Node side: one @fcgi/server that answers the AUTHORIZER requests of Apache and lighttpd (the
// `authorizer` option) and serves the protected API as a Responder (the listener).
import { createServer } from '@fcgi/server';

/**
 * The demo's tokens. In real life: a database, a JWT check, an OAuth introspection call.
 * @type {Record<string, { user: string, team: string }>}
 */
export const demoTokens = {
  'alice-token': { user: 'alice', team: 'ops' },
  'bob-token': { user: 'bob', team: 'guests' },
};

/** `Authorization: Bearer TOKEN` (Apache sends it as HTTP_AUTHORIZATION only with CGIPassAuth On; lighttpd always). */
function bearerToken(params) {
  return /^Bearer\s+(\S+)$/i.exec(params.HTTP_AUTHORIZATION ?? '')?.[1];
}

function deny(status, message) {
  return {
    allow: false,
    status,
    headers: status === 401 ? { 'WWW-Authenticate': 'Bearer realm="apache-authorizer"', 'Content-Type': 'text/plain' } : { 'Content-Type': 'text/plain' },
    body: `${message}\n`,
  };
}

/**
 * The authorizer: called once per protected request, with the request's params and no body.
 * Allow: `{ allow: true, variables }`, sent as 200 with `Variable-NAME` headers. Deny: 401
 * without a known token, 403 for the guests team on /api/admin.
 *
 * @example
 * createServer({ authorizer: createAuthorizer(demoTokens) }, listener);
 * @param {Record<string, { user: string, team: string }>} tokens
 * @param {(line: string) => void} [log]
 * @returns {import('@fcgi/server').AuthorizerHandler}
 */
export function createAuthorizer(tokens, log = () => undefined) {
  return (request) => {
    const params = request.fastcgi.params;
    const token = bearerToken(params);
    const identity = token === undefined ? undefined : tokens[token];
    const decision = decide(identity, params.REQUEST_URI ?? '');
    // Apache's mod_authnz_fcgi sends FCGI_ROLE=AUTHORIZER and FCGI_APACHE_ROLE=AUTHENTICATOR; lighttpd neither.
    const roles = [params.FCGI_ROLE ?? request.fastcgi.role.toUpperCase(), params.FCGI_APACHE_ROLE].filter(Boolean).join('/');
    log(`authorizer (${roles}): ${params.REQUEST_METHOD} ${params.REQUEST_URI} token=${token === undefined ? 'none' : 'given'} -> ${decision.allow ? 'allow' : decision.status}`);
    return decision;
  };
}

function decide(identity, uri) {
  if (identity === undefined) return deny(401, 'A valid bearer token is required.');
  if (identity.team === 'guests' && uri.startsWith('/api/admin')) return deny(403, `${identity.user} may not use the admin API.`);
  return { allow: true, variables: { AUTH_USER: identity.user, AUTH_TEAM: identity.team } };
}

/**
 * The protected responder behind `/api/` (Apache's `ProxyPass`, lighttpd's responder entry):
 * shows what the web server passed on.
 *
 * @example
 * createServer({ authorizer }, apiListener);
 * @param {import('@fcgi/server').FastCgiIncomingMessage} request
 * @param {import('@fcgi/server').FastCgiServerResponse} response
 */
export async function apiListener(request, response) {
  const params = request.fastcgi.params;
  let bodyBytes = 0;
  for await (const chunk of request) bodyBytes += chunk.length;
  const body = {
    url: request.url,
    method: request.method,
    user: params.AUTH_USER ?? null, // Variable-AUTH_USER from the authorizer
    team: params.AUTH_TEAM ?? null, // Variable-AUTH_TEAM
    remoteUser: params.REMOTE_USER ?? null, // set by Apache from UserExpr (lighttpd sets none)
    remoteAddress: request.socket.remoteAddress, // REMOTE_ADDR: the HTTP client
    bodyBytes, // the request body reaches the responder (the authorizer gets none)
  };
  response.setHeader('Content-Type', 'application/json');
  response.end(`${JSON.stringify(body)}\n`);
}

/**
 * One FastCGI server for both roles, for Apache and lighttpd alike; call
 * `listen(port, '127.0.0.1')` (TCP: mod_authnz_fcgi cannot use Unix sockets).
 *
 * @example
 * createAuthServer({ log: console.log }).listen(9001, '127.0.0.1');
 * @param {{ tokens?: Record<string, { user: string, team: string }>, log?: (line: string) => void }} [options]
 */
export function createAuthServer(options = {}) {
  return createServer({ authorizer: createAuthorizer(options.tokens ?? demoTokens, options.log) }, apiListener);
}
