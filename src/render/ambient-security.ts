import { AuthorizationRuleIntent, IdentityRef, principalOf } from '../model';
import { renderRule } from './istio-security';

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
 * The ztunnel-level exception to a namespace's default deny: requests that went through the
 * waypoint reach the destination ztunnel with the **waypoint's** identity as the source, so the
 * namespace-wide ALLOW-nothing would drop them all. Only the waypoint is let through at L4; it has
 * already applied the L7 policies.
 */
export function renderAllowFromWaypointSpec(waypoint: IdentityRef, trustDomain: string): Record<string, unknown> {
  return {
    action: 'ALLOW',
    rules: [{ from: [{ source: { principals: [principalOf(waypoint, trustDomain)] } }] }],
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

/** Whether ztunnel can enforce a rule on its own: no methods, paths or request attributes. */
export function isL4Rule(rule: AuthorizationRuleIntent): boolean {
  const op = rule.operation;
  if (op && (op.methods.length > 0 || op.paths.length > 0)) return false;
  // a JWT principal is read from the HTTP request: L7
  if ((rule.source?.requestPrincipals?.length ?? 0) > 0) return false;
  return rule.when.every((c) => !c.key.startsWith('request.'));
}
