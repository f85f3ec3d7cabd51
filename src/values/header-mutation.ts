import { HeaderMutationIntent, HeaderOperationsIntent } from '../model';
import { fail } from '../private/errors';
import { brand, hasBrand } from '../private/value-brand';
import { check } from '../rules/check';
import { headerChangedOnce, headerOperationName, headerRequestSetName, headerValue } from '../rules/http';

const HEADER_MUTATION = Symbol.for('cdk8s-istio.HeaderMutation');

/** Header changes in one direction. */
export interface HeaderOperations {
  /**
   * Headers overwritten, or added when absent, by name.
   * @default - none
   */
  readonly set?: { readonly [name: string]: string };
  /**
   * Headers appended (a second value when present), by name.
   * @default - none
   */
  readonly add?: { readonly [name: string]: string };
  /**
   * Headers removed.
   * @default - none
   */
  readonly remove?: string[];
}

/** Options of {@link HeaderMutation.of}. */
export interface HeaderMutationOptions {
  /**
   * Changes to the request before it is forwarded.
   * @default - none
   */
  readonly request?: HeaderOperations;
  /**
   * Changes to the response before it is returned.
   * @default - none
   */
  readonly response?: HeaderOperations;
}

/**
 * Header changes on a route rule: set, add or remove request headers before forwarding and
 * response headers before returning. Names and values are checked as istiod checks them
 * (`ValidateHTTPHeaderWithAuthorityOperationName`, `ValidateHTTPHeaderOperationName`,
 * `ValidateHTTPHeaderValue`): `Host` only through the request side, `%` only as `%%` or an Envoy
 * command such as `%REQ(x-id)%`.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#Headers
 * @example HeaderMutation.of({ request: { set: { 'x-env': 'prod' } }, response: { remove: ['server'] } })
 */
export class HeaderMutation {
  /** True for a HeaderMutation from any copy of this package. */
  public static [Symbol.hasInstance](x: unknown): boolean {
    return hasBrand(x, HEADER_MUTATION);
  }

  /** Changes to the forwarded request. */
  public static request(ops: HeaderOperations): HeaderMutation {
    return HeaderMutation.of({ request: ops });
  }

  /** Changes to the returned response. */
  public static response(ops: HeaderOperations): HeaderMutation {
    return HeaderMutation.of({ response: ops });
  }

  /** Request and/or response changes; at least one change. */
  public static of(options: HeaderMutationOptions): HeaderMutation {
    const where = 'HeaderMutation.of';
    const request = options?.request ? ops(where, 'request', options.request, true) : undefined;
    const response = options?.response ? ops(where, 'response', options.response, false) : undefined;
    if (!request && !response) fail(where, 'options', options, 'a header mutation needs at least one header to set, add or remove', "e.g. { request: { set: { 'x-env': 'prod' } } }");
    return new HeaderMutation({ ...(request ? { request } : {}), ...(response ? { response } : {}) });
  }

  private constructor(private readonly _intent: HeaderMutationIntent) {
    brand(this, HEADER_MUTATION);
  }

  /** @internal */
  public toIntent(): HeaderMutationIntent {
    return this._intent;
  }
}

function ops(where: string, dir: 'request' | 'response', o: HeaderOperations, request: boolean): HeaderOperationsIntent | undefined {
  const nameRule = request ? headerRequestSetName : headerOperationName;
  const seen = new Map<string, string>();
  const pairs = (op: 'set' | 'add') => {
    const m = o[op] ?? {};
    if (typeof m !== 'object' || Array.isArray(m)) fail(where, `${dir}.${op}`, m, 'must be an object of header names to values', "e.g. { 'x-env': 'prod' }");
    const out: Record<string, string> = {};
    for (const name of Object.keys(m).sort()) {
      check(where, `${dir}.${op}`, name, nameRule, "e.g. 'x-env'", 'a header name:');
      check(where, `${dir}.${op}[${JSON.stringify(name)}]`, m[name], headerValue, "e.g. 'prod'");
      const lower = name.toLowerCase();
      const twice = headerChangedOnce(name, dir, seen.get(lower));
      if (twice) fail(where, `${dir}.${op}`, name, twice, 'change each header once');
      seen.set(lower, op);
      out[name] = m[name];
    }
    return out;
  };
  const set = pairs('set');
  const add = pairs('add');
  const remove = [...(o.remove ?? [])];
  if (!Array.isArray(o.remove ?? [])) fail(where, `${dir}.remove`, o.remove, 'must be a list of header names', "e.g. remove: ['x-debug']");
  remove.forEach((name, i) => {
    // Removing the Host header is refused on both sides (istiod's ValidateHTTPHeaderOperationName).
    check(where, `${dir}.remove[${i}]`, name, headerOperationName, "e.g. 'x-debug'", 'a header name:');
    const lower = name.toLowerCase();
    const twice = headerChangedOnce(name, dir, seen.get(lower));
    if (twice) fail(where, `${dir}.remove[${i}]`, name, twice, 'change each header once');
    seen.set(lower, 'remove');
  });
  if (Object.keys(set).length === 0 && Object.keys(add).length === 0 && remove.length === 0) return undefined;
  return { set, add, remove };
}
