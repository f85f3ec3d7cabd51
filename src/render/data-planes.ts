import {
  AuthorizationAction,
  AuthorizationRuleIntent,
  DataPlaneName,
  IntentProblem,
  MtlsIntent,
  NamespaceIntent,
  namespaceOwner,
  NamespaceSecurityIntent,
  sameIdentity,
  ServiceIntent,
  serviceOwner,
  sourceOwner,
  WorkloadSecurityIntent,
} from '../model';
import {
  isL4Rule,
  l7Attributes,
  NAMESPACE_WAYPOINT_NAME,
  renderAmbientAuthorizationPolicySpec,
  renderWaypointDefaultDenySpec,
  renderWaypointGateway,
  renderWaypointLayerAllowSpec,
  renderZtunnelAllowSpec,
  renderZtunnelDenySpec,
} from './ambient-security';
import { renderAuthorizationPolicySpec, renderRule } from './istio-security';
import { sidecarAnnotations } from './kubernetes';
import { externalPrincipalsAnnotation } from './istio-security';
import { lazyManifest, RenderedObject } from './types';

/**
 * What differs between data planes, stated once per data plane. The renderer that the mesh settings
 * select (render/index.ts) combines one of these with a routing renderer (render/routing.ts).
 */
export interface DataPlaneRenderer {
  /** `sidecar` or `ambient`. */
  readonly name: DataPlaneName;
  /** Why workloads have no sidecar proxy; undefined when they have one. */
  readonly noSidecars?: string;
  /** Why Flagger cannot deliver a host on this data plane; undefined when it can. */
  readonly progressiveDelivery?: IntentProblem;
  /** Whether namespaces get a waypoint for L7 intent. */
  readonly usesWaypoints: boolean;
  /** Node agents the data plane needs installed besides istiod. */
  readonly nodeAgents: readonly string[];
  /** The mesh membership labels of a namespace. */
  namespaceLabels(waypoint: boolean): { [key: string]: string };
  /** Annotations of a service's pods. */
  podAnnotations(svc: ServiceIntent): { [key: string]: string };
  /** Labels the data plane adds to a service's Service. */
  serviceLabels(waypoint: boolean): { [key: string]: string };
  /** The AuthorizationPolicy spec of a workload. */
  authorizationSpec(action: AuthorizationAction, svc: ServiceIntent, rules: readonly AuthorizationRuleIntent[], trustDomain: string, waypoint: boolean): Record<string, unknown>;
  /**
   * Objects the data plane adds to a workload's authorization (ambient with a waypoint: what
   * ztunnel enforces for requests sent straight to a pod IP).
   */
  workloadSecurityObjects(svc: ServiceIntent, w: WorkloadSecurityIntent, waypoint: boolean, trustDomain: string): RenderedObject[];
  /** Objects a namespace gets from the data plane (its waypoint). */
  namespaceObjects(ns: NamespaceIntent, waypoint: boolean): RenderedObject[];
  /**
   * Objects the data plane adds to a secured namespace (the waypoint's exceptions to the default deny).
   * `layered`: istiod's ENABLE_LAYERED_WAYPOINT_AUTHORIZATION_POLICIES; `workloads`: the security intent
   * of every workload of the namespace, read only when needed.
   */
  namespaceSecurityObjects(sec: NamespaceSecurityIntent, waypoint: boolean, trustDomain: string, layered: boolean, workloads: () => readonly WorkloadSecurityIntent[]): RenderedObject[];
  /** What the data plane cannot enforce in a host's traffic intent. */
  trafficProblems(ns: NamespaceIntent | undefined, svc: ServiceIntent): IntentProblem[];
  /** What the data plane cannot enforce in one authorization rule. */
  ruleProblems(ns: NamespaceIntent | undefined, svc: ServiceIntent, action: AuthorizationAction, rule: AuthorizationRuleIntent, trustDomain: string): IntentProblem[];
  /** What the data plane cannot enforce in an mTLS mode (and its per-port modes). */
  mtlsProblems(mtls: MtlsIntent): IntentProblem[];
}

/** An Envoy sidecar in every pod: policies select pods, the pods carry sidecar resource annotations. */
export const SIDECAR_DATA_PLANE: DataPlaneRenderer = {
  name: 'sidecar',
  usesWaypoints: false,
  nodeAgents: [],
  namespaceLabels: () => ({ 'istio-injection': 'enabled' }),
  podAnnotations: (svc) => sidecarAnnotations(svc),
  serviceLabels: () => ({}),
  authorizationSpec: (action, svc, rules, td) => renderAuthorizationPolicySpec(action, svc.selector, rules, td),
  workloadSecurityObjects: () => [],
  namespaceObjects: () => [],
  namespaceSecurityObjects: () => [],
  trafficProblems: () => [],
  ruleProblems: () => [],
  mtlsProblems: () => [],
};

