import { DirectResponseIntent, RedirectIntent } from '../model';
import { fail } from '../private/errors';
import { brand, hasBrand } from '../private/value-brand';
import { check, checkOptional } from '../rules/check';
import { wildcardDomain } from '../rules/names';
import { port as portRule } from '../rules/ports';
import { directResponseBody, redirectScheme, responseStatus, translatedRedirectCode } from '../rules/route';

const REDIRECT = Symbol.for('cdk8s-istio.Redirect');
const DIRECT_RESPONSE = Symbol.for('cdk8s-istio.DirectResponse');

/** Options of {@link Redirect.to}. At least one of `uri`, `authority`, `scheme`, `port`. */
export interface RedirectOptions {
  /**
   * The new path (query string included).
   * @default - the request's path
   */
  readonly uri?: string;
  /**
   * The new authority (host).
   * @default - the request's authority
   */
  readonly authority?: string;
  /**
   * `http` or `https`.
   * @default - the request's scheme
   */
  readonly scheme?: string;
  /**
   * The new port.
   * @default - the scheme's default port
   */
  readonly port?: number;
  /**
   * The redirect status: 301, 302, 303, 307 or 308 (pilot drops a route with any other 3xx).
   * @default 301 (Istio's default)
   */
  readonly code?: number;
}

/**
 * A route rule that answers with an HTTP redirect instead of forwarding the request.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRedirect
 * @example Redirect.to({ uri: '/v2/orders', code: 308 })
 */
export class Redirect {
  /** True for a Redirect from any copy of this package. */
  public static [Symbol.hasInstance](x: unknown): boolean {
    return hasBrand(x, REDIRECT);
  }

  /** A redirect. */
  public static to(options: RedirectOptions): Redirect {
    const where = 'Redirect.to';
    const o = options ?? {};
    if (o.uri === undefined && o.authority === undefined && o.scheme === undefined && o.port === undefined) {
      fail(where, 'options', options, 'a redirect must set uri, authority, scheme or port (istiod rejects an empty redirect)', "e.g. Redirect.to({ uri: '/new' })");
    }
    if (o.uri !== undefined && (typeof o.uri !== 'string' || !o.uri.startsWith('/') || /\s/.test(o.uri))) {
      fail(where, 'uri', o.uri, "a redirect path starts with '/' and has no whitespace", "e.g. uri: '/v2/orders'");
    }
    if (o.authority !== undefined) check(where, 'authority', o.authority, wildcardDomain, 'e.g. "shop.example.com" (set the port with `port`)', 'the authority');
    checkOptional(where, 'scheme', o.scheme, redirectScheme, 'use "http" or "https"');
    checkOptional(where, 'port', o.port, portRule, 'e.g. port: 8443, or leave port out');
    const code = o.code ?? 301;
    check(where, 'code', code, translatedRedirectCode, 'e.g. code: 301 (the default) or 308');
    return new Redirect({
      ...(o.uri !== undefined ? { uri: o.uri } : {}),
      ...(o.authority !== undefined ? { authority: o.authority } : {}),
      ...(o.scheme !== undefined ? { scheme: o.scheme } : {}),
      ...(o.port !== undefined ? { port: o.port } : {}),
      code,
    });
  }

  private constructor(private readonly _intent: RedirectIntent) {
    brand(this, REDIRECT);
  }

  /** @internal */
  public toIntent(): RedirectIntent {
    return this._intent;
  }
}

/** Options of {@link DirectResponse.of}. */
export interface DirectResponseOptions {
  /** The status answered, 200..600. */
  readonly status: number;
  /**
   * The body (text), smaller than 1MB.
   * @default - no body
   */
  readonly body?: string;
}

/**
 * A route rule that answers with a fixed response instead of forwarding the request (e.g. a 410 for
 * a retired API, or a maintenance page).
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPDirectResponse
 * @example DirectResponse.of({ status: 410, body: 'v0 is retired' })
 */
export class DirectResponse {
  /** True for a DirectResponse from any copy of this package. */
  public static [Symbol.hasInstance](x: unknown): boolean {
    return hasBrand(x, DIRECT_RESPONSE);
  }

  /** A fixed response. */
  public static of(options: DirectResponseOptions): DirectResponse {
    const where = 'DirectResponse.of';
    check(where, 'status', options?.status, responseStatus, 'e.g. DirectResponse.of({ status: 503 })');
    checkOptional(where, 'body', options.body, directResponseBody, "shorten the body, e.g. body: 'service unavailable'");
    return new DirectResponse({ status: options.status, ...(options.body !== undefined ? { body: options.body } : {}) });
  }

  private constructor(private readonly _intent: DirectResponseIntent) {
    brand(this, DIRECT_RESPONSE);
  }

  /** @internal */
  public toIntent(): DirectResponseIntent {
    return this._intent;
  }
}
