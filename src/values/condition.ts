import { ConditionIntent, ConditionValue } from '../model';
import { identityRef, IWorkloadIdentity } from '../model';
import { fail } from '../private/errors';
import { serviceAccountValue, WHEN_KEYS, whenCondition, whenKey, wildcardValue } from '../rules/authz';
import { httpToken } from '../rules/http';
import { ipOrCidr as istioIpOrCidr } from '../rules/ip';
import { dns1123Label, dns1123Subdomain } from '../rules/names';
import { authzPort, port } from '../rules/ports';
import { addBrand, brandSymbol, hasBrand } from '../private/brand';
import type { IIntentConvertible } from './intent';

type ValueCheck = (v: string) => string | undefined;

function nonEmpty(v: string): string | undefined {
  return typeof v === 'string' && v.length > 0 ? undefined : 'a condition value must be a non-empty string';
}

function ipOrCidr(v: string): string | undefined {
  return istioIpOrCidr(v) ? 'must be an IP address or CIDR block, e.g. "10.0.0.0/8"' : undefined;
}

function portString(v: string): string | undefined {
  return authzPort(v) ? 'destination.port values must be ports, decimal numbers of at most 65535' : undefined;
}

/** Beyond Istio's rule (non-empty): a value that can match a namespace, with '*' prefix or suffix. */
function namespaceValue(v: string): string | undefined {
  const empty = nonEmpty(v);
  if (empty) return empty;
  const core = v === '*' ? 'x' : v.replace(/^\*/, 'x').replace(/\*$/, 'x');
  return dns1123Label(core) ? `a namespace ${dns1123Label(core)} (optionally with a '*' prefix or suffix)` : undefined;
}

/** Istio's wildcard rule, then (ours) a value that can match a trust domain. */
function trustDomainValue(v: string): string | undefined {
  const bad = nonEmpty(v) ?? wildcardValue(v);
  if (bad) return bad;
  const core = v === '*' ? 'x' : v.replace(/^\*/, 'x').replace(/\*$/, 'x');
  return dns1123Subdomain(core) ? `a trust domain ${dns1123Subdomain(core)}` : undefined;
}

function checkFor(key: string): ValueCheck {
  if (key === 'source.ip' || key === 'remote.ip' || key === 'destination.ip') return ipOrCidr;
  if (key === 'destination.port') return portString;
  if (key === 'source.namespace') return namespaceValue;
  if (key === 'source.trustDomain') return trustDomainValue;
  if (key === 'source.serviceAccount') return (v) => nonEmpty(v) ?? serviceAccountValue(v);
  // Any other rule Istio's ValidateAttribute applies to values of this key.
  return (v) => nonEmpty(v) ?? whenCondition(key, [v]);
}

/** An example value of a condition key, for the hint of an error on a bad value. */
function conditionValueExample(key: string): string {
  if (key === 'source.ip' || key === 'remote.ip' || key === 'destination.ip') return '10.0.0.0/8';
  if (key === 'destination.port') return '8080';
  if (key === 'source.namespace') return 'shop';
  if (key === 'source.trustDomain') return 'cluster.local';
  if (key === 'source.serviceAccount') return 'shop/orders';
  if (key === 'connection.sni') return 'orders.shop.svc.cluster.local';
  if (key === 'request.auth.principal') return 'https://auth.example.com/user-123';
  return 'admin';
}

const CONDITION_KEY_BRAND = brandSymbol('ConditionKey');

/**
 * The key of a `when` condition, not yet given its values. Get one from the {@link Condition}
 * factories, then call {@link ConditionKey.values} or {@link ConditionKey.notValues}.
 */
export class ConditionKey {
  /** Whether `x` is a ConditionKey (works across copies of this package). */
  public static isConditionKey(x: unknown): x is ConditionKey {
    return hasBrand(x, CONDITION_KEY_BRAND);
  }

  /** `x instanceof ConditionKey`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is ConditionKey {
    return hasBrand(x, CONDITION_KEY_BRAND);
  }

  /** @internal */
  constructor(public readonly key: string, private readonly check: ValueCheck) {
    addBrand(this, CONDITION_KEY_BRAND);
  }

  /** The attribute must match one of `values` (ORed). Istio's `*` prefix/suffix wildcards apply. */
  public values(...values: string[]): Condition {
    return this.match({ values });
  }

  /** The attribute must match none of `values`. */
  public notValues(...values: string[]): Condition {
    return this.match({ notValues: values });
  }

  /** Both: the attribute matches one of `values` and none of `notValues`. */
  public match(options: ConditionMatchOptions): Condition {
    const values = options.values ?? [];
    const notValues = options.notValues ?? [];
    const where = `Condition(${this.key})`;
    if (values.length === 0 && notValues.length === 0) {
      fail(where, 'values', values, 'a condition needs at least one value or notValue', 'remove the condition to match any value');
    }
    for (const [field, list] of [['values', values], ['notValues', notValues]] as const) {
      list.forEach((v, i) => {
        const bad = this.check(v);
        if (bad) fail(where, `${field}[${i}]`, v, bad, `e.g. ${this.key}: '${conditionValueExample(this.key)}'`);
      });
    }
    return new Condition({ key: this.key, values: [...values], notValues: [...notValues] });
  }
}

