import { IMeshMember, Mesh } from './mesh';
import { namespaceOwner } from './model';
import { hasBrand, brandSymbol } from './private/brand';
import { GATEWAY_SECCOMP_PROFILE, POD_SECURITY_LABEL_PREFIX, waypointPodSecurity } from './rules/pod-security';

/** Code of the construct warning: a namespace's waypoint pods would be refused and no ControlPlane of the app can fix it. */
export const WARN_WAYPOINT_POD_SECURITY = 'CI0603';

/** A namespace of the mesh whose waypoint pods Pod Security would refuse with Istio's default install values. */
export interface RefusedWaypointNamespace {
  /** The namespace. */
  readonly name: string;
  /** The level it enforces. */
  readonly level: string;
  /** Why the waypoint pods are refused (the rule, from `waypointPodSecurity`). */
  readonly rule: string;
  /** Construct path of the namespace's declaration. */
  readonly source: string;
}

/**
 * The namespaces of a mesh that get a waypoint and enforce a Pod Security level that the waypoint pods
 * of Istio's default install break (under "restricted": no seccomp profile, Istio 1.30.3
 * `files/waypoint.yaml`), and which an install with `values.gateways.seccompProfile:
 * {type: RuntimeDefault}` fixes. Read at synth (a waypoint exists once something needs L7).
 */
export function refusedWaypointNamespaces(mesh: Mesh): RefusedWaypointNamespace[] {
  const out: RefusedWaypointNamespace[] = [];
  for (const ns of mesh.model.namespaces) {
    const level = ns.labels[`${POD_SECURITY_LABEL_PREFIX}enforce`];
    if (level === undefined || ns.adoption !== undefined) continue;
    const rule = waypointPodSecurity(level);
    if (!rule || waypointPodSecurity(level, GATEWAY_SECCOMP_PROFILE)) continue;
    if (!mesh.renderer.renderOwner(mesh.model, namespaceOwner(ns.name)).some((o) => o.id === 'Waypoint')) continue;
    out.push({ name: ns.name, level, rule, source: ns.source });
  }
  return out;
}

const CONTROL_PLANE = brandSymbol('ControlPlane');
const isControlPlane = (m: IMeshMember): m is IMeshMember => hasBrand(m, CONTROL_PLANE);

/** Whether the app declares a ControlPlane for this mesh (by brand: no import of the construct). */
export function hasControlPlane(mesh: Mesh): boolean {
  return mesh.membersOf(isControlPlane).length > 0;
}
