import { Duration } from 'cdk8s';
import { CorsIntent } from '../model';
import { fail } from '../private/errors';
import { BOOLEAN_HINT } from '../private/hints';
import { brand, hasBrand } from '../private/value-brand';
import { check } from '../rules/check';
import { renderDuration } from '../rules/duration';
import { CORS_METHODS } from '../rules/http';
import { corsHeaderName, corsMaxAge, corsOriginValue } from '../rules/route';
import { HttpMethod } from './http-method';
import { StringMatch } from './string-match';

const CORS = Symbol.for('cdk8s-istio.Cors');

/** Options of {@link Cors.of}. */
export interface CorsOptions {
  /**
   * The origins allowed, e.g. `StringMatch.exact('https://shop.example.com')`. At least one.
   * @example [StringMatch.exact('https://shop.example.com')]
   */
  readonly allowOrigins: StringMatch[];
  /**
   * Methods allowed (`Access-Control-Allow-Methods`).
   * @default - none listed (browsers then allow only GET, HEAD and POST)
   */
  readonly allowMethods?: HttpMethod[];
  /**
   * Request headers allowed (`Access-Control-Allow-Headers`), or `['*']`.
   * @default - none listed
   */
  readonly allowHeaders?: string[];
  /**
   * Response headers exposed to the browser (`Access-Control-Expose-Headers`).
   * @default - none listed
   */
  readonly exposeHeaders?: string[];
  /**
   * How long browsers may cache a preflight answer, in whole seconds.
   * @default - no `Access-Control-Max-Age` header
   */
  readonly maxAge?: Duration;
  /**
   * Whether credentials (cookies, authorization headers) may be sent.
   * @default - the header is not sent (browsers then refuse credentialed requests)
   */
  readonly allowCredentials?: boolean;
}

/**
 * A CORS policy on a route rule: Envoy answers preflight requests and adds the CORS headers for the
 * allowed origins. Checked as istiod checks it (`validateCORSPolicy`).
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#CorsPolicy
 * @example Cors.of({ allowOrigins: [StringMatch.exact('https://shop.example.com')], allowMethods: [HttpMethod.GET, HttpMethod.POST], maxAge: Duration.hours(24) })
 */
export class Cors {
  /** True for a Cors from any copy of this package. */
  public static [Symbol.hasInstance](x: unknown): boolean {
    return hasBrand(x, CORS);
  }

  /** A CORS policy. */
  public static of(options: CorsOptions): Cors {
    const where = 'Cors.of';
    const o = options;
    if (!o || !Array.isArray(o.allowOrigins) || o.allowOrigins.length === 0) {
      fail(where, 'allowOrigins', o?.allowOrigins, 'a CORS policy needs at least one allowed origin', "e.g. [StringMatch.exact('https://shop.example.com')]");
    }
    o.allowOrigins.forEach((m, i) => {
      if (!(m instanceof StringMatch)) fail(where, `allowOrigins[${i}]`, m, 'must be a StringMatch', "e.g. StringMatch.exact('https://shop.example.com')");
      check(where, `allowOrigins[${i}]`, m.value, corsOriginValue, "e.g. StringMatch.exact('https://shop.example.com')");
    });
    const methods = (o.allowMethods ?? []).map((m, i) => {
      if (!(m instanceof HttpMethod)) fail(where, `allowMethods[${i}]`, m, 'must be an HttpMethod', 'e.g. HttpMethod.GET');
      if (!CORS_METHODS.includes(m.value)) fail(where, `allowMethods[${i}]`, m.value, `a CORS method must be one of ${CORS_METHODS.join(', ')}`, 'e.g. HttpMethod.GET or HttpMethod.POST');
      return m.value;
    });
    for (const f of ['allowHeaders', 'exposeHeaders'] as const) (o[f] ?? []).forEach((n, i) => check(where, `${f}[${i}]`, n, corsHeaderName, "e.g. 'content-type', or '*'"));
    let maxAge: number | undefined;
    if (o.maxAge !== undefined) {
      if (!(o.maxAge instanceof Duration)) fail(where, 'maxAge', o.maxAge, 'must be a cdk8s Duration', 'e.g. Duration.hours(24)');
      check(where, 'maxAge', renderDuration(o.maxAge), corsMaxAge, 'e.g. Duration.hours(24) (whole seconds)');
      maxAge = o.maxAge.toMilliseconds();
    }
    if (o.allowCredentials !== undefined && typeof o.allowCredentials !== 'boolean') fail(where, 'allowCredentials', o.allowCredentials, 'must be a boolean', BOOLEAN_HINT);
    return new Cors({
      allowOrigins: o.allowOrigins.map((m) => m.toIntent()),
      allowMethods: methods,
      allowHeaders: [...(o.allowHeaders ?? [])],
      exposeHeaders: [...(o.exposeHeaders ?? [])],
      ...(maxAge !== undefined ? { maxAge } : {}),
      ...(o.allowCredentials !== undefined ? { allowCredentials: o.allowCredentials } : {}),
    });
  }

  private constructor(private readonly _intent: CorsIntent) {
    brand(this, CORS);
  }

  /** @internal */
  public toIntent(): CorsIntent {
    return this._intent;
  }
}