/** Values of {@link ConditionKey.match}. */
export interface ConditionMatchOptions {
  /**
   * The attribute matches one of these.
   * @default - no positive match
   */
  readonly values?: string[];
  /**
   * The attribute matches none of these.
   * @default - no negative match
   */
  readonly notValues?: string[];
}

const CONDITION_BRAND = brandSymbol('Condition');

/**
 * A `when` condition of an authorization rule: an allowed attribute key with values and/or
 * notValues. Keys are limited to the ones Istio accepts; values are checked per key (IPs, ports,
 * namespaces). A rule matches only when all its conditions hold.
 *
 * @example Condition.requestHeader('x-user-role').notValues('guest')
 * @see https://istio.io/latest/docs/reference/config/security/conditions/
 */
export class Condition implements IIntentConvertible<ConditionIntent> {
  /** Whether `x` is a Condition (works across copies of this package). */
  public static isCondition(x: unknown): x is Condition {
    return hasBrand(x, CONDITION_BRAND);
  }

  /** `x instanceof Condition`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is Condition {
    return hasBrand(x, CONDITION_BRAND);
  }

  /** `request.headers[<name>]`: a request header (HTTP only). */
  public static requestHeader(name: string): ConditionKey {
    if (typeof name !== 'string' || name.length === 0) {
      fail('Condition.requestHeader', 'name', name, 'a header name must be a non-empty string', "e.g. Condition.requestHeader('x-user-role')");
    }
    const bad = httpToken(name);
    if (bad) fail('Condition.requestHeader', 'name', name, `a header name ${bad}`, "e.g. Condition.requestHeader('x-user-role')");
    return new ConditionKey(`request.headers[${name}]`, nonEmpty);
  }

  /** `source.ip`: the peer's IP address (IPs or CIDR blocks). */
  public static sourceIp(): ConditionKey {
    return new ConditionKey('source.ip', ipOrCidr);
  }

  /** `remote.ip`: the original client IP (from X-Forwarded-For or the proxy protocol). */
  public static remoteIp(): ConditionKey {
    return new ConditionKey('remote.ip', ipOrCidr);
  }

  /** `destination.ip`: the destination IP address. */
  public static destinationIp(): ConditionKey {
    return new ConditionKey('destination.ip', ipOrCidr);
  }

  /** `destination.port`: the destination port. */
  public static destinationPort(...ports: number[]): Condition {
    ports.forEach((p, i) => {
      const bad = port(p);
      if (bad) fail('Condition.destinationPort', `ports[${i}]`, p, bad, 'e.g. Condition.destinationPort(8080)');
    });
    return new ConditionKey('destination.port', portString).values(...ports.map(String));
  }

  /** `source.namespace`: the caller's namespace (mTLS only). */
  public static sourceNamespace(): ConditionKey {
    return new ConditionKey('source.namespace', checkFor('source.namespace'));
  }

  /** `source.serviceAccount`: the caller's `<namespace>/<serviceAccount>` (mTLS only). */
  public static sourceServiceAccount(): ConditionKey {
    return new ConditionKey('source.serviceAccount', checkFor('source.serviceAccount'));
  }

  /** `source.trustDomain`: the caller's trust domain (mTLS only). */
  public static sourceTrustDomain(): ConditionKey {
    return new ConditionKey('source.trustDomain', checkFor('source.trustDomain'));
  }

  /**
   * `source.principal` is one of these identities. The principals are derived from the identities
   * and the mesh trust domain, never typed as strings.
   */
  public static sourceIdentityIn(...identities: IWorkloadIdentity[]): Condition {
    return Condition.identities('values', identities);
  }

  /** `source.principal` is none of these identities (a plaintext caller has no principal and matches). */
  public static sourceIdentityNotIn(...identities: IWorkloadIdentity[]): Condition {
    return Condition.identities('notValues', identities);
  }

  /** `request.auth.principal`: the JWT `iss/sub` (needs a RequestAuthentication). */
  public static requestAuthPrincipal(): ConditionKey {
    return new ConditionKey('request.auth.principal', nonEmpty);
  }

  /** `request.auth.audiences`: the JWT audiences. */
  public static requestAuthAudiences(): ConditionKey {
    return new ConditionKey('request.auth.audiences', nonEmpty);
  }

  /** `request.auth.presenter`: the JWT authorized presenter (`azp`). */
  public static requestAuthPresenter(): ConditionKey {
    return new ConditionKey('request.auth.presenter', nonEmpty);
  }

