import { AuthorizationRuleIntent, IdentityRef, principalOf } from '../model';
import { ztunnelWhenKey } from '../rules/authz';
import { renderAuthorizationPolicySpec, renderRule } from './istio-security';

/**
 * Renders security intent for an ambient data plane. ztunnel enforces L4 only (identities, ports,
 * IPs); HTTP attributes are enforced by a waypoint, which applies only policies attached to it or to
 * the Services that use it with `targetRefs`. A selector-based policy with HTTP attributes and no
 * waypoint fails closed in ztunnel, so workload policies of a namespace with a waypoint never use
 * `selector`. Pure functions of the intent and the trust domain.
 * @see https://istio.io/latest/docs/ambient/usage/l7-features/
 */

/** The GatewayClass Istio installs for waypoint proxies. */
export const WAYPOINT_GATEWAY_CLASS = 'istio-waypoint';
/** The HBONE port every waypoint listens on. */
export const HBONE_PORT = 15008;
/** The waypoint name the library gives a namespace's waypoint. */
export const NAMESPACE_WAYPOINT_NAME = 'waypoint';

/** The AuthorizationPolicy spec of one workload, enforced at the waypoint via `targetRefs` to its Service. */
export function renderAmbientAuthorizationPolicySpec(action: string, serviceName: string, rules: readonly AuthorizationRuleIntent[], trustDomain: string): Record<string, unknown> {
  return {
    targetRefs: [{ group: '', kind: 'Service', name: serviceName }],
    action,
    rules: rules.map((r) => renderRule(r, trustDomain)),
  };
}

/**
 * The waypoint's own default deny: an ALLOW policy without rules attached to the waypoint Gateway.
 * Every request through the waypoint then needs an explicit allow rule of its destination Service,
 * including requests to Services nobody wrote a policy for (the per-version Services, for example).
 */
export function renderWaypointDefaultDenySpec(waypointName: string): Record<string, unknown> {
  return {
    targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: waypointName }],
    action: 'ALLOW',
  };
}

/**
 * A waypoint: a Kubernetes Gateway of class `istio-waypoint` with one HBONE listener on 15008,
 * labelled `istio.io/waypoint-for: service`.
 */
export function renderWaypointGateway(name: string, namespace: string): { metadata: { name: string; namespace: string; labels: { [key: string]: string } }; spec: Record<string, unknown> } {
  return {
    metadata: { name, namespace, labels: { 'istio.io/waypoint-for': 'service' } },
    spec: { gatewayClassName: WAYPOINT_GATEWAY_CLASS, listeners: [{ name: 'mesh', port: HBONE_PORT, protocol: 'HBONE' }] },
  };
}

/**
 * Whether ztunnel can enforce a rule on its own, as istiod converts it for ztunnel
 * (`pilot/pkg/serviceregistry/ambient/authorization.go`, Istio 1.30.3): no methods or paths, and
 * every `when` key one of `source.ip`, `source.namespace`, `source.principal`, `destination.ip`,
 * `destination.port`. The rule's sources (principals, namespaces and their negations) and ports
 * are L4. Any other key (`source.serviceAccount`, `source.trustDomain`, `remote.ip`,
 * `connection.sni`, `request.*`) makes the rule L7: ztunnel drops such an ALLOW rule.
 */
export function isL4Rule(rule: AuthorizationRuleIntent): boolean {
  return l7Attributes(rule).length === 0;
}

/** The attributes of a rule ztunnel cannot enforce (`methods`, `paths`, non-L4 `when` keys), in order. */
export function l7Attributes(rule: AuthorizationRuleIntent): string[] {
  const out: string[] = [];
  const op = rule.operation;
  if (op && op.methods.length > 0) out.push('methods');
  if (op && op.paths.length > 0) out.push('paths');
  for (const c of rule.when) if (!ztunnelWhenKey(c.key) && !out.includes(c.key)) out.push(c.key);
  return out;
}

/**
 * What ztunnel enforces for a workload's ALLOW rules when its namespace has a waypoint. The rules
 * themselves attach to the waypoint (`targetRefs`), and a request sent straight to a pod IP skips
 * the waypoint. Without an ALLOW policy at ztunnel, such a request would be allowed (in a namespace
 * without default deny): a bypass the sidecar data plane does not have. This policy selects the
 * workload's pods and admits exactly the waypoint's identity (requests that went through the
 * waypoint, which has applied every rule) and the rules ztunnel can enforce itself (L4-only: their
 * callers may also connect directly, as they could with sidecars). Everyone else is denied at
 * ztunnel, so an L7-only caller must go through the Service.
 */
export function renderZtunnelAllowSpec(selector: { readonly [key: string]: string }, rules: readonly AuthorizationRuleIntent[], waypoint: IdentityRef, trustDomain: string): Record<string, unknown> {
  const spec = renderAuthorizationPolicySpec('ALLOW', selector, rules.filter(isL4Rule), trustDomain);
  return { ...spec, rules: [{ from: [{ source: { principals: [principalOf(waypoint, trustDomain)] } }] }, ...(spec.rules as unknown[])] };
}

/**
 * What ztunnel enforces for a workload's DENY rules when its namespace has a waypoint, so a request
 * sent straight to a pod IP cannot skip them: each rule as ztunnel can enforce it. An L4-only rule
 * is kept as is. A rule with HTTP parts loses them (ztunnel cannot see the request), so it denies
 * every direct connection it could apply to: more than asked, never less. Requests that went
 * through the waypoint arrive with the waypoint's identity, which a rule naming callers never
 * matches; a rule without callers whose HTTP parts were dropped excludes the waypoint explicitly.
 */
export function renderZtunnelDenySpec(selector: { readonly [key: string]: string }, rules: readonly AuthorizationRuleIntent[], waypoint: IdentityRef, trustDomain: string): Record<string, unknown> {
  return renderAuthorizationPolicySpec('DENY', selector, rules.map((r) => l4Projection(r, waypoint)), trustDomain);
}

/** A rule without the parts ztunnel cannot enforce (see {@link renderZtunnelDenySpec}). */
function l4Projection(rule: AuthorizationRuleIntent, waypoint: IdentityRef): AuthorizationRuleIntent {
  if (isL4Rule(rule)) return rule;
  const op = rule.operation;
  const operation = op && op.ports.length > 0 ? { methods: [], paths: [], ports: op.ports } : undefined;
  const source = rule.source ?? { identities: [], notIdentities: [waypoint], notNamespaces: [] };
  return { source, ...(operation ? { operation } : {}), when: rule.when.filter((c) => ztunnelWhenKey(c.key)), addedBy: rule.addedBy };
}
