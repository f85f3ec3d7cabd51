/**
 * AuthorizationPolicy value rules, as istiod checks them in `pkg/config/security/security.go` at
 * 1.30.3: path templates, `when` keys and their values, service accounts, trust domains, ports, IPs.
 * @see https://github.com/istio/istio/blob/1.30.3/pkg/config/security/security.go
 */
import { ipOrCidr } from './ip';
import { authzPort } from './ports';

export const MATCH_ONE_TEMPLATE = '{*}';
export const MATCH_ANY_TEMPLATE = '{**}';
/** RFC 3986 `pchar` as Istio's `validLiteral` spells it (a bare `%` included). */
const VALID_LITERAL = /^[a-zA-Z0-9\-._~%!$&'()+,;:@=]+$/;

/** Whether a path uses `{*}` or `{**}` (Istio's `ContainsPathTemplate`). */
export function containsPathTemplate(path: string): boolean {
  return path.includes(MATCH_ONE_TEMPLATE) || path.includes(MATCH_ANY_TEMPLATE);
}

/**
 * Istio's `CheckValidPathTemplate` on one path of `paths` / `notPaths`. Leading and trailing
 * slashes are trimmed, the rest split on `/`; `{*}` and `{**}` must fill whole segments, no
 * operator may follow `{**}` (literal segments may: `/a/{**}/b` is valid), `{` and `}` appear only
 * in those operators, and when the path uses an operator every other segment is a non-empty pchar
 * literal.
 */
export function pathTemplate(path: unknown): string | undefined {
  if (typeof path !== 'string') return 'a path must be a string';
  const withTemplate = containsPathTemplate(path);
  let anySeen = false;
  for (const glob of path.replace(/^\/+|\/+$/g, '').split('/')) {
    if (glob === MATCH_ONE_TEMPLATE || glob === MATCH_ANY_TEMPLATE) {
      if (anySeen) return '{**} must be the last operator of a path template (no {*} or {**} after it)';
      if (glob === MATCH_ANY_TEMPLATE) anySeen = true;
      continue;
    }
    if (/[{}]/.test(glob)) return `segment ${JSON.stringify(glob)} uses '{' or '}' beyond a whole-segment {*} or {**} operator`;
    if (withTemplate && !VALID_LITERAL.test(glob)) {
      return glob === '' ? 'a path template must not contain empty segments (//)' : `segment ${JSON.stringify(glob)}: a path may contain only RFC 3986 path characters beside {*} and {**}`;
    }
  }
  return undefined;
}

/** Istio's `CheckEmptyValues`. */
export function nonEmptyValue(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? undefined : 'an empty value is not allowed';
}

/** Istio's `CheckWildcardValues` (trust domains): at most one `*`, only at the start or the end. */
export function wildcardValue(v: unknown): string | undefined {
  const empty = nonEmptyValue(v);
  if (empty) return empty;
  const s = v as string;
  const count = s.split('*').length - 1;
  if (count > 1) return 'at most one wildcard is allowed';
  if (count === 1 && s !== '*' && !s.startsWith('*') && !s.endsWith('*')) return 'a wildcard is only allowed at the start or the end';
  return undefined;
}

/** Istio's `CheckTrustDomainValues`: {@link wildcardValue} and no `/`. */
export function trustDomainValue(v: unknown): string | undefined {
  return wildcardValue(v) ?? ((v as string).includes('/') ? "a trust domain must not contain '/'" : undefined);
}

/** Istio's `CheckServiceAccount` on one value: `serviceAccount` or `namespace/serviceAccount`, no `*`, ≤ 320. */
export function serviceAccountValue(v: unknown): string | undefined {
  if (typeof v !== 'string' || v === '') return 'an empty value is not allowed';
  if (v.includes('*')) return 'a wildcard is not allowed in a service account';
  const slashes = v.split('/').length - 1;
  if (slashes > 1) return "the format is 'serviceAccount' or 'namespace/serviceAccount'";
  if (v.length > 320) return 'a service account value cannot exceed 320 characters';
  if (slashes === 1) {
    const [ns, sa] = v.split('/');
    if (ns === '') return "the format is 'namespace/serviceAccount': the namespace is empty";
    if (sa === '') return "the format is 'namespace/serviceAccount': the serviceAccount is empty";
  }
  return undefined;
}

/** Istio's limit on the number of `serviceAccounts` / `notServiceAccounts` values. */
export const MAX_SERVICE_ACCOUNTS = 16;

/** Istio's `validateMapKey` (`request.headers[...]`, `request.auth.claims[...]`): `a[b]`, b non-empty. */
function mapKey(key: string): string | undefined {
  const open = key.indexOf('[');
  return key.endsWith(']') && open > 0 && open < key.length - 2 ? undefined : 'a bracketed key must have the form a[b]';
}

/** The plain `when` keys Istio accepts. */
export const WHEN_KEYS: readonly string[] = [
  'source.ip', 'remote.ip', 'source.namespace', 'source.principal', 'source.serviceAccount', 'source.trustDomain',
  'request.auth.principal', 'request.auth.audiences', 'request.auth.presenter', 'destination.ip', 'destination.port',
  'connection.sni',
];
/** The `when` key prefixes that take a bracketed name: `request.headers[X]`, `request.auth.claims[X]`. */
export const WHEN_MAP_KEYS: readonly string[] = ['request.headers', 'request.auth.claims', 'experimental.envoy.filters.'];

/**
 * Istio's `ValidateAttribute`: the key is known and each value suits it (IPs for `*.ip`, ports for
 * `destination.port`, service accounts, trust domains). Returns the first problem.
 */
export function whenCondition(key: unknown, values: readonly unknown[]): string | undefined {
  if (typeof key !== 'string' || key === '') return 'a key is required';
  for (const v of values) {
    const empty = nonEmptyValue(v);
    if (empty) return empty;
  }
  const each = (rule: (v: unknown) => string | undefined) => {
    for (const v of values) {
      const bad = rule(v);
      if (bad) return `${JSON.stringify(v)}: ${bad}`;
    }
    return undefined;
  };
  if (key.startsWith('request.headers') || key.startsWith('request.auth.claims') || key.startsWith('experimental.envoy.filters.')) return mapKey(key);
  switch (key) {
    case 'source.ip':
    case 'remote.ip':
    case 'destination.ip':
      return each(ipOrCidr);
    case 'source.serviceAccount':
      return each(serviceAccountValue);
    case 'source.trustDomain':
      return each(wildcardValue);
    case 'destination.port':
      return each(authzPort);
    case 'source.namespace':
    case 'source.principal':
    case 'request.auth.principal':
    case 'request.auth.audiences':
    case 'request.auth.presenter':
    case 'connection.sni':
      return undefined;
    case 'destination.namespace':
      return 'the attribute destination.namespace is replaced by metadata.namespace';
    case 'destination.name':
    case 'destination.user':
      return `the attribute ${key} is deprecated: only supported in v1alpha1`;
    default:
      if (key.startsWith('destination.labels')) return 'the attribute destination.labels is replaced by the workload selector';
      return `unknown attribute; allowed: request.headers[X], request.auth.claims[X], ${WHEN_KEYS.join(', ')}`;
  }
}

/** Istio's `when`-key check alone (no values): {@link whenCondition} with no values. */
export function whenKey(key: unknown): string | undefined {
  return whenCondition(key, []);
}

/** `when` keys a CUSTOM policy cannot use (the external authorizer sees no peer identity or JWT). */
export function customActionWhenKey(key: string): boolean {
  return ['source.namespace', 'source.serviceAccount', 'source.trustDomain', 'source.principal'].includes(key) || key.startsWith('request.auth.');
}

/** `from.source` fields a CUSTOM policy cannot use. */
export const CUSTOM_UNSUPPORTED_SOURCE_FIELDS: readonly string[] = [
  'namespaces', 'notNamespaces', 'serviceAccounts', 'notServiceAccounts', 'trustDomains', 'notTrustDomains',
  'principals', 'notPrincipals', 'requestPrincipals', 'notRequestPrincipals',
];

/**
 * Kinds an Istio policy's `targetRef(s)` may name (`allowedTargetRefs`): core Service, ServiceEntry,
 * Gateway API Gateway and GatewayClass. Keys are `group/kind`, the core group written `core` or ''.
 */
export const POLICY_TARGET_KINDS: readonly string[] = ['/Service', 'core/Service', 'networking.istio.io/ServiceEntry', 'gateway.networking.k8s.io/Gateway', 'gateway.networking.k8s.io/GatewayClass'];

/** Istio's `validatePolicyTargetReference`. */
export function policyTargetRef(ref: any): string | undefined {
  if (!ref || typeof ref !== 'object') return 'a targetRef must be an object';
  if (!ref.name) return 'a targetRef needs a name';
  if (ref.namespace) return 'a targetRef must not set namespace: cross-namespace references are not supported';
  const key = `${ref.group ?? ''}/${ref.kind ?? ''}`;
  if (!POLICY_TARGET_KINDS.includes(key)) {
    return `a targetRef must name a Service, ServiceEntry, Gateway (gateway.networking.k8s.io) or GatewayClass, not ${JSON.stringify(key)}`;
  }
  return undefined;
}

/**
 * The `when` keys ztunnel enforces. istiod converts a selector or namespace-wide AuthorizationPolicy
 * for ztunnel and keeps only these condition keys (`l4WhenAttributes` in
 * `pilot/pkg/serviceregistry/ambient/authorization.go`, Istio 1.30.3); any other key, even a
 * `source.*` one such as `source.serviceAccount` or `source.trustDomain`, makes the rule L7: in an
 * ALLOW policy the whole rule is dropped (it never matches), in a DENY policy the condition is
 * dropped (the rule matches more).
 * @see https://github.com/istio/istio/blob/1.30.3/pilot/pkg/serviceregistry/ambient/authorization.go
 */
export const ZTUNNEL_WHEN_KEYS: readonly string[] = ['source.ip', 'source.namespace', 'source.principal', 'destination.ip', 'destination.port'];

/** `from.source` fields ztunnel cannot enforce (`httpSources` in the same file): HTTP-level sources. */
export const ZTUNNEL_HTTP_SOURCE_FIELDS: readonly string[] = ['remoteIpBlocks', 'notRemoteIpBlocks', 'requestPrincipals', 'notRequestPrincipals'];

/** `to.operation` fields ztunnel cannot enforce (`httpOperations` in the same file); ports are L4. */
export const ZTUNNEL_HTTP_OPERATION_FIELDS: readonly string[] = ['hosts', 'notHosts', 'methods', 'notMethods', 'paths', 'notPaths'];

/** Whether ztunnel can enforce a `when` key (one of {@link ZTUNNEL_WHEN_KEYS}). */
export function ztunnelWhenKey(key: string): boolean {
  return ZTUNNEL_WHEN_KEYS.includes(key);
}
