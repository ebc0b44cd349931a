/**
 * What a forked benchmark app runs.
 *
 * @module
 */

/** The app kinds: our FastCGI server, node-fastcgi, node:http, our gateway, the fastcgi-client gateway, the codec-only responder, the codec-only gateway. */
export type AppKind = 'fcgi' | 'node-fastcgi' | 'http' | 'gateway' | 'fastcgi-client' | 'minimal' | 'minimal-gateway';

/** The JSON argument of `apps/app.js`. */
export interface AppSpec {
  kind: AppKind;
  /** Unix socket path to listen on; default a free 127.0.0.1 port. */
  path?: string;
  /** `fcgi`: answer FCGI_MPXS_CONNS=1 (default true). */
  multiplex?: boolean;
  /** Gateways: the FastCGI app's address. */
  upstream?: string;
  /** Gateways: SCRIPT_FILENAME root. */
  documentRoot?: string;
  /** `gateway`, `minimal-gateway`: the connection cap to the app. */
  connections?: number;
}
