/**
 * Express (and other frameworks that extend node's classes the same way) replaces the
 * prototype of every `req`/`res` with its own (`app.request`, `app.response`, which inherit
 * from node's plain `IncomingMessage`/`ServerResponse`). The FastCGI classes override a few
 * node internals (`_read`, `_storeHeader`, `_send`, `end`...); copying those members onto
 * each instance keeps them in force whatever prototype a framework sets, so such apps run
 * unchanged on `createServer(app)`.
 *
 * @module
 */

const cache = new WeakMap<object, readonly (readonly [string, PropertyDescriptor])[]>();

function ownMembers(prototype: object): readonly (readonly [string, PropertyDescriptor])[] {
  let members = cache.get(prototype);
  if (members === undefined) {
    members = Object.entries(Object.getOwnPropertyDescriptors(prototype))
      .filter(([name]) => name !== 'constructor')
      .map(([name, descriptor]) => [name, { ...descriptor, enumerable: false }] as const);
    cache.set(prototype, members);
  }
  return members;
}

/**
 * Copies the members that an object's own class defines onto the object itself, so they
 * survive `Object.setPrototypeOf`. Idempotent; members already on the object are kept.
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
  for (const [name, descriptor] of ownMembers(prototype)) {
    if (!Object.prototype.hasOwnProperty.call(target, name)) Object.defineProperty(target, name, descriptor);
  }
}
