/**
 * Which requests reach the app: the CGI mapping, then (with a document root) the script
 * rules: only script paths, a front controller for the rest, missing scripts handed back.
 *
 * @module
 */
import { stat } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { posix } from 'node:path';
import { type CgiMapping, type CgiParamsOptions, DEFAULT_SPLIT_PATH_INFO, mapCgiParams } from './cgi-params.js';

/**
 * The script rules of {@link routeRequest}.
 *
 * @example
 * ```ts
 * const rules: ScriptRoutingOptions = { documentRoot: '/srv/www', scriptsOnly: true, frontController: 'index.php' };
 * ```
 */
export interface ScriptRoutingOptions extends CgiParamsOptions {
  /** With a `documentRoot`: hand back paths that are not scripts (`splitPathInfo` does not match) instead of forwarding them. */
  scriptsOnly?: boolean | undefined;
  /** With a `documentRoot`: the script that runs paths that are neither an existing script nor an existing file, the path as PATH_INFO. */
  frontController?: string | undefined;
  /** Hand back a SCRIPT_FILENAME that is not a file instead of asking the app. */
  checkScriptExists?: boolean | undefined;
}

/**
 * Where a request goes: the app with these params, back to the caller (and why), or
 * refused with a status.
 *
 * @example
 * ```ts
 * const route: ScriptRoute = await routeRequest(request, request.url ?? '/', { documentRoot: '/srv/www' });
 * ```
 */
export type ScriptRoute =
  | { readonly kind: 'script'; readonly params: [string, string][] }
  | { readonly kind: 'fallthrough'; readonly reason: 'not-a-script' | 'missing-script' }
  | { readonly kind: 'refused'; readonly status: 400 | 404; readonly reason: string };

async function isFile(path: string | undefined): Promise<boolean> {
  if (path === undefined) return false;
  const info = await stat(path).catch(() => undefined);
  return info?.isFile() === true;
}

/** The URL that runs the front controller with the request path as PATH_INFO. */
function frontControllerUrl(url: string, frontController: string): string {
  const queryIndex = url.indexOf('?');
  const path = queryIndex === -1 ? url : url.slice(0, queryIndex);
  const query = queryIndex === -1 ? '' : url.slice(queryIndex);
  return `/${frontController.replace(/^\//, '')}${path === '/' ? '' : path}${query}`;
}

function toRoute(mapping: Extract<CgiMapping, { ok: true }>): ScriptRoute {
  return { kind: 'script', params: mapping.params };
}

/**
 * Sets a param of a route: replaces the value where the name already is (so the order of
 * the params is kept), or appends it.
 *
 * @example
 * ```ts
 * setParam(route.params, 'CONTENT_LENGTH', '12');
 * ```
 */
export function setParam(params: [string, string][], name: string, value: string): void {
  for (const pair of params) {
    if (pair[0] === name) {
      pair[1] = value;
      return;
    }
  }
  params.push([name, value]);
}

/** The front controller's mapping, REQUEST_URI kept as the client sent it. */
function frontRoute(request: IncomingMessage, url: string, frontController: string, options: CgiParamsOptions): ScriptRoute {
  const mapping = mapCgiParams(request, options, frontControllerUrl(url, frontController));
  if (!mapping.ok) return { kind: 'refused', status: mapping.status, reason: mapping.reason };
  setParam(mapping.params, 'REQUEST_URI', url);
  return { kind: 'script', params: mapping.params };
}

function routeInRoot(request: IncomingMessage, url: string, mapping: Extract<CgiMapping, { ok: true }>, options: ScriptRoutingOptions & { documentRoot: string }): ScriptRoute | Promise<ScriptRoute> {
  const mustCheck = options.frontController !== undefined || options.checkScriptExists === true;
  if (options.scriptsOnly !== true && !mustCheck) return toRoute(mapping);
  const documentUri = mapping.params.find(([name]) => name === 'DOCUMENT_URI')?.[1] ?? '';
  const isScript = options.scriptsOnly !== true || (options.splitPathInfo ?? DEFAULT_SPLIT_PATH_INFO).test(documentUri);
  if (!mustCheck) return isScript ? toRoute(mapping) : { kind: 'fallthrough', reason: 'not-a-script' };
  return routeChecked(request, url, mapping, options, documentUri, isScript);
}

/** The script rules that look at files: the script must exist, else the front controller or a fallthrough. */
async function routeChecked(request: IncomingMessage, url: string, mapping: Extract<CgiMapping, { ok: true }>, options: ScriptRoutingOptions & { documentRoot: string }, documentUri: string, isScript: boolean): Promise<ScriptRoute> {
  const front = options.frontController;
  if (isScript && (await isFile(mapping.scriptFilename))) return toRoute(mapping);
  if (front === undefined) return { kind: 'fallthrough', reason: isScript ? 'missing-script' : 'not-a-script' };
  if (!isScript && (await isFile(posix.join(posix.resolve(options.documentRoot), documentUri)))) return { kind: 'fallthrough', reason: 'not-a-script' };
  return frontRoute(request, url, front, options);
}

/**
 * Maps `request` (its full URL being `url`, sent as REQUEST_URI) to CGI params and
 * applies the script rules of a document root. Returns the route itself when no file has
 * to be looked at (no promise to wait for), else a promise of it.
 *
 * @example
 * ```ts
 * const route = await routeRequest(request, request.url ?? '/', { documentRoot: '/srv/www', checkScriptExists: true });
 * if (route.kind === 'script') await client.request({ params: route.params, body: request });
 * ```
 */
export function routeRequest(request: IncomingMessage, url: string, options: ScriptRoutingOptions): ScriptRoute | Promise<ScriptRoute> {
  const mapping = mapCgiParams(request, options, url);
  if (!mapping.ok) return { kind: 'refused', status: mapping.status, reason: mapping.reason };
  if (options.documentRoot === undefined) return toRoute(mapping);
  return routeInRoot(request, url, mapping, options as ScriptRoutingOptions & { documentRoot: string });
}
