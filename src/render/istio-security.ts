import { EXTERNAL_PRINCIPALS_ANNOTATION } from '../private/annotations';
import {
  AuthorizationRuleIntent,
  IdentityRef,
  ConditionIntent,
  ConditionValue,
  MtlsIntent,
  OperationIntent,
  PathMatchIntent,
  principalOf,
  SourceIntent,
} from '../model';

/**
 * Renders security intent as Istio `security.istio.io/v1` specs (sidecar data plane: workloads are
 * picked with `selector`). Pure functions of the intent and the trust domain: the same intent always
 * gives the same spec, key order included. Never emits shapes Istio rejects: no empty strings, no
 * empty from/to/source/operation, ports as numeric strings.
 */

/** The AuthorizationPolicy spec of one workload and action, selecting its pods. */
export function renderAuthorizationPolicySpec(
  action: string,
  selector: { readonly [key: string]: string },
  rules: readonly AuthorizationRuleIntent[],
  trustDomain: string,
): Record<string, unknown> {
  return {
    selector: { matchLabels: { ...selector } },
    action,
    rules: rules.map((r) => renderRule(r, trustDomain)),
  };
}

/**
 * The spec of a namespace-wide default deny: an ALLOW policy without rules, which matches nothing.
 * Once it exists, every workload in the namespace has an ALLOW policy, so a request is allowed only
 * when some other ALLOW rule matches it.
 */
export function renderDefaultDenySpec(): Record<string, unknown> {
  return { action: 'ALLOW' };
}

/** A PeerAuthentication spec: mesh/namespace-wide without `selector`, per workload with it. */
export function renderPeerAuthenticationSpec(intent: MtlsIntent, selector?: { readonly [key: string]: string }): Record<string, unknown> {
  const spec: Record<string, unknown> = {};
  if (selector) spec.selector = { matchLabels: { ...selector } };
  spec.mtls = { mode: intent.mode };
  if (intent.portLevel.length > 0) {
    spec.portLevelMtls = Object.fromEntries(intent.portLevel.map((p) => [String(p.port), { mode: p.mode }]));
  }
  return spec;
}

/**
 * The annotation naming the declared external principals a policy uses (sorted, without duplicates),
 * so lint of the YAML knows them; undefined when there are none.
 */
export function externalPrincipalsAnnotation(external: readonly IdentityRef[], trustDomain: string): { [key: string]: string } | undefined {
  if (external.length === 0) return undefined;
  return { [EXTERNAL_PRINCIPALS_ANNOTATION]: [...new Set(external.map((id) => principalOf(id, trustDomain)))].sort().join(',') };
}

/** One rule; an empty rule `{}` (only reachable through an accepted risk) matches everything. */
export function renderRule(rule: AuthorizationRuleIntent, trustDomain: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const source = rule.source ? renderSource(rule.source, trustDomain) : undefined;
  if (source) out.from = [{ source }];
  const operation = rule.operation ? renderOperation(rule.operation) : undefined;
  if (operation) out.to = [{ operation }];
  if (rule.when.length > 0) out.when = rule.when.map((c) => renderCondition(c, trustDomain));
  return out;
}

function renderSource(s: SourceIntent, trustDomain: string): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  if (s.identities.length > 0) {
    out.principals = unique(s.identities.map((id) => principalOf(id, trustDomain)));
    // Principal AND namespace: both hold only for an mTLS caller from that namespace.
    out.namespaces = unique(s.identities.map((id) => id.namespace));
  }
  if (s.notIdentities.length > 0) out.notPrincipals = unique(s.notIdentities.map((id) => principalOf(id, trustDomain)));
  if (s.notNamespaces.length > 0) out.notNamespaces = unique([...s.notNamespaces]);
  if (s.requestPrincipals && s.requestPrincipals.length > 0) out.requestPrincipals = unique([...s.requestPrincipals]);
  return Object.keys(out).length > 0 ? out : undefined;
}

function renderOperation(o: OperationIntent): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  if (o.methods.length > 0) out.methods = [...o.methods];
  if (o.paths.length > 0) out.paths = o.paths.map(renderPath);
  if (o.ports.length > 0) out.ports = o.ports.map(String);
  return Object.keys(out).length > 0 ? out : undefined;
}

/** A path as Istio writes it: `/x`, `/x/*`, `*.json`, `*` or a `{*}`/`{**}` template. */
export function renderPath(p: PathMatchIntent): string {
  switch (p.kind) {
    case 'prefix': return `${p.value}*`;
    case 'suffix': return `*${p.value}`;
    case 'present': return '*';
    default: return p.value;
  }
}

function renderCondition(c: ConditionIntent, trustDomain: string): Record<string, unknown> {
  const value = (v: ConditionValue) => (typeof v === 'string' ? v : principalOf(v, trustDomain));
  const out: Record<string, unknown> = { key: c.key };
  if (c.values.length > 0) out.values = c.values.map(value);
  if (c.notValues.length > 0) out.notValues = c.notValues.map(value);
  return out;
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}
