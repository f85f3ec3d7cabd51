import {
  IntentProblem,
  JwtRuleIntent,
  MeshIntentModel,
  RequestAuthenticationIntent,
  sourceOwner,
} from '../model';
import { lazyManifest, RenderedObject } from './types';

/**
 * Renders RequestAuthentications (`security.istio.io/v1`). A service's workload is picked with
 * `selector` on the sidecar data plane and with `targetRefs` to its Service at the namespace
 * waypoint in ambient mode; an ingress gateway's pods with `selector` (Istio API) or `targetRefs` to
 * the Gateway API `Gateway` Istio provisioned them for. A RequestAuthentication only validates the
 * tokens requests carry: a request without a token passes it, so only an authorization rule that
 * requires a request principal (or a claim) makes a token required.
 */

/** Where the RequestAuthentication of a target is written and how it picks the workload. */
export interface RequestAuthenticationPlacement {
  readonly namespace: string;
  /** `selector` or `targetRefs` of the spec. */
  readonly attach: Record<string, unknown>;
}

/**
 * Where a RequestAuthentication goes, per data plane: undefined when the target is gone. `waypoint`
 * tells whether the service's namespace has a waypoint (ambient).
 */
export function requestAuthenticationPlacement(model: MeshIntentModel, ra: RequestAuthenticationIntent, ambient: boolean, waypoint: (namespace: string) => boolean): RequestAuthenticationPlacement | undefined {
  if (ra.target.kind === 'service') {
    const svc = model.service(ra.target.service);
    if (!svc) return undefined;
    if (ambient && waypoint(svc.namespace)) return { namespace: svc.namespace, attach: { targetRefs: [{ group: '', kind: 'Service', name: svc.name }] } };
    return { namespace: svc.namespace, attach: { selector: { matchLabels: { ...svc.selector } } } };
  }
  const gw = model.ingressGateway(ra.target.gateway);
  if (!gw) return undefined;
  if (gw.workload.kind === 'provisioned') return { namespace: gw.namespace, attach: { targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: gw.name }] } };
  return { namespace: gw.workload.namespace, attach: { selector: { matchLabels: { ...gw.workload.selector } } } };
}

/** What a data plane cannot enforce: a RequestAuthentication on an ambient workload without a waypoint (ztunnel sees no HTTP). */
export function requestAuthenticationProblems(model: MeshIntentModel, ambient: boolean, waypointAllowed: (namespace: string) => boolean): IntentProblem[] {
  if (!ambient) return [];
  const out: IntentProblem[] = [];
  for (const ra of model.requestAuthentications) {
    if (ra.target.kind !== 'service') continue;
    const ns = ra.target.service.namespace;
    if (waypointAllowed(ns)) continue;
    out.push({
      property: 'target', value: `${ns}/${ra.target.service.name}`,
      rule: `JWTs are validated at the namespace waypoint in ambient mode (ztunnel sees no HTTP), and namespace ${ns} has waypoint: false`,
      hint: 'allow the waypoint (MeshNamespace waypoint: true), validate the token at the ingress gateway, or use DataPlaneMode.SIDECAR',
      at: ra.source,
    });
  }
  return out;
}

/** One JWT rule as the RequestAuthentication spec writes it. */
export function renderJwtRule(r: JwtRuleIntent): Record<string, unknown> {
  const out: Record<string, unknown> = { issuer: r.issuer, jwksUri: r.jwksUri };
  if (r.audiences.length > 0) out.audiences = [...r.audiences];
  if (r.fromHeaders.length > 0) out.fromHeaders = r.fromHeaders.map((h) => ({ name: h.name, ...(h.prefix !== undefined ? { prefix: h.prefix } : {}) }));
  if (r.forwardOriginalToken) out.forwardOriginalToken = true;
  if (r.outputClaimToHeaders.length > 0) out.outputClaimToHeaders = r.outputClaimToHeaders.map((h) => ({ header: h.header, claim: h.claim }));
  return out;
}

/** The RequestAuthentication objects of a model (child id `Resource` of their construct). */
export function renderRequestAuthentications(model: MeshIntentModel, ambient: boolean, waypoint: (namespace: string) => boolean): RenderedObject[] {
  const out: RenderedObject[] = [];
  for (const ra of model.requestAuthentications) {
    const place = requestAuthenticationPlacement(model, ra, ambient, waypoint);
    if (!place) continue;
    out.push({
      owner: sourceOwner(ra.source),
      id: 'Resource',
      manifest: lazyManifest('security.istio.io/v1', 'RequestAuthentication', { name: ra.name, namespace: place.namespace }, () => ({ ...place.attach, jwtRules: ra.jwtRules.map(renderJwtRule) })),
    });
  }
  return out;
}
