/**
 * Express replaces the prototype of every `req`/`res` with its own (`app.request`,
 * `app.response`, which inherit from node's plain classes). The FastCGI request and
 * response classes override a few node internals (`_read`, `_storeHeader`, `_send`,
 * `end`...); copying those methods onto the instances keeps them in force whatever
 * prototype Express sets.
 *
 * @module
 */

/**
 * Copies the methods a FastCGI object's class defines onto the object itself, so they
 * survive `Object.setPrototypeOf`. Idempotent.
 *
 * @example
 * ```ts
 * pinOwnMethods(req);
 * pinOwnMethods(res);
 * app(req, res);
 * ```
 */
export function pinOwnMethods(target: object): void {
  const prototype = Object.getPrototypeOf(target) as object | null;
  if (prototype === null) return;
  const descriptors = Object.getOwnPropertyDescriptors(prototype);
  for (const [name, descriptor] of Object.entries(descriptors)) {
    if (name === 'constructor' || Object.prototype.hasOwnProperty.call(target, name)) continue;
    Object.defineProperty(target, name, { ...descriptor, enumerable: false });
  }
}
