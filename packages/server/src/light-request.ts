/**
 * The `Request` a fetch handler gets: `method`, `url`, `headers` and `signal` come straight
 * from the FastCGI request, and a real web `Request` (undici's, costly to build: about
 * 40 µs with an abort signal on Node 20) is made only when something else is asked for
 * (the body, `clone()`, `cache`...). A handler that routes on the method and URL and reads
 * a few headers never pays for it.
 *
 * @module
 */
import type { FastCgiIncomingMessage } from './node-request.js';

/** Methods a light request serves itself; any other goes to a real `Request` at once (it validates them). */
const lightMethods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']);

const incomingSlot: unique symbol = Symbol('fcgi.incoming');
const urlSlot: unique symbol = Symbol('fcgi.url');
const headersSlot: unique symbol = Symbol('fcgi.headers');
const realSlot: unique symbol = Symbol('fcgi.request');

/** What a light request holds, and how it makes the real `Request`. */
interface LightState {
  [incomingSlot]: FastCgiIncomingMessage;
  [urlSlot]: string;
  [headersSlot]: Headers | undefined;
  [realSlot]: Request | undefined;
}

/**
 * Builds the real `Request` of a FastCGI request (its headers given, to keep changes made to them).
 *
 * @example
 * ```ts
 * const factory: RealRequestFactory = (req, url, headers) => new Request(url, { method: req.method, headers });
 * ```
 */
export type RealRequestFactory = (req: FastCgiIncomingMessage, url: string, headers: Headers) => Request;

/**
 * The headers of a request as a web `Headers` (values a web `Headers` refuses are skipped).
 *
 * @example
 * ```ts
 * webHeaders(req).get('host'); // 'example.com'
 * ```
 */
export function webHeaders(req: FastCgiIncomingMessage): Headers {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let index = 0; index < raw.length; index += 2) {
    try {
      headers.append(raw[index] as string, raw[index + 1] as string);
    } catch {
      // A header value a web Request cannot carry: skipped.
    }
  }
  return headers;
}

function real(light: LightState, factory: RealRequestFactory): Request {
  let request = light[realSlot];
  if (request === undefined) {
    request = factory(light[incomingSlot], light[urlSlot], headersOf(light));
    light[realSlot] = request;
  }
  return request;
}

function headersOf(light: LightState): Headers {
  const made = light[realSlot];
  if (made !== undefined) return made.headers;
  let headers = light[headersSlot];
  if (headers === undefined) {
    headers = webHeaders(light[incomingSlot]);
    light[headersSlot] = headers;
  }
  return headers;
}

/** `Request` members served by the real request, as accessors. */
const delegatedProperties = ['body', 'bodyUsed', 'cache', 'credentials', 'destination', 'integrity', 'keepalive', 'mode', 'redirect', 'referrer', 'referrerPolicy', 'duplex'] as const;
/** `Request` methods served by the real request. */
const delegatedMethods = ['arrayBuffer', 'blob', 'bytes', 'clone', 'formData', 'json', 'text'] as const;

function lightPrototype(factory: RealRequestFactory): object {
  const prototype: object = Object.create(Request.prototype) as object;
  const define = (name: PropertyKey, descriptor: PropertyDescriptor): void => {
    Object.defineProperty(prototype, name, { configurable: true, enumerable: false, ...descriptor });
  };
  define('method', {
    get(this: LightState): string {
      return this[incomingSlot].method ?? 'GET';
    },
  });
  define('url', {
    get(this: LightState): string {
      return this[urlSlot];
    },
  });
  define('headers', {
    get(this: LightState): Headers {
      return headersOf(this);
    },
  });
  define('signal', {
    get(this: LightState): AbortSignal {
      return this[realSlot]?.signal ?? this[incomingSlot].fastcgi.signal;
    },
  });
  for (const name of delegatedProperties) {
    define(name, {
      get(this: LightState): unknown {
        return (real(this, factory) as unknown as Record<string, unknown>)[name];
      },
    });
  }
  for (const name of delegatedMethods) {
    define(name, {
      writable: true,
      value(this: LightState, ...args: unknown[]): unknown {
        const request = real(this, factory) as unknown as Record<string, (...methodArgs: unknown[]) => unknown>;
        return request[name]?.(...args);
      },
    });
  }
  define(Symbol.for('nodejs.util.inspect.custom'), {
    writable: true,
    value(this: LightState, depth: number, options: object, inspect: (value: unknown, options: object) => string): string {
      return inspect(real(this, factory), options);
    },
  });
  return prototype;
}

/**
 * Makes light requests for one way of building the real one.
 *
 * @example
 * ```ts
 * const toRequest = lightRequests((req, url, headers) => new Request(url, { method: req.method, headers }));
 * const request = toRequest(req, 'http://example.com/'); // request instanceof Request
 * ```
 */
export function lightRequests(factory: RealRequestFactory): (req: FastCgiIncomingMessage, url: string) => Request {
  // Made on first use: reading the global `Request` loads node's fetch implementation, which
  // a server with a node:http-style handler never needs.
  let prototype: object | undefined;
  return (req, url) => {
    // Other methods, and lower-case ones (which a Request normalises or refuses), get the real one at once.
    if (!lightMethods.has(req.method ?? 'GET')) return factory(req, url, webHeaders(req));
    const light = Object.create((prototype ??= lightPrototype(factory))) as LightState;
    light[incomingSlot] = req;
    light[urlSlot] = url;
    light[headersSlot] = undefined;
    light[realSlot] = undefined;
    return light as unknown as Request;
  };
}
