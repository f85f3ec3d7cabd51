import { JwtHeaderIntent, JwtRuleIntent } from '../model';
import { fail } from '../private/errors';
import { httpToken } from '../rules/http';

const RULE_BRAND = Symbol.for('cdk8s-istio.JwtRule');
const PRINCIPAL_BRAND = Symbol.for('cdk8s-istio.RequestPrincipal');

/** Where a token is read: a header, and the prefix before the token in it. */
export interface JwtLocation {
  /** The header name, e.g. `authorization` or `x-jwt-assertion`. */
  readonly header: string;
  /**
   * The prefix before the token, e.g. `Bearer ` (with the space).
   * @default - none: the whole header value is the token
   */
  readonly prefix?: string;
}

/** A claim copied into a request header for the workload. */
export interface ClaimToHeader {
  /** The header to set. */
  readonly header: string;
  /** The claim, e.g. `sub` (string, number or boolean claims). */
  readonly claim: string;
}

/** Properties of {@link JwtRule.of}. */
export interface JwtRuleProps {
  /** The issuer (`iss`), e.g. `https://auth.example.com`. */
  readonly issuer: string;
  /** Where the signing keys are published, an `http(s)` URL, e.g. `https://auth.example.com/.well-known/jwks.json`. */
  readonly jwksUri: string;
  /**
   * Accepted audiences (`aud`): a token for another audience is rejected (401).
   * @default - any audience (name one: a token meant for another API is otherwise accepted)
   */
  readonly audiences?: string[];
  /**
   * Where the token is read.
   * @default - `Authorization: Bearer <token>` and the `access_token` query parameter
   */
  readonly fromHeaders?: JwtLocation[];
  /**
   * Keep the token on the request to the workload. Istio removes it by default, so a workload behind
   * a gateway that validates the token never sees it.
   * @default false
   */
  readonly forwardOriginalToken?: boolean;
  /**
   * Claims copied into request headers.
   * @default - none
   */
  readonly outputClaimToHeaders?: ClaimToHeader[];
}

/**
 * One issuer a RequestAuthentication accepts tokens from, and how.
 * @see https://istio.io/latest/docs/reference/config/security/jwt/
 * @example JwtRule.of({ issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/.well-known/jwks.json', audiences: ['shop-api'] })
 */
export class JwtRule {
  /** Whether `x` is a JwtRule (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): boolean {
    return typeof x === 'object' && x !== null && RULE_BRAND in x;
  }

  /** A JWT rule. */
  public static of(props: JwtRuleProps): JwtRule {
    const where = 'JwtRule.of';
    if (typeof props !== 'object' || props === null) fail(where, 'props', props, 'props with issuer and jwksUri are required', "e.g. JwtRule.of({ issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/.well-known/jwks.json' })");
    const issuer = checkIssuer(where, 'props.issuer', props.issuer);
    if (typeof props.jwksUri !== 'string' || !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(props.jwksUri)) {
      fail(where, 'props.jwksUri', props.jwksUri, 'jwksUri must be an http(s) URL', 'e.g. "https://auth.example.com/.well-known/jwks.json"');
    }
    if (props.jwksUri.startsWith('http://')) {
      fail(where, 'props.jwksUri', props.jwksUri, 'signing keys fetched over plain http can be replaced in transit, and every token signed with them would be accepted', 'publish the keys over https');
    }
    const audiences = list(where, 'props.audiences', props.audiences, (a, p) => {
      if (typeof a !== 'string' || a.length === 0 || /\s/.test(a)) fail(where, p, a, 'an audience is a non-empty string without spaces', "e.g. audiences: ['orders-api']");
      return a;
    });
    const fromHeaders = list(where, 'props.fromHeaders', props.fromHeaders, (h, p): JwtHeaderIntent => {
      const bad = typeof h?.header === 'string' ? httpToken(h.header) : 'must be a string';
      if (bad) fail(where, `${p}.header`, h?.header, `a header name ${bad}`, "e.g. { header: 'authorization', prefix: 'Bearer ' }");
      if (h.prefix !== undefined && (typeof h.prefix !== 'string' || h.prefix.length === 0)) fail(where, `${p}.prefix`, h.prefix, 'a prefix is a non-empty string when given', "e.g. prefix: 'Bearer ', or leave prefix out");
      return { name: h.header, ...(h.prefix !== undefined ? { prefix: h.prefix } : {}) };
    });
    const outputClaimToHeaders = list(where, 'props.outputClaimToHeaders', props.outputClaimToHeaders, (c, p) => {
      const bad = typeof c?.header === 'string' ? httpToken(c.header) : 'must be a string';
      if (bad) fail(where, `${p}.header`, c?.header, `a header name ${bad}`, "e.g. { header: 'x-jwt-sub', claim: 'sub' }");
      if (typeof c.claim !== 'string' || c.claim.length === 0) fail(where, `${p}.claim`, c.claim, 'a claim name is a non-empty string', "e.g. claim: 'sub'");
      return { header: c.header, claim: c.claim };
    });
    return new JwtRule({ issuer, jwksUri: props.jwksUri, audiences, fromHeaders, forwardOriginalToken: props.forwardOriginalToken === true, outputClaimToHeaders });
  }

