import { AuthorizationRuleIntent, HostTrafficIntent, IdentityRef, isRouted, principalOf, ServiceIntent } from '../model';
import { ztunnelWhenKey } from '../rules/authz';
import { isHttpProtocol, servicePortProtocol } from '../rules/protocol';
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
  // a JWT principal is read from the HTTP request: L7
  if ((rule.source?.requestPrincipals?.length ?? 0) > 0) out.push('requestPrincipals');
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
  // A JWT principal is read from the HTTP request, which ztunnel cannot see: drop it (deny more).
  const { requestPrincipals: _jwt, ...peer } = rule.source ?? { identities: [], notIdentities: [], notNamespaces: [] };
  const namesCallers = peer.identities.length > 0 || peer.notIdentities.length > 0 || peer.notNamespaces.length > 0;
  const source = namesCallers ? peer : { identities: [], notIdentities: [waypoint], notNamespaces: [] };
  return { source, ...(operation ? { operation } : {}), when: rule.when.filter((c) => ztunnelWhenKey(c.key)), addedBy: rule.addedBy };
}

/** Warning code: DestinationRules on an ambient data plane (applied at the waypoint, for every caller together). */
export const WARN_AMBIENT_DESTINATION_RULE = 'CI1091';

/**
 * Whether the DestinationRule of the Service host itself is dead config on an ambient data plane with
 * Gateway API routes, so it is not rendered. A waypoint builds a cluster per Service, port and protocol
 * and applies that host's DestinationRule to it (pilot/pkg/networking/core/cluster_waypoint.go
 * buildWaypointInboundVIP, Istio 1.30.3); HTTPRoute rules reach versions through per-version Services
 * (backendRefs, not DestinationRule subsets: https://istio.io/latest/docs/ambient/migrate/migrate-policies/),
 * whose own DestinationRules carry the host policy. So when every rule forwards only to versions (and
 * mirrors only to versions), and every port is declared HTTP (a TCP or undeclared port also gets a TCP
 * cluster, which HTTPRoutes never route and where the Service host's policy still applies), no request
 * uses the Service host's cluster.
 */
export function ambientServiceHostRuleUnused(svc: ServiceIntent, host: HostTrafficIntent): boolean {
  if (host.hostPolicy === undefined || !isRouted(host)) return false;
  const rules = [...(host.rules ?? []), ...(host.portRoutes ?? []).flatMap((r) => r.rules)];
  const forwards = rules.filter((r) => r.destinations.length > 0);
  if (forwards.length === 0) return false;
  const toVersions = rules.every((r) => r.destinations.every((d) => d.version !== undefined) && (r.mirror === undefined || r.mirror.version !== undefined));
  return toVersions && svc.ports.every((p) => isHttpProtocol(servicePortProtocol({ port: p.port, name: p.name })));
}

/**
 * What a host's DestinationRules amount to on an ambient data plane. Istio's ambient docs list
 * DestinationRule traffic policies (connection pool, outlier detection, TLS) as applied by waypoints
 * (https://istio.io/latest/docs/ambient/migrate/migrate-policies/; only VirtualService at waypoints is
 * Alpha, CI1090: https://istio.io/latest/docs/ambient/usage/l7-features/). The waypoint is then the
 * client of the Service's clusters (cluster_waypoint.go): the pool limits and outlier detection count the
 * requests of every caller together, per waypoint replica, where sidecars count them per calling pod.
 * With the Gateway API, the Service host's own DestinationRule is left out when no request uses it
 * ({@link ambientServiceHostRuleUnused}). Returns the warning, or undefined when the host renders no
 * DestinationRule.
 */
export function ambientDestinationRuleWarning(svc: ServiceIntent, host: HostTrafficIntent, gatewayApi: boolean): string | undefined {
  if (host.hostPolicy === undefined && host.subsetPolicies.length === 0) return undefined;
  const out = [
    `${svc.name}'s traffic policy (CircuitBreaker) renders DestinationRules on an ambient data plane: the namespace waypoint applies them as the client of ${svc.name}, `
    + 'so the connection pool limits and outlier detection count the requests of every caller together (per waypoint replica), not per calling pod as sidecars do; size them for all callers',
  ];
  if (gatewayApi && ambientServiceHostRuleUnused(svc, host)) {
    out.push(`its DestinationRule for the Service host ${svc.name} is not rendered: every HTTPRoute rule sends its requests to a per-version Service, whose own DestinationRule carries the policy`);
  }
  return out.join('. Also, ');
}

/** The label Istio's waypoint deployment puts on the waypoint's pods (istio-discovery files/waypoint.yaml). */
export const WAYPOINT_POD_LABEL = 'gateway.networking.k8s.io/gateway-name';

/**
 * With `ENABLE_LAYERED_WAYPOINT_AUTHORIZATION_POLICIES=true` a waypoint also enforces, as L4 rules at its
 * HBONE termination, the policies that select its own pod by the ordinary workload rules
 * (pilot/pkg/networking/core/listener_waypoint.go → authz.NewWaypointTerminationBuilder, which sets
 * IsWaypoint = false; pilot/pkg/networking/plugin/authz/authorization.go, Istio 1.30.3): the namespace
 * default deny then applies to the waypoint too, and nothing would reach it. This ALLOW policy selects
 * the waypoint's pod and admits, at L4, every caller an allow rule of the namespace names (the rule's
 * source only: the HTTP parts and conditions stay with the L7 policy the waypoint applies next, so this
 * layer never admits less than the L7 rules do). Rules without a source admit any caller here.
 */
export function renderWaypointLayerAllowSpec(waypointName: string, allowRules: readonly AuthorizationRuleIntent[], trustDomain: string): Record<string, unknown> {
  const seen = new Set<string>();
  const rules: unknown[] = [];
  for (const r of allowRules) {
    const rendered = renderRule({ ...(r.source ? { source: r.source } : {}), when: [], addedBy: r.addedBy }, trustDomain);
    const key = JSON.stringify(rendered);
    if (seen.has(key)) continue;
    seen.add(key);
    rules.push(rendered);
  }
  return { selector: { matchLabels: { [WAYPOINT_POD_LABEL]: waypointName } }, action: 'ALLOW', rules };
}