/**
 * Ambient mode: ztunnel enforces L4, a namespace waypoint applies routes, DestinationRules and L7
 * policies for the Services that use it. A namespace gets its waypoint as soon as one of its
 * services has routing, a traffic policy or an authorization rule.
 */
export const AMBIENT_DATA_PLANE: DataPlaneRenderer = {
  name: 'ambient',
  noSidecars: 'ambient workloads have no sidecar',
  progressiveDelivery: {
    property: 'progressive',
    value: 'ambient data plane',
    rule: "Flagger's Istio provider drives traffic through VirtualServices and sidecars; this mesh runs the ambient data plane",
    hint: 'deliver this host from a sidecar mesh, or route it without progressive (Flagger\'s gatewayapi provider is not supported by this library yet)',
  },
  usesWaypoints: true,
  nodeAgents: ['ztunnel', 'istio-cni'],
  namespaceLabels: (waypoint): { [key: string]: string } => ({
    'istio.io/dataplane-mode': 'ambient',
    ...(waypoint ? { 'istio.io/use-waypoint': NAMESPACE_WAYPOINT_NAME } : {}),
  }),
  podAnnotations: () => ({}),
  // An ingress gateway sends straight to the pods unless told to use the waypoint; without it,
  // ingress traffic would skip the routes and L7 policies, and ztunnel's default deny.
  serviceLabels: (waypoint): { [key: string]: string } => (waypoint ? { 'istio.io/ingress-use-waypoint': 'true' } : {}),
  // With a waypoint: `targetRefs` to the Service, enforced by the waypoint (never `selector`).
  // Without one: L4-only rules (ruleProblems refuses the rest), enforced by ztunnel with `selector`.
  authorizationSpec: (action, svc, rules, td, waypoint) => (waypoint
    ? renderAmbientAuthorizationPolicySpec(action, svc.name, rules, td)
    : renderAuthorizationPolicySpec(action, svc.selector, rules, td)),
  // Rules attached to the waypoint are skipped by requests straight to a pod IP: ztunnel enforces
  // them too, as far as it can (render/ambient-security.ts).
  workloadSecurityObjects: (svc, w, waypoint, td) => {
    if (!waypoint) return [];
    const owner = serviceOwner(svc);
    const wp = { namespace: svc.namespace, serviceAccount: NAMESPACE_WAYPOINT_NAME };
    const out: RenderedObject[] = [];
    if (w.allow.length > 0) {
      out.push({ owner, id: 'ZtunnelAuthorizationPolicy', manifest: lazyManifest('security.istio.io/v1', 'AuthorizationPolicy', { name: `${svc.name}-ztunnel-allow`, namespace: svc.namespace, ...externalAnnotation(w.allow.filter(isL4Rule), w, td) }, () => renderZtunnelAllowSpec(svc.selector, w.allow, wp, td)) });
    }
    if (w.deny.length > 0) {
      out.push({ owner, id: 'ZtunnelDenyPolicy', manifest: lazyManifest('security.istio.io/v1', 'AuthorizationPolicy', { name: `${svc.name}-ztunnel-deny`, namespace: svc.namespace, ...externalAnnotation(w.deny, w, td) }, () => renderZtunnelDenySpec(svc.selector, w.deny, wp, td)) });
    }
    return out;
  },
  namespaceObjects: (ns, waypoint) => {
    if (!waypoint) return [];
    const g = renderWaypointGateway(NAMESPACE_WAYPOINT_NAME, ns.name);
    return [{ owner: namespaceOwner(ns.name), id: 'Waypoint', manifest: { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: g.metadata, spec: g.spec } }];
  },
  // The ALLOW-nothing default deny is enforced by ztunnel (L4). Requests through the waypoint arrive
  // with the waypoint's identity: each workload with allow rules admits it at ztunnel
  // (workloadSecurityObjects), so the waypoint itself must deny what no allow rule of the
  // destination Service allows.
  namespaceSecurityObjects: (sec, waypoint, td, layered, workloads) => {
    if (!sec.defaultDeny || !waypoint) return [];
    const ns = sec.namespace;
    const out: RenderedObject[] = [
      { owner: sourceOwner(sec.source), id: `WaypointDefaultDeny-${ns}`, manifest: { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: `${NAMESPACE_WAYPOINT_NAME}-default-deny`, namespace: ns }, spec: renderWaypointDefaultDenySpec(NAMESPACE_WAYPOINT_NAME) } },
    ];
    // Layered waypoint authorization: the namespace default deny also applies to the waypoint's own pod.
    if (layered) {
      const ws = workloads();
      const annotations = externalPrincipalsAnnotation(ws.flatMap((w) => w.externalIdentities), td);
      out.push({
        owner: sourceOwner(sec.source),
        id: `WaypointLayerAllow-${ns}`,
        manifest: lazyManifest('security.istio.io/v1', 'AuthorizationPolicy', { name: `${NAMESPACE_WAYPOINT_NAME}-allow`, namespace: ns, ...(annotations ? { annotations } : {}) },
          () => renderWaypointLayerAllowSpec(NAMESPACE_WAYPOINT_NAME, ws.flatMap((w) => w.allow), td)),
      });
    }
    return out;
  },
  trafficProblems: (ns, svc) => (ns && !ns.waypoint ? [{
    property: 'namespace',
    value: ns.name,
    rule: `routes and connection policies are applied by a waypoint in ambient mode, but ${noWaypoint(ns).why}`,
    hint: `${noWaypoint(ns).hint}, or use DataPlaneMode.SIDECAR for this mesh`,
    at: svc.source,
  }] : []),
  // ztunnel ignores DISABLE: istiod's ambient conversion treats it as PERMISSIVE (plaintext still
  // accepted, HBONE from other ambient workloads still mTLS), so the mode would not do what it says.
  mtlsProblems: (mtls) => [
    ...(mtls.mode === 'DISABLE' ? [disableInAmbient('mtls.mode')] : []),
    ...mtls.portLevel.filter((p) => p.mode === 'DISABLE').map((p) => disableInAmbient(`mtls.portLevel.${p.port}`)),
  ],
  ruleProblems: (ns, svc, action, rule, td) => {
    const l7 = ns && !ns.waypoint ? l7Attributes(rule) : [];
    if (l7.length === 0) return [];
    return [{
      property: action === 'ALLOW' ? 'allow' : 'deny',
      value: JSON.stringify(renderRule(rule, td)),
      rule: `this ${action} rule uses attributes ztunnel cannot enforce (${l7.join(', ')}); in ambient mode only a waypoint can, `
        + `and ${noWaypoint(ns!).why}. ztunnel enforces only sources, ports and the when keys source.ip, source.namespace, source.principal, destination.ip, destination.port `
        + `(pilot/pkg/serviceregistry/ambient/authorization.go): it would drop this ${action === 'ALLOW' ? 'rule, denying its callers' : "rule's other attributes, denying more than asked"}`,
      hint: `${noWaypoint(ns!).hint}, keep the rule to identities, ports and those keys, or use DataPlaneMode.SIDECAR`,
      at: svc.source,
    }];
  },
};

