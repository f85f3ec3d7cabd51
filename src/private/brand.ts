/**
 * Symbol brands: how the library recognizes its own types at run time. `instanceof` fails when an
 * app ends up with two copies of the package (a wrapper library pinning another version, a monorepo
 * with two `node_modules`): an object made by one copy is not an instance of the other copy's class.
 * As cdk8s-core does for `ApiObject`, every class the library checks at run time carries a
 * `Symbol.for('cdk8s-istio.<Type>')` property (the global symbol registry is shared by every copy),
 * has a static `is<Type>(x)` guard, and a `static [Symbol.hasInstance]` so that `x instanceof Type`
 * in app code means the same.
 */

/** The global symbol of a branded type: `Symbol.for('cdk8s-istio.<type>')`. */
export function brandSymbol(type: string): symbol {
  return Symbol.for(`cdk8s-istio.${type}`);
}

/** Marks `obj` with `brand` (non-enumerable, so it never shows in JSON or equality checks). */
export function addBrand(obj: object, brand: symbol): void {
  Object.defineProperty(obj, brand, { value: true, enumerable: false, configurable: false, writable: false });
}

/** Whether `x` carries `brand`. */
export function hasBrand(x: unknown, brand: symbol): boolean {
  return (typeof x === 'object' || typeof x === 'function') && x !== null && (x as Record<symbol, unknown>)[brand] === true;
}
