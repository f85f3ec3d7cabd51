/**
 * Where the mode is chosen. `selectRenderer(settings)` is the one place that turns the mesh settings
 * (data plane × routing API) into a renderer, and `routingOf` is the one place that picks a host's
 * delivery (Flagger when the host is progressive, else the mesh's routing API). Every construct-time
 * refusal that depends on the mode asks the selected renderer (its `capabilities`, `hostProblems`,
 * `ruleProblems`), so each rule is stated once, in the renderer that applies it.
 *
 *   data plane      routing API     delivery      renders
 *   sidecar         istio           (per host)    VirtualService, DestinationRule | Flagger Canary
 *   sidecar         gateway-api                   HTTPRoute, per-version Services, DestinationRules
 *   ambient         istio                         as sidecar+istio, through the waypoint (CI1090)
 *   ambient         gateway-api                   as sidecar+gateway-api, through the waypoint
 */
import {
  AuthorizationAction,
  AuthorizationRuleIntent,
  GatewayWorkloadIntent,
  hasTrafficIntent,
  HostTrafficIntent,
  IdentityRef,
  IngressWorkloadRequest,
  IntentProblem,
  isRouted,
  MeshIntentModel,
  MeshSettings,
  MtlsIntent,
  parseOwner,
  sameIdentity,
  ServiceIntent,
  ServiceRef,
  serviceOwner,
  sourceOwner,
  WorkloadEgressIntent,
  WorkloadSecurityIntent,
  writesNamespace,
} from '../model';
import { ambientDestinationRuleWarning, WARN_AMBIENT_DESTINATION_RULE } from './ambient-security';
import { AMBIENT_DATA_PLANE, DataPlaneRenderer, SIDECAR_DATA_PLANE } from './data-planes';
import { egressProblems, renderEgress } from './egress';
import { renderLocalRateLimit } from './envoy-local-rate-limit';
import { canaryExposures, exposureHostProblems, ingressProblems, ingressWorkload, renderIngress, rewriteAuthorizationWarnings, sharedEgressGateway, WARN_REWRITE_OUTSIDE_ALLOW, withExposureRewrites } from './ingress';
import { externalPrincipalsAnnotation, renderDefaultDenySpec, renderPeerAuthenticationSpec } from './istio-security';
import { renderSidecar } from './istio-sidecar';
import { renderRequestAuthentications, requestAuthenticationProblems } from './request-authentication';
import { progressiveWorkloadProblems, renderAmbientRevision, renderPrimaryDisruptionBudget, renderDeployment, renderNamespace, renderService, renderServiceAccount, renderVersionScaling } from './kubernetes';
import { flaggerPolicySelector } from './flagger';
import { FLAGGER_DELIVERY, GATEWAY_API_ROUTING, ISTIO_ROUTING, RoutingRenderer } from './routing';
import { renderTracingTelemetry } from './telemetry';
import { lazyManifest, Manifest, MeshRenderer, RenderedObject, RendererCapabilities, RenderNotice, RenderResult } from './types';
import { deployedElsewhereAnnotation } from '../manifests/deployed-elsewhere';
import { DEPLOYED_ELSEWHERE_ANNOTATION } from '../private/annotations';

export * from './types';
export { WARN_AMBIENT_DESTINATION_RULE } from './ambient-security';

/** Warning code: ambient data plane with Istio's routing API (VirtualService at waypoints is alpha in Istio). */
export const WARN_AMBIENT_VIRTUAL_SERVICE = 'CI1090';

/** The renderer for a mesh's settings: its data plane × routing API. */
export function selectRenderer(settings: MeshSettings): MeshRenderer {
  const dataPlane = settings.dataPlane === 'ambient' ? AMBIENT_DATA_PLANE : SIDECAR_DATA_PLANE;
  const routing = settings.routingApi === 'gateway-api' ? GATEWAY_API_ROUTING : ISTIO_ROUTING;
  return new ModeRenderer(settings, dataPlane, routing);
}

/**
 * The service whose objects include the ServiceAccount of `svc`'s identity: services may share one
 * identity, and the first one the library deploys renders it.
 */
export function serviceAccountRenderer(model: MeshIntentModel, svc: ServiceIntent): ServiceIntent | undefined {
  return model.servicesOf({ namespace: svc.namespace, serviceAccount: svc.serviceAccount }).find((s) => s.workload);
}

/**
 * The service as its workload policies see it: for a host Flagger delivers, the pods are selected by a
 * label Flagger copies to its primary (flagger.ts), so allow/deny rules, mTLS and local rate limits
 * hold for the primary and the canary pods alike; otherwise the service itself.
 */