  private constructor(private readonly intent: JwtRuleIntent) {
    Object.defineProperty(this, RULE_BRAND, { value: true });
  }

  /** The issuer. */
  public get issuer(): string {
    return this.intent.issuer;
  }

  /** The model record. @internal */
  public _intent(): JwtRuleIntent {
    return this.intent;
  }
}

/**
 * The end-user (JWT) principal an allow rule requires, Istio's `requestPrincipals`. A request
 * principal is `<iss>/<sub>` of a token a RequestAuthentication on the workload validated. Istio
 * splits it at the last `/` and requires both parts to be non-empty, so a token without `sub` never
 * matches any of these (match a claim with `Condition.requestAuthClaim` instead).
 *
 * @example RequestPrincipal.fromIssuer('https://auth.example.com')
 */
export class RequestPrincipal {
  /** Whether `x` is a RequestPrincipal (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): boolean {
    return typeof x === 'object' && x !== null && PRINCIPAL_BRAND in x;
  }

  /** A valid token from any issuer the workload accepts, with a non-empty `sub` (`*`). */
  public static anyIssuer(): RequestPrincipal {
    return new RequestPrincipal('*');
  }

  /** A valid token from this issuer, with a non-empty `sub` (`<iss>/*`). */
  public static fromIssuer(issuer: string): RequestPrincipal {
    return new RequestPrincipal(`${checkIssuer('RequestPrincipal.fromIssuer', 'issuer', issuer)}/*`, issuer);
  }

  /** A valid token from this issuer for this subject (`<iss>/<sub>`). */
  public static subject(issuer: string, subject: string): RequestPrincipal {
    const where = 'RequestPrincipal.subject';
    checkIssuer(where, 'issuer', issuer);
    if (typeof subject !== 'string' || subject.length === 0) fail(where, 'subject', subject, 'a subject is non-empty: Istio requires a non-empty sub', "e.g. RequestPrincipal.subject('https://auth.example.com', 'user-123'), or RequestPrincipal.fromIssuer for any subject");
    if (subject.includes('/') || subject.includes('*')) {
      fail(where, 'subject', subject, "Istio splits a request principal at its last '/' and reads '*' as a wildcard, so a subject with '/' or '*' cannot be matched exactly",
        'match the subject with Condition.requestAuthClaim(\'sub\').values(...) instead');
    }
    return new RequestPrincipal(`${issuer}/${subject}`, issuer);
  }

  private constructor(
    /** The `requestPrincipals` value. */
    public readonly value: string,
    /** The issuer the principal needs, when it names one. */
    public readonly issuer?: string,
  ) {
    Object.defineProperty(this, PRINCIPAL_BRAND, { value: true });
  }

  /** The `requestPrincipals` value. */
  public toString(): string {
    return this.value;
  }
}

function checkIssuer(where: string, property: string, issuer: string): string {
  if (typeof issuer !== 'string' || issuer.length === 0 || /\s/.test(issuer)) fail(where, property, issuer, 'an issuer is a non-empty string without spaces', "e.g. 'https://auth.example.com'");
  if (issuer.includes('*')) fail(where, property, issuer, "'*' would be read as a wildcard in request principals", 'name the issuer exactly');
  return issuer;
}

function list<T, R>(where: string, property: string, given: T[] | undefined, map: (x: T, property: string) => R): R[] {
  if (given === undefined) return [];
  if (!Array.isArray(given) || given.length === 0) fail(where, property, given, 'must be a non-empty list when given', 'omit it for the default');
  return given.map((x, i) => map(x, `${property}[${i}]`));
}
