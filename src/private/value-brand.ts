/**
 * The brand helpers of `./brand` under the names the route-feature value objects use. Symbol brands
 * let `x instanceof Fault` hold for a Fault made by another copy of this package.
 */
export { addBrand as brand, hasBrand } from './brand';