export function policySubject(svc: ServiceIntent, host: HostTrafficIntent): ServiceIntent {
  return host.progressive ? { ...svc, selector: flaggerPolicySelector(svc) } : svc;
}

/** A scoped workload's egress, selecting its pods as {@link policySubject} does (Flagger's primary included). */
function egressSubject(model: MeshIntentModel, ref: ServiceRef): WorkloadEgressIntent {
  const egress = model.egressOf(ref)!;
  return model.host(ref).progressive ? { ...egress, selector: flaggerPolicySelector(model.service(ref)!) } : egress;
}

/**
 * The workload's security intent, with the callers whose ServiceAccount no service of this app writes
 * (services adopted from attributes) among its external identities: the policy's external-principals
 * annotation then tells the validation layer (CI3002, also `cdk8s-istio lint`) that they live elsewhere.
 */
function withCallersDeployedElsewhere(model: MeshIntentModel, w: WorkloadSecurityIntent): WorkloadSecurityIntent {
  const extra: IdentityRef[] = [];
  for (const rule of [...w.allow, ...w.deny]) {
    for (const id of [...(rule.source?.identities ?? []), ...(rule.source?.notIdentities ?? [])]) {
      const services = model.servicesOf(id);
      if (services.length === 0 || services.some((s) => s.workload || s.adopted === 'workloads')) continue;
      if (![...w.externalIdentities, ...extra].some((x) => sameIdentity(x, id))) extra.push(id);
    }
  }
  return extra.length === 0 ? w : { ...w, externalIdentities: [...w.externalIdentities, ...extra] };
}

/** Renders a whole model with the renderer its settings select. */
export function renderModel(model: MeshIntentModel): RenderResult {
  return selectRenderer(model.settings).render(model);
}

class ModeRenderer implements MeshRenderer {
  public readonly name: string;
  public readonly capabilities: RendererCapabilities;
  private waypoints?: { readonly version: number; readonly namespaces: ReadonlySet<string> };

  constructor(public readonly settings: MeshSettings, private readonly dataPlane: DataPlaneRenderer, private readonly routing: RoutingRenderer) {
    this.name = `${dataPlane.name}+${routing.name}`;
    this.capabilities = {
      nodeAgents: [...dataPlane.nodeAgents],
      ...(dataPlane.noSidecars ? { noSidecars: dataPlane.noSidecars } : {}),
      ...(dataPlane.progressiveDelivery ?? routing.progressiveDelivery ? { progressiveDelivery: dataPlane.progressiveDelivery ?? routing.progressiveDelivery } : {}),
    };
  }

  /** The delivery of one host: Flagger when progressive, else the mesh's routing API. */
  private routingOf(host: HostTrafficIntent): RoutingRenderer {
    return host.progressive ? FLAGGER_DELIVERY : this.routing;
  }

  public hostProblems(model: MeshIntentModel, host: HostTrafficIntent): IntentProblem[] {
    const svc = model.service(host.service);
    if (!svc) return [];
    const out: IntentProblem[] = [];
    if (host.progressive && this.capabilities.progressiveDelivery) {
      out.push({ ...this.capabilities.progressiveDelivery, at: host.sources.progressive });
    }
    out.push(...this.routingOf(host).hostProblems(svc, host));
    if (host.progressive) out.push(...progressiveWorkloadProblems(svc, host.progressive.canaryVersion, host.sources.progressive));
    if (this.dataPlane.usesWaypoints && hasTrafficIntent(host)) out.push(...this.dataPlane.trafficProblems(model.namespace(svc.namespace), svc));
    // Gateway routes follow the host's rules: a change of them must still render on every gateway.
    out.push(...exposureHostProblems(model, this.settings, svc, host, model.exposuresOf(svc)));
    return out;
  }

  public edgeProblems(model: MeshIntentModel): IntentProblem[] {
    const ambient = this.dataPlane.usesWaypoints;
    return [
      ...ingressProblems(model, this.settings),
      ...egressProblems(model, this.settings),
      ...requestAuthenticationProblems(model, ambient, (ns) => model.namespace(ns)?.waypoint ?? false),
    ];
  }

  public ingressWorkload(request: IngressWorkloadRequest, gateway: { readonly name: string; readonly namespace: string }): GatewayWorkloadIntent {
    return ingressWorkload(this.settings, request, gateway);
  }

  public egressGatewayWorkload(): GatewayWorkloadIntent {
    return sharedEgressGateway(this.settings.rootNamespace);
  }

