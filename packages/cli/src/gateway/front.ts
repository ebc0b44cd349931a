/**
 * The HTTP front of `fcgi gateway`: `createGateway` of @fcgi/client over one or several
 * upstreams, static files next to the scripts with `--root`, one access log line per
 * request.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { type Gateway, createGateway } from '@fcgi/client';
import { isScriptPath, notFound, requestPath, serveStatic } from './static-files.js';

/**
 * What the gateway forwards to and serves.
 *
 * @example
 * ```ts
 * const settings: FrontSettings = { upstreams: ['127.0.0.1:9000'], root: '/srv/www', index: 'index.php', scripts: /\.php$/ };
 * ```
 */
export interface FrontSettings {
  readonly upstreams: readonly string[];
  readonly root: string | undefined;
  readonly index: string;
  readonly scripts: RegExp;
}

/**
 * The handler and its gateway (to close it).
 *
 * @example
 * ```ts
 * const front = createFront(settings, (line) => console.log(line), (line) => console.error(line));
 * http.createServer(front.handle).listen(8080);
 * ```
 */
export interface Front {
  readonly handle: (request: IncomingMessage, response: ServerResponse) => void;
  readonly gateway: Gateway;
}

function accessLine(request: IncomingMessage, response: ServerResponse, started: number, via: string): string {
  const length = response.getHeader('content-length') ?? '-';
  const client = request.socket.remoteAddress ?? '-';
  return `${client} "${request.method ?? '-'} ${request.url ?? '-'} HTTP/${request.httpVersion}" ${response.statusCode} ${String(length)} ${Math.round(performance.now() - started)}ms ${via}`;
}

/**
 * Builds the request handler: scripts (and, without a root, every request) go to the
 * upstream; with a root, other existing files are served statically, the rest get 404.
 *
 * @example
 * ```ts
 * const front = createFront({ upstreams: ['127.0.0.1:9000'], root: undefined, index: 'index.php', scripts: /\.php$/ }, log, warn);
 * ```
 */
export function createFront(settings: FrontSettings, log: (line: string) => void, warn: (line: string) => void): Front {
  const root = settings.root === undefined ? undefined : resolve(settings.root);
  const gateway = createGateway({
    upstream: settings.upstreams.length === 1 ? (settings.upstreams[0] as string) : settings.upstreams,
    ...(root === undefined ? {} : { documentRoot: root }),
    index: settings.index,
    serverSoftware: 'fcgi-gateway',
    onStderr: (line, request) => warn(`${request.method ?? '-'} ${request.url ?? '-'}: ${line}`),
    onError: (error, request) => warn(`${request.method ?? '-'} ${request.url ?? '-'}: ${(error as { code?: string }).code ?? 'error'}: ${error instanceof Error ? error.message : String(error)}`),
  });
  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    const started = performance.now();
    let via = 'upstream';
    response.once('close', () => log(accessLine(request, response, started, via)));
    const path = root === undefined ? undefined : requestPath(request.url ?? '/');
    if (root === undefined || path === undefined || isScriptPath(path, settings.scripts, settings.index)) {
      gateway(request, response);
      return;
    }
    via = 'static';
    serveStatic(request, response, root, path, settings.index).then(
      (served) => (served ? undefined : notFound(response)),
      () => response.destroy(),
    );
  };
  return { handle, gateway };
}
