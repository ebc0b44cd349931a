/**
 * The dedicated Authorizer API: a function that allows (with variables for the request
 * that follows) or denies (with the response the client gets).
 *
 * @module
 */
import type { RequestListener } from './node-handler.js';
import type { FastCgiIncomingMessage } from './node-request.js';

/**
 * Allow the request; each variable becomes a `Variable-NAME: value` header of the 200 answer.
 *
 * @example
 * ```ts
 * const allow: AuthorizerAllow = { allow: true, variables: { USER: 'alice' } };
 * ```
 */
export interface AuthorizerAllow {
  readonly allow: true;
  /** Passed on by the web server to the request that follows (as params or env). */
  readonly variables?: Readonly<Record<string, string>>;
}

/**
 * Deny the request; the web server sends this response to the client.
 *
 * @example
 * ```ts
 * const deny: AuthorizerDeny = { allow: false, status: 401, headers: { 'WWW-Authenticate': 'Bearer' } };
 * ```
 */
export interface AuthorizerDeny {
  readonly allow: false;
  /** Default 403. A 200 here is turned into 403: 200 means "allow". */
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  readonly body?: string | Uint8Array;
}

/**
 * What an authorizer returns: a decision, or a plain boolean.
 *
 * @example
 * ```ts
 * const result: AuthorizerResult = false; // same as { allow: false } (403)
 * ```
 */
export type AuthorizerResult = AuthorizerAllow | AuthorizerDeny | boolean;

/**
 * Decides one Authorizer request. `req.fastcgi.params` holds the request's CGI variables
 * (REMOTE_USER, HTTP_AUTHORIZATION when the web server passes it, REQUEST_URI...).
 *
 * @example
 * ```ts
 * const authorizer: AuthorizerHandler = (req) =>
 *   req.headers.authorization === 'Bearer secret' ? { allow: true, variables: { USER: 'alice' } } : { allow: false, status: 401 };
 * ```
 */
export type AuthorizerHandler = (req: FastCgiIncomingMessage) => AuthorizerResult | Promise<AuthorizerResult>;

/**
 * Turns an authorizer into a node:http listener (what `createServer({ authorizer })`
 * does for Authorizer-role requests).
 *
 * @example
 * ```ts
 * const listener = toAuthorizerListener(() => ({ allow: true, variables: { ROLE: 'admin' } }));
 * ```
 */
export function toAuthorizerListener(handler: AuthorizerHandler): RequestListener {
  return async (req, res) => {
    const result = await handler(req);
    const decision: AuthorizerAllow | AuthorizerDeny = typeof result === 'boolean' ? (result ? { allow: true } : { allow: false }) : result;
    if (decision.allow) {
      for (const [name, value] of Object.entries(decision.variables ?? {})) res.setHeader(`Variable-${name}`, value);
      res.writeHead(200).end();
      return;
    }
    const status = decision.status === undefined || decision.status === 200 ? 403 : decision.status;
    for (const [name, value] of Object.entries(decision.headers ?? {})) res.setHeader(name, value);
    res.writeHead(status);
    res.end(decision.body ?? '');
  };
}
