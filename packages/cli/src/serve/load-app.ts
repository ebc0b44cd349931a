/**
 * Loading the module `fcgi serve` runs, and recognising its default export by shape: a
 * node:http listener, a fetch handler, an Express app or a Fastify instance. The user's own
 * copy of Express or Fastify is used; nothing here depends on them.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FetchHandler, RequestListener } from '@fcgi/server';
import { usageError } from '../errors.js';

/**
 * What a module's default export was recognised as, with what serves it.
 *
 * @example
 * ```ts
 * const app: ServedApp = { kind: 'node:http listener', listener: (req, res) => res.end('hi') };
 * ```
 */
export type ServedApp =
  | { readonly kind: 'node:http listener' | 'Express app' | 'Fastify instance'; readonly listener: RequestListener; readonly ready?: () => Promise<void> }
  | { readonly kind: 'fetch handler'; readonly fetch: FetchHandler };

interface FastifyShape {
  ready(): PromiseLike<unknown>;
  routing(req: unknown, res: unknown): void;
}

function isFastify(value: unknown): value is FastifyShape {
  const candidate = value as Partial<FastifyShape> | null;
  return (typeof value === 'object' || typeof value === 'function') && candidate !== null && typeof candidate.ready === 'function' && typeof candidate.routing === 'function';
}

function isExpress(value: unknown): boolean {
  const candidate = value as { handle?: unknown; set?: unknown; use?: unknown };
  return typeof value === 'function' && typeof candidate.handle === 'function' && typeof candidate.set === 'function' && typeof candidate.use === 'function';
}

function hasFetch(value: unknown): value is { fetch: FetchHandler } {
  return typeof value === 'object' && value !== null && typeof (value as { fetch?: unknown }).fetch === 'function';
}

/**
 * Recognises what a module exports. Functions of two or more parameters are node:http
 * listeners, of fewer fetch handlers; Express and Fastify are recognised by their methods.
 *
 * @example
 * ```ts
 * recogniseApp((request: Request) => new Response('hi'), 'app.js').kind; // 'fetch handler'
 * ```
 */
export function recogniseApp(value: unknown, specifier: string): ServedApp {
  if (isFastify(value)) {
    const app = value;
    return { kind: 'Fastify instance', listener: (req, res) => app.routing(req, res), ready: async () => void (await app.ready()) };
  }
  if (isExpress(value)) return { kind: 'Express app', listener: value as RequestListener };
  if (hasFetch(value)) {
    const app = value;
    return { kind: 'fetch handler', fetch: (request, context) => app.fetch(request, context) };
  }
  if (typeof value === 'function') {
    if (value.length >= 2) return { kind: 'node:http listener', listener: value as RequestListener };
    return { kind: 'fetch handler', fetch: value as FetchHandler };
  }
  throw usageError(`${specifier} must export by default a (req, res) listener, a fetch handler, an object with a fetch method, an Express app or a Fastify instance; its default export is ${value === null ? 'null' : typeof value}`);
}

/**
 * The URL to import for MODULE: a file relative to `cwd` (or absolute) when it exists,
 * else a package name resolved from `cwd`'s node_modules.
 *
 * @example
 * ```ts
 * moduleUrl('./app.js', '/srv/app'); // 'file:///srv/app/app.js'
 * ```
 */
export function moduleUrl(specifier: string, cwd: string): string {
  const path = isAbsolute(specifier) ? specifier : resolve(cwd, specifier);
  if (existsSync(path)) return pathToFileURL(path).href;
  if (specifier.startsWith('.') || isAbsolute(specifier)) throw usageError(`cannot find module '${specifier}' (looked for ${path})`);
  try {
    return pathToFileURL(createRequire(join(cwd, 'package.json')).resolve(specifier)).href;
  } catch {
    throw usageError(`cannot find module '${specifier}': no such file in ${cwd}, and no such package`);
  }
}

/**
 * Imports MODULE and recognises its default export (or the module itself when it has no
 * default export but a `fetch` function, as Bun-style modules do).
 *
 * @example
 * ```ts
 * const app = await loadApp('./app.js', process.cwd());
 * ```
 */
export async function loadApp(specifier: string, cwd: string): Promise<ServedApp> {
  const namespace = (await import(moduleUrl(specifier, cwd))) as { default?: unknown; fetch?: unknown };
  const exported = namespace.default ?? (typeof namespace.fetch === 'function' ? namespace : undefined);
  return recogniseApp(exported, specifier);
}