  public ruleProblems(model: MeshIntentModel, ref: ServiceRef, action: AuthorizationAction, rule: AuthorizationRuleIntent): IntentProblem[] {
    const svc = model.service(ref);
    if (!svc) return [];
    return this.dataPlane.ruleProblems(model.namespace(svc.namespace), svc, action, rule, this.settings.trustDomain);
  }

  public mtlsProblems(mtls: MtlsIntent): IntentProblem[] {
    return this.dataPlane.mtlsProblems(mtls);
  }

  public needsWaypoint(model: MeshIntentModel, namespace: string): boolean {
    if (!this.dataPlane.usesWaypoints) return false;
    if (this.waypoints?.version !== model.version) {
      const namespaces = new Set<string>();
      for (const s of model.services) {
        if (namespaces.has(s.namespace) || !model.namespace(s.namespace)?.waypoint) continue;
        const w = model.workload(s);
        const jwt = model.requestAuthenticationsOf({ kind: 'service', service: s }).length > 0;
        if (hasTrafficIntent(model.host(s)) || w.allow.length > 0 || w.deny.length > 0 || jwt) namespaces.add(s.namespace);
      }
      this.waypoints = { version: model.version, namespaces };
    }
    return this.waypoints.namespaces.has(namespace);
  }

  public render(model: MeshIntentModel): RenderResult {
    const objects: RenderedObject[] = [];
    const notices: RenderNotice[] = [];
    const settings = model.settings;
    if (settings.tracing) objects.push(renderTracingTelemetry(settings.rootNamespace, settings.tracing));
    for (const ns of model.namespaces) objects.push(...this.renderNamespace(model, ns.name));
    for (const svc of model.services) {
      const host = model.host(svc);
      objects.push(...this.renderService(model, svc, host));
      for (const limit of host.localRateLimits) objects.push(renderLocalRateLimit(policySubject(svc, host), limit));
      // DestinationRules at a waypoint count every caller's requests together (ambient-security.ts).
      if (this.dataPlane.usesWaypoints && this.routingOf(host) !== FLAGGER_DELIVERY) {
        const message = ambientDestinationRuleWarning(svc, host, this.routingOf(host) === GATEWAY_API_ROUTING);
        if (message) notices.push({ owner: serviceOwner(svc), code: WARN_AMBIENT_DESTINATION_RULE, message });
      }
      // Allow rules whose paths miss where the route rewrites their requests deny them (ingress.ts).
      const rewriteWarnings = rewriteAuthorizationWarnings(model, svc, host, model.workload(svc));
      if (rewriteWarnings.length > 0) notices.push({ owner: serviceOwner(svc), code: WARN_REWRITE_OUTSIDE_ALLOW, message: rewriteWarnings.join('; ') });
      // VirtualService at a waypoint is alpha in Istio: say so for ambient + the Istio routing API.
      if (this.dataPlane.usesWaypoints && this.routingOf(host) === ISTIO_ROUTING && isRouted(host)) {
        notices.push({
          owner: serviceOwner(svc),
          code: WARN_AMBIENT_VIRTUAL_SERVICE,
          message: `${svc.name} is routed with a VirtualService on an ambient data plane: Istio supports VirtualService at waypoints as alpha only; prefer RoutingApi.GATEWAY_API with ambient`,
        });
      }
    }
    objects.push(...this.renderSecurity(model));
    for (const scope of model.egressScopes) {
      if (model.service(scope.service)) objects.push(renderSidecar(scope.scope, scope.service, () => egressSubject(model, scope.service)));
    }
    objects.push(...this.renderEdge(model));
    return { objects, notices };
  }

  /** Ingress gateways, external services and RequestAuthentications, each owned by its construct. */
  private renderEdge(model: MeshIntentModel): RenderedObject[] {
    return [
      ...renderRequestAuthentications(model, this.dataPlane.usesWaypoints, (ns) => this.needsWaypoint(model, ns)),
      ...renderIngress(model, this.settings),
      ...renderEgress(model, this.settings),
    ];
  }

  public renderOwner(model: MeshIntentModel, owner: string): readonly RenderedObject[] {
    const ref = parseOwner(owner);
    switch (ref?.kind) {
      case 'mesh': {
        const settings = model.settings;
        return settings.tracing ? [renderTracingTelemetry(settings.rootNamespace, settings.tracing)] : [];
      }
      case 'service': {
        const svc = model.service(ref.service);
        return svc ? this.renderService(model, svc, model.host(svc)) : [];
      }
      case 'namespace':
        return model.namespace(ref.name) ? this.renderNamespace(model, ref.name) : [];
      case 'source': {
        const out: RenderedObject[] = this.renderSecurity(model).filter((o) => o.owner === owner);
        for (const { service, limit } of model.localRateLimitsBy(ref.path)) out.push(renderLocalRateLimit(policySubject(model.service(service)!, model.host(service)), limit));
        for (const scope of model.egressScopes) {
          if (scope.scope === ref.path && model.service(scope.service)) out.push(renderSidecar(scope.scope, scope.service, () => egressSubject(model, scope.service)));
        }
        // Delegate routes of shared hosts are owned by their writer.
        for (const svc of model.services) {
          const host = model.host(svc);
          if (host.delegates?.some((d) => d.source === ref.path)) out.push(...this.renderService(model, svc, host).filter((o) => o.owner === owner));
        }
        out.push(...this.renderEdge(model).filter((o) => o.owner === owner));
        return out;
      }
      default:
        return [];
    }
  }