/** Why a namespace has no waypoint, and how to give it one, for refusals of L7 intent in ambient mode. */
function noWaypoint(ns: NamespaceIntent): { readonly why: string; readonly hint: string } {
  switch (ns.adoption) {
    case 'named':
      return {
        why: `namespace ${ns.name} is only named by a service deployed elsewhere: the mesh writes no waypoint into a namespace the app neither declares nor adopts`,
        hint: `adopt the namespace with MeshNamespace.fromName(scope, id, '${ns.name}', { mesh, waypoint: true }) and have its owner label it as that namespace's labels say`,
      };
    case 'adopted':
      return {
        why: `namespace ${ns.name} is adopted with waypoint: false (the mesh cannot label a namespace it does not write with istio.io/use-waypoint)`,
        hint: 'adopt it with waypoint: true and have its owner label it as the adopted namespace\'s labels say',
      };
    default:
      return { why: `namespace ${ns.name} has waypoint: false`, hint: 'allow the waypoint (MeshNamespace waypoint: true)' };
  }
}

/** The refusal of MtlsMode.DISABLE on the ambient data plane. */
function disableInAmbient(property: string): IntentProblem {
  return {
    property,
    value: 'DISABLE',
    rule: 'ztunnel does not support mTLS mode DISABLE: istiod treats it as PERMISSIVE for ambient workloads '
      + '(pilot/pkg/serviceregistry/ambient/authorization.go), and HBONE traffic between ambient workloads is always mTLS; '
      + "Istio's PeerAuthentication reference: in ambient mode DISABLE is not supported",
    hint: 'use MtlsMode.PERMISSIVE (what ztunnel applies) or MtlsMode.STRICT, or the sidecar data plane if plaintext is required',
  };
}

/** The external-principals annotation of a policy holding `rules` (the declared external identities they name). */
function externalAnnotation(rules: readonly AuthorizationRuleIntent[], w: WorkloadSecurityIntent, td: string): { annotations?: { [key: string]: string } } {
  const named = rules.flatMap((r) => [...(r.source?.identities ?? []), ...(r.source?.notIdentities ?? [])]);
  const external = w.externalIdentities.filter((id) => named.some((n) => sameIdentity(n, id)));
  const annotations = externalPrincipalsAnnotation(external, td);
  return annotations ? { annotations } : {};
}
