/**
 * Symbol brands for value objects: `x instanceof Fault` must hold for a Fault made by another copy
 * of this package (two copies installed side by side), so classes check a `Symbol.for` brand in
 * `static [Symbol.hasInstance]` instead of the prototype chain, as cdk8s-core does for ApiObject.
 */

/** Marks `obj` with the brand `symbol` (non-enumerable, so JSON and equality ignore it). */
export function brand<T extends object>(obj: T, symbol: symbol): T {
  Object.defineProperty(obj, symbol, { value: true });
  return obj;
}

/** Whether `x` carries the brand `symbol`. */
export function hasBrand(x: unknown, symbol: symbol): boolean {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[symbol] === true;
}