  private renderNamespace(model: MeshIntentModel, name: string): RenderedObject[] {
    const ns = model.namespace(name)!;
    const waypoint = this.needsWaypoint(model, name);
    // An adopted or merely named namespace is not this app's: no Namespace object (its owner sets the labels).
    const objects = this.dataPlane.namespaceObjects(ns, waypoint);
    const labels = this.namespaceLabels(model, name);
    // An ambient namespace of a revisioned control plane: istio.io/rev on it and on its waypoints
    // (also in a namespace the app does not write: the revision's istiod deploys a waypoint by the
    // Gateway's own label first, pkg/revisions/tag_watcher.go IsMine).
    const revision = model.settings.revision;
    const ambientRevision = revision !== undefined && 'istio.io/dataplane-mode' in labels;
    if (!writesNamespace(ns)) return ambientRevision ? renderAmbientRevision(renderNamespace(ns, labels), objects, revision).slice(1) : objects;
    if (ambientRevision) return renderAmbientRevision(renderNamespace(ns, labels), objects, revision);
    return [renderNamespace(ns, labels), ...objects];
  }

  public namespaceLabels(model: MeshIntentModel, name: string): { [key: string]: string } {
    const waypoint = this.needsWaypoint(model, name);
    const labels = this.dataPlane.namespaceLabels(waypoint);
    // A revisioned control plane injects the namespaces labelled with its revision, not istio-injection.
    const revision = model.settings.revision;
    if (revision !== undefined && 'istio-injection' in labels) {
      delete labels['istio-injection'];
      labels['istio.io/rev'] = revision;
    }
    // The labels the data plane puts on a Service, for the Services of the namespace the mesh does not
    // write (MeshService.fromAttributes): Istio reads them from the namespace when the Service has
    // none (istio.io/ingress-use-waypoint: pilot/pkg/serviceregistry/ambient/services.go, 1.30.3).
    if (model.services.some((s) => s.namespace === name && !s.workload && s.adopted !== 'workloads')) Object.assign(labels, this.dataPlane.serviceLabels(waypoint));
    return labels;
  }

  public serviceLabels(model: MeshIntentModel, ref: ServiceRef): { [key: string]: string } {
    return this.dataPlane.serviceLabels(this.needsWaypoint(model, ref.namespace));
  }

  /** A service's objects, in a fixed order: workload, routing, then security. */
  private renderService(model: MeshIntentModel, svc: ServiceIntent, host: HostTrafficIntent): RenderedObject[] {
    const out: RenderedObject[] = [];
    const routing = this.routingOf(host);
    const waypoint = this.needsWaypoint(model, svc.namespace);
    const annotations = this.dataPlane.podAnnotations(svc);
    if (svc.workload) {
      // Services may share a ServiceAccount (one identity): the first to declare it renders it.
      if (serviceAccountRenderer(model, svc) === svc) out.push(renderServiceAccount(svc));
      if (routing.rendersWorkload) {
        out.push(renderService(svc, this.dataPlane.serviceLabels(waypoint)));
        for (const v of svc.versions) out.push(renderDeployment(svc, v, annotations));
        for (const v of svc.versions) out.push(...renderVersionScaling(svc, v));
      }
    }
    // Flagger routes the gateways that expose a progressive host whole (its Canary's service.gateways).
    const routed = routing.hostObjects(svc, host, annotations, routing === FLAGGER_DELIVERY ? canaryExposures(model, svc, host) : undefined);
    out.push(...routed);
    // Flagger runs the serving pods in its primary Deployment: the budget covers those.
    if (routing === FLAGGER_DELIVERY && host.progressive) out.push(...renderPrimaryDisruptionBudget(svc, host.progressive.canaryVersion));
    // A gateway exposing the service on a rewriting route sends the rewritten paths: its allow rules admit them (ingress.ts).
    out.push(...this.renderWorkloadSecurity(policySubject(svc, host), withExposureRewrites(model, svc, host, withCallersDeployedElsewhere(model, model.workload(svc))), waypoint));
    if (svc.adopted !== 'attributes') return out;
    const declaration = deployedElsewhereValue(svc, this.dataPlane.usesWaypoints ? 'ambient' : 'sidecar');
    return out.map((o) => declareDeployedElsewhere(o, declaration));
  }

