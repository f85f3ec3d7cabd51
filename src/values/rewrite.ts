import { RewriteIntent } from '../model';
import { fail } from '../private/errors';
import { brand, hasBrand } from '../private/value-brand';
import { check } from '../rules/check';
import { headerValue } from '../rules/http';
import { wildcardDomain } from '../rules/names';
import { rewriteUri } from '../rules/route';

const REWRITE = Symbol.for('cdk8s-istio.Rewrite');

/** Options of {@link Rewrite.of}. At least one. */
export interface RewriteOptions {
  /**
   * Replaces the part of the path the rule's match matched: the prefix of a prefix match, the whole
   * path of an exact or regex match (the query string is kept).
   * @example '/' // with StringMatch.prefix('/v1/'): /v1/orders → /orders
   * @default - the path is forwarded as is
   */
  readonly uri?: string;
  /**
   * Replaces the `Host`/`:authority` header.
   * @default - the authority is forwarded as is
   */
  readonly authority?: string;
}

/**
 * A rewrite of the forwarded request on a route rule (Envoy `prefix_rewrite` / `host_rewrite`).
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRewrite
 * @example Rewrite.uri('/') // with a `/v1/` prefix match
 */
export class Rewrite {
  /** True for a Rewrite from any copy of this package. */
  public static [Symbol.hasInstance](x: unknown): boolean {
    return hasBrand(x, REWRITE);
  }

  /** Replaces the matched path part. */
  public static uri(uri: string): Rewrite {
    return Rewrite.of({ uri });
  }

  /** Replaces the authority. */
  public static authority(authority: string): Rewrite {
    return Rewrite.of({ authority });
  }

  /** A path and/or authority rewrite. */
  public static of(options: RewriteOptions): Rewrite {
    const where = 'Rewrite.of';
    if (!options || (options.uri === undefined && options.authority === undefined)) {
      fail(where, 'options', options, 'a rewrite must set uri or authority (istiod rejects an empty rewrite)', "e.g. Rewrite.uri('/')");
    }
    if (options.uri !== undefined && rewriteUri(options.uri)) {
      fail(where, 'uri', options.uri, rewriteUri(options.uri)!, "e.g. '/' or '/api/'");
    }
    if (options.authority !== undefined) {
      check(where, 'authority', options.authority, headerValue, "e.g. authority: 'orders.example.com'");
      const host = options.authority.replace(/:[0-9]+$/, '');
      check(where, 'authority', host, wildcardDomain, 'e.g. "api.example.com"', 'the authority host');
    }
    return new Rewrite({ ...(options.uri !== undefined ? { uri: options.uri } : {}), ...(options.authority !== undefined ? { authority: options.authority } : {}) });
  }

  private constructor(private readonly _intent: RewriteIntent) {
    brand(this, REWRITE);
  }

  /** @internal */
  public toIntent(): RewriteIntent {
    return this._intent;
  }
}
