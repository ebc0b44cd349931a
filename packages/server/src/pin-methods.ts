/**
 * Express (and other frameworks that extend node's classes the same way) replaces the
 * prototype of every `req`/`res` with its own (`app.request`, `app.response`, which inherit
 * from node's plain `IncomingMessage`/`ServerResponse`). The FastCGI classes override a few
 * node internals (`_read`, `_storeHeader`, `_send`, `end`...); copying those members onto
 * each instance keeps them in force whatever prototype a framework sets, so such apps run
 * unchanged on `createServer(app)`.
 *
 * Copying costs about a microsecond a request, so it happens only when a framework is about
 * to swap: Express (4 and 5, and everything built on it) assigns `req.res = res` just
 * before its `Object.setPrototypeOf` calls, and {@link pinOnFrameworkAttach} turns that
 * assignment into the moment both objects are pinned. A framework that replaces the
 * prototypes without that assignment must call `pinOwnMethods` on both first.
 *
 * @module
 */

interface PinnedMembers {
  /** Plain methods: assigned (one fast property store each; `defineProperty` costs several times more). */
  readonly methods: readonly (readonly [string, unknown])[];
  /** Accessors and anything else: defined with their descriptor. */
  readonly others: readonly (readonly [string, PropertyDescriptor])[];
}

const cache = new WeakMap<object, PinnedMembers>();

function ownMembers(prototype: object): PinnedMembers {
  let members = cache.get(prototype);
  if (members === undefined) {
    const methods: (readonly [string, unknown])[] = [];
    const others: (readonly [string, PropertyDescriptor])[] = [];
    for (const [name, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(prototype))) {
      if (name === 'constructor') continue;
      if (typeof descriptor.value === 'function' && descriptor.writable === true) methods.push([name, descriptor.value]);
      else others.push([name, { ...descriptor, enumerable: false }]);
    }
    members = { methods, others };
    cache.set(prototype, members);
  }
  return members;
}

/**
 * Copies the members that an object's own class defines onto the object itself, so they
 * survive `Object.setPrototypeOf`. Idempotent; members already on the object are kept.
 * Methods become plain own properties (assigned, so enumerable, as when a middleware
 * wraps `res.end`).
 *
 * @example
 * ```ts
 * pinOwnMethods(req);
 * pinOwnMethods(res);
 * expressApp(req, res); // Express swaps the prototypes; the FastCGI behaviour stays
 * ```
 */
export function pinOwnMethods(target: object): void {
  const prototype = Object.getPrototypeOf(target) as object | null;
  if (prototype === null) return;
  const { methods, others } = ownMembers(prototype);
  const record = target as Record<string, unknown>;
  for (const [name, value] of methods) {
    if (!Object.prototype.hasOwnProperty.call(target, name)) record[name] = value;
  }
  for (const [name, descriptor] of others) {
    if (!Object.prototype.hasOwnProperty.call(target, name)) Object.defineProperty(target, name, descriptor);
  }
}

/**
 * Defines a `res` accessor on a request class's prototype: the first `req.res = value` (what
 * Express does right before swapping the prototypes of both) calls `pinBoth(req)`, which
 * pins the request and its own response with {@link pinOwnMethods}, then stores the value as
 * the request's own property, so later reads and writes of `req.res` are plain accesses.
 *
 * @example
 * ```ts
 * class FastCgiRequest extends IncomingMessage {
 *   static {
 *     pinOnFrameworkAttach(this.prototype, (req) => { pinOwnMethods(req); pinOwnMethods(responseOf(req)); });
 *   }
 * }
 * req.res = res; // Express's init: req and res are pinned here
 * Object.setPrototypeOf(req, app.request); // the FastCGI overrides stay in force
 * ```
 */
export function pinOnFrameworkAttach(prototype: object, pinBoth: (request: object) => void): void {
  Object.defineProperty(prototype, 'res', {
    configurable: true,
    enumerable: false,
    get: (): undefined => undefined,
    set(this: object, value: unknown) {
      pinBoth(this);
      Object.defineProperty(this, 'res', { configurable: true, enumerable: true, writable: true, value });
    },
  });
}