  private renderWorkloadSecurity(svc: ServiceIntent, w: WorkloadSecurityIntent, waypoint: boolean): RenderedObject[] {
    const owner = serviceOwner(svc);
    const td = this.settings.trustDomain;
    const out: RenderedObject[] = [];
    if (w.mtls) {
      out.push({ owner, id: 'PeerAuthentication', manifest: { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: svc.name, namespace: svc.namespace }, spec: renderPeerAuthenticationSpec(w.mtls, svc.selector) } });
    }
    // Which principals the policies name are declared external, so lint of the YAML knows them.
    const annotations = externalPrincipalsAnnotation(w.externalIdentities, td);
    for (const [action, rules, id, name] of [['ALLOW', w.allow, 'AuthorizationPolicy', `${svc.name}-allow`], ['DENY', w.deny, 'DenyPolicy', `${svc.name}-deny`]] as const) {
      if (rules.length === 0) continue;
      out.push({
        owner,
        id,
        manifest: lazyManifest('security.istio.io/v1', 'AuthorizationPolicy', { name, namespace: svc.namespace, ...(annotations ? { annotations } : {}) },
          () => this.dataPlane.authorizationSpec(action, svc, rules, td, waypoint)),
      });
    }
    out.push(...this.dataPlane.workloadSecurityObjects(svc, w, waypoint, td));
    return out;
  }

  /** The mesh-wide and namespace-wide security objects, owned by the construct that declared them. */
  private renderSecurity(model: MeshIntentModel): RenderedObject[] {
    const sec = model.meshSecurity;
    const out: RenderedObject[] = [];
    if (sec.meshMtls !== undefined && sec.source !== undefined) {
      out.push({ owner: sourceOwner(sec.source), id: 'MeshPeerAuthentication', manifest: { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: this.settings.rootNamespace }, spec: renderPeerAuthenticationSpec({ mode: sec.meshMtls, portLevel: [] }) } });
    }
    for (const n of sec.namespaces) {
      const owner = sourceOwner(n.source);
      if (n.mtls !== undefined) {
        out.push({ owner, id: `PeerAuthentication-${n.namespace}`, manifest: { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: n.namespace }, spec: renderPeerAuthenticationSpec({ mode: n.mtls, portLevel: [] }) } });
      }
      if (n.defaultDeny) {
        out.push({ owner, id: `DefaultDeny-${n.namespace}`, manifest: { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'default-deny', namespace: n.namespace }, spec: renderDefaultDenySpec() } });
      }
      out.push(...this.dataPlane.namespaceSecurityObjects(n, this.needsWaypoint(model, n.namespace), this.settings.trustDomain, this.settings.layeredWaypointAuthorization === true,
        () => model.services.filter((s) => s.namespace === n.namespace).map((s) => model.workload(s))));
    }
    return out;
  }
}
export { readinessCheck } from './kubernetes';

/**
 * What the objects rendered for a service deployed elsewhere (MeshService.fromAttributes) declare, so the
 * validation layer and the simulator count that Service and its pods as present (annotation
 * `validation.cdk8s-istio.io/deployed-elsewhere`); computed once per service.
 */
function deployedElsewhereValue(svc: ServiceIntent, dataPlane: 'sidecar' | 'ambient'): string {
  return deployedElsewhereAnnotation({
    namespace: svc.namespace,
    name: svc.name,
    ports: svc.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.targetPort, ...(p.appProtocol !== undefined ? { appProtocol: p.appProtocol } : {}) })),
    selector: { ...svc.selector },
    versions: svc.versions.map((v) => v.name),
    serviceAccount: svc.serviceAccount,
    dataPlane,
  });
}

/** The object with the annotation of {@link deployedElsewhereValue} added; its lazy spec stays lazy. */
function declareDeployedElsewhere(o: RenderedObject, value: string): RenderedObject {
  const manifest = Object.defineProperties({}, Object.getOwnPropertyDescriptors(o.manifest)) as Manifest;
  const metadata = o.manifest.metadata;
  Object.defineProperty(manifest, 'metadata', { enumerable: true, value: { ...metadata, annotations: { ...(metadata.annotations ?? {}), [DEPLOYED_ELSEWHERE_ANNOTATION]: value } } });
  return { ...o, manifest };
}
