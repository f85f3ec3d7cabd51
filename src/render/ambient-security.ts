import { AuthorizationRuleIntent, WorkloadAuthorizationIntent } from '../intent/security';
import { IWorkloadIdentity, principalOf } from '../identity';
import { renderRule } from './istio-security';

/**
 * Renders security intent for an ambient data plane. ztunnel enforces L4 only (identities, ports,
 * IPs); HTTP attributes are enforced by a waypoint, which applies only policies attached to it or to
 * the Services that use it with `targetRefs`. A selector-based policy with HTTP attributes and no
 * waypoint fails closed in ztunnel, so workload policies here never use `selector`.
 * Pure functions of the intent and the trust domain.
 * @see https://istio.io/latest/docs/ambient/usage/l7-features/
 */

/** The AuthorizationPolicy spec of one workload, enforced at the waypoint via `targetRefs` to its Service. */
export function renderAmbientAuthorizationPolicySpec(intent: WorkloadAuthorizationIntent, trustDomain: string): Record<string, unknown> {
  return {
    targetRefs: [{ group: '', kind: 'Service', name: intent.serviceName }],
    action: intent.action,
    rules: intent.rules.map((r) => renderRule(r, trustDomain)),
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
export function renderAllowFromWaypointSpec(waypoint: IWorkloadIdentity, trustDomain: string): Record<string, unknown> {
  return {
    action: 'ALLOW',
    rules: [{ from: [{ source: { principals: [principalOf(waypoint, trustDomain)] } }] }],
  };
}

/** Whether ztunnel can enforce a rule on its own: no methods, paths or request attributes. */
export function isL4Rule(rule: AuthorizationRuleIntent): boolean {
  const op = rule.operation;
  if (op && (op.methods.length > 0 || op.paths.length > 0)) return false;
  return rule.when.every((c) => !c.key.startsWith('request.'));
}