  /**
   * `request.auth.claims[<claim>]`: a JWT claim; pass several names for a nested claim
   * (`requestAuthClaim('a', 'b')` is `request.auth.claims[a][b]`).
   */
  public static requestAuthClaim(...path: string[]): ConditionKey {
    if (path.length === 0) fail('Condition.requestAuthClaim', 'path', path, 'a claim name is required', "e.g. Condition.requestAuthClaim('groups')");
    path.forEach((c, i) => {
      if (typeof c !== 'string' || c.length === 0 || /[[\]\s]/.test(c)) {
        fail('Condition.requestAuthClaim', `path[${i}]`, c, 'a claim name must be non-empty, without brackets or spaces', "one claim per argument, e.g. Condition.requestAuthClaim('groups') or requestAuthClaim('realm_access', 'roles')");
      }
    });
    return new ConditionKey(`request.auth.claims${path.map((c) => `[${c}]`).join('')}`, nonEmpty);
  }

  /** `connection.sni`: the server name of the TLS connection. */
  public static connectionSni(): ConditionKey {
    return new ConditionKey('connection.sni', nonEmpty);
  }

  /**
   * Any allowed key written as Istio writes it, e.g. `Condition.key('request.headers[x-tenant]')`.
   * Unknown keys are refused. `source.principal` must go through {@link Condition.sourceIdentityIn}.
   */
  public static key(key: string): ConditionKey {
    const where = 'Condition.key';
    if (typeof key !== 'string' || key.length === 0) fail(where, 'key', key, 'a condition key must be a non-empty string', "e.g. Condition.key('source.ip'), or a typed factory such as Condition.sourceIp()");
    const allowed = `allowed keys are request.headers[X], request.auth.claims[X], experimental.envoy.filters.*[X], ${WHEN_KEYS.join(', ')}`;
    // Istio's rule decides which keys exist (security.ValidateAttribute) ...
    const bad = whenKey(key);
    if (bad) {
      fail(where, 'key', key, bad.includes('a[b]') ? `bracketed keys take the form a[b]; ${allowed}` : `unknown condition key: ${bad}`, "e.g. Condition.key('request.headers[x-user-role]'), or a typed factory such as Condition.requestHeader('x-user-role')");
    }
    // ... and the factory adds its own: header and claim names are checked, principals come from identities.
    const header = /^request\.headers\[(.*)\]$/.exec(key);
    if (header) return Condition.requestHeader(header[1]);
    if (key.startsWith('request.auth.claims')) {
      const claims = /^request\.auth\.claims((?:\[[^\][]+\])+)$/.exec(key);
      if (!claims) fail(where, 'key', key, 'claim names must be non-empty, without brackets: request.auth.claims[a] or request.auth.claims[a][b]', "e.g. Condition.requestAuthClaim('groups') for request.auth.claims[groups]");
      return Condition.requestAuthClaim(...claims[1].slice(1, -1).split(']['));
    }
    if (key === 'source.principal') {
      fail(where, 'key', key, 'principals are derived from identities, never typed as strings', 'use Condition.sourceIdentityIn(service) or Condition.sourceIdentityNotIn(...)');
    }
    return new ConditionKey(key, checkFor(key));
  }

  private static identities(field: 'values' | 'notValues', identities: IWorkloadIdentity[]): Condition {
    const where = field === 'values' ? 'Condition.sourceIdentityIn' : 'Condition.sourceIdentityNotIn';
    if (identities.length === 0) fail(where, 'identities', identities, 'at least one identity is required', 'e.g. Condition.sourceIdentityIn(orders), or remove the condition');
    identities.forEach((id, i) => {
      if (!id || typeof id.serviceAccountName !== 'string' || typeof id.identityNamespace !== 'string') {
        fail(where, `identities[${i}]`, id, 'must be a TracedService or an ExternalIdentity', "pass a TracedService, or ExternalIdentity.serviceAccount({ namespace: 'batch', serviceAccount: 'reporter' })");
      }
    });
    const refs = identities.map(identityRef);
    return new Condition({ key: 'source.principal', values: field === 'values' ? refs : [], notValues: field === 'notValues' ? refs : [] });
  }

  /** @internal */
  constructor(private readonly intent: ConditionIntent) {
    addBrand(this, CONDITION_BRAND);
  }

  /** The attribute key. */
  public get key(): string {
    return this.intent.key;
  }

  /** The value as plain mesh-model data ({@link IIntentConvertible}). */
  public toIntent(): ConditionIntent {
    return this.intent;
  }

  /** Values as given (identities are shown as `namespace/serviceAccount`). */
  public toString(): string {
    const show = (v: ConditionValue) => (typeof v === 'string' ? v : `${v.namespace}/${v.serviceAccount}`);
    const parts = [];
    if (this.intent.values.length) parts.push(`in [${this.intent.values.map(show).join(', ')}]`);
    if (this.intent.notValues.length) parts.push(`not in [${this.intent.notValues.map(show).join(', ')}]`);
    return `${this.intent.key} ${parts.join(' and ')}`;
  }
}
