import {
  AnalysisWebhookIntent,
  HostTrafficIntent,
  HttpMatchIntent,
  IntentProblem,
  MetricCheckIntent,
  ProgressiveIntent,
  ServiceIntent,
  serviceOwner,
  TrafficPolicyIntent,
} from '../model';
import { portProtocol } from '../rules/protocol';
import { flaggerDuration, istioDuration } from './format';
import { renderCors, renderHeaderMutation, renderRetries, renderStringMatch, renderTrafficPolicy } from './istio-traffic';
import { renderDeploymentManifest } from './kubernetes';
import { lazyManifest, RenderedObject } from './types';

/**
 * Renders a progressively delivered host for Flagger (flagger.app/v1beta1, Istio provider): one
 * `Canary` (child id `Canary`) and Flagger's target, the canary version's Deployment renamed to the
 * service name with selector `app` only (child id `Deployment`). No Service, no other Deployment,
 * no VirtualService and no DestinationRule: Flagger creates and owns those, and ours would fight it.
 * Pure functions of the model: same intent, same spec, key order included.
 */

/**
 * The pod label the workload policies of a progressive host select (AuthorizationPolicy,
 * PeerAuthentication, a LocalRateLimit's EnvoyFilter). Flagger copies every pod-template label of its
 * target to the primary except its selector label (`app`), which becomes `<name>-primary`
 * (pkg/canary/util.go makePrimaryLabels and deployment_controller.go createPrimaryDeployment, Flagger
 * v1.44.0), so a policy on `app: <name>` would hold for the canary pods only. Istio's canonical service
 * label names the service both the primary and the canary pods belong to, so they share it, and Istio's
 * telemetry then reports both as one canonical service (Flagger's builtin metrics query
 * `destination_workload`, which still tells them apart).
 */
export const FLAGGER_POLICY_LABEL = 'service.istio.io/canonical-name';

/** The workload selector of a progressive host's policies: a label the primary and the canary pods both carry. */
export function flaggerPolicySelector(svc: ServiceIntent): { readonly [key: string]: string } {
  return { [FLAGGER_POLICY_LABEL]: svc.name };
}

/** The objects of a progressive host: Flagger's target Deployment, then the Canary. */
export function renderFlaggerDelivery(svc: ServiceIntent, host: HostTrafficIntent, podAnnotations: { readonly [key: string]: string }, exposures: readonly CanaryExposure[] = []): RenderedObject[] {
  const p = host.progressive!;
  const owner = serviceOwner(svc);
  const out: RenderedObject[] = [];
  const version = svc.versions.find((v) => v.name === p.canaryVersion);
  if (svc.workload && version) {
    // The name and the selector must stay the same across releases (a selector cannot change).
    const d = renderDeploymentManifest(svc, version, podAnnotations);
    const template = d.spec.template as { metadata: { labels: Record<string, string> } };
    // The pods carry the policy label, which Flagger copies to its primary.
    const podTemplate = { ...template, metadata: { ...template.metadata, labels: { ...template.metadata.labels, ...flaggerPolicySelector(svc) } } };
    out.push({
      owner,
      id: 'Deployment',
      manifest: { ...d, metadata: { ...d.metadata, name: svc.name }, spec: { ...d.spec, selector: { matchLabels: { ...svc.selector } }, template: podTemplate } },
    });
  }
  out.push({ owner, id: 'Canary', manifest: lazyManifest('flagger.app/v1beta1', 'Canary', { name: svc.name, namespace: svc.namespace }, () => renderCanarySpec(svc, host, exposures)) });
  return out;
}

/**
 * An ingress gateway that exposes a progressive host: the gateway as `namespace/name` and the host
 * clients send. The narrowest shape the Canary needs (issue 17's exposure intent carries more).
 */
export interface CanaryExposure {
  readonly gateway: string;
  readonly host: string;
}

/**
 * The Canary spec of a progressive host. `exposures`: the ingress gateways exposing the host. Flagger
 * binds its VirtualService to `service.gateways`, and adds `mesh` itself only when that list is empty
 * (Flagger v1.44.0 pkg/router/istio.go reconcileVirtualService), so with exposures the list is the
 * gateways plus `mesh`, and `service.hosts` the exposed host names (Flagger adds the Service name):
 * requests entering through a gateway then follow the A/B routes too.
 */
export function renderCanarySpec(svc: ServiceIntent, host: HostTrafficIntent, exposures: readonly CanaryExposure[] = []): Record<string, unknown> {
  const p = host.progressive!;
  const port = svc.ports[0];
  const spec: Record<string, unknown> = {
    provider: 'istio',
    targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: svc.name },
  };
  if (p.progressDeadline !== undefined) spec.progressDeadlineSeconds = p.progressDeadline / 1000;
  const service: Record<string, unknown> = {
    name: svc.name,
    port: port.port,
    targetPort: port.targetPort,
    portName: port.name,
  };
  // Flagger writes service.appProtocol on the primary port of the Services it generates
  // (pkg/router/kubernetes_default.go reconcileService, v1.44.0): a protocol the name does not say stays declared.
  if (port.appProtocol !== undefined) service.appProtocol = port.appProtocol;
  // The other ports of a several-port service: Flagger adds the target's container ports to the
  // Services it generates (its VirtualService still routes only service.port, Flagger #1612).
  if (svc.ports.length > 1) service.portDiscovery = true;
  // Flagger's delegation mode: its VirtualService is a delegate of the root the library renders.
  if (p.delegation) service.delegation = true;
  if (exposures.length > 0) {
    service.gateways = [...new Set(exposures.map((e) => e.gateway))].sort().concat('mesh');
    service.hosts = [...new Set(exposures.map((e) => e.host))].sort();
  }
  const defaults = host.defaults;
  if (defaults.timeout !== undefined) service.timeout = istioDuration(defaults.timeout);
  if (defaults.retries) service.retries = renderRetries(defaults.retries);
  Object.assign(service, renderCanaryServiceEffects(host));
  const tp = renderTrafficPolicy(host.hostPolicy);
  if (tp) service.trafficPolicy = tp;
  spec.service = service;
  spec.analysis = renderAnalysis(p);
  return spec;
}

/**
 * The default route's header changes, CORS policy and rewrite as the Canary's `service.headers`,
 * `service.corsPolicy` and `service.rewrite`, which Flagger v1.44 copies onto the HTTP routes of the
 * VirtualService it writes (pkg/router/istio.go; schema imports/schemas/flagger.json). Not in Flagger's
 * delegation mode, where the library's root VirtualService carries them. The construct refuses them
 * where they would mean something else (an A/B test) and refuses fault and mirror (no Canary field).
 */
export function renderCanaryServiceEffects(host: HostTrafficIntent): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (host.progressive?.delegation) return out;
  const catchAll = host.rules?.[host.rules.length - 1];
  if (!catchAll || catchAll.matches.length > 0) return out;
  const headers = catchAll.headers ? renderHeaderMutation(catchAll.headers) : undefined;
  if (headers) out.headers = headers;
  if (catchAll.cors) out.corsPolicy = renderCors(catchAll.cors);
  if (catchAll.rewrite) out.rewrite = { ...(catchAll.rewrite.uri !== undefined ? { uri: catchAll.rewrite.uri } : {}), ...(catchAll.rewrite.authority !== undefined ? { authority: catchAll.rewrite.authority } : {}) };
  return out;
}

/** The `analysis` block. */
export function renderAnalysis(p: ProgressiveIntent): Record<string, unknown> {
  const a: Record<string, unknown> = { interval: flaggerDuration(p.interval), threshold: p.threshold };
  if (p.iterations !== undefined) {
    a.iterations = p.iterations;
    a.match = p.matches.map(renderAnalysisMatch);
  } else if (p.stepWeights !== undefined) {
    a.stepWeights = [...p.stepWeights];
  } else {
    a.maxWeight = p.maxWeight;
    a.stepWeight = p.stepWeight;
  }
  if (p.metrics.length > 0) a.metrics = p.metrics.map(renderMetric);
  if (p.webhooks.length > 0) a.webhooks = p.webhooks.map(renderWebhook);
  return a;
}

/**
 * What Flagger cannot carry: one traffic policy applies to primary and canary alike (no per-version
 * policy), and its Canary (v1.44) has no `connectionPool.tcp` and no `useClientProtocol` (the API
 * server would prune them). Each problem names the construct that wrote the policy and its property
 * (`props.…` of the CircuitBreaker).
 */
export function flaggerHostProblems(host: HostTrafficIntent, svc?: ServiceIntent): IntentProblem[] {
  if (!host.progressive) return [];
  const by = host.sources.progressive!;
  const policies = host.sources.policies;
  const out: IntentProblem[] = [...flaggerPortRouteProblems(host, svc)];
  for (const c of policies.filter((x) => x.version !== undefined)) {
    out.push({
      property: 'props.version', value: c.version,
      rule: `the host is delivered progressively by ${by}, and Flagger applies one traffic policy to its primary and canary alike; a policy per version cannot be expressed`,
      hint: 'drop `version` to protect the whole host',
      at: c.source,
    });
  }
  for (const c of policies.filter((x) => x.port !== undefined)) {
    out.push({
      property: 'props.port', value: c.port,
      rule: `the host is delivered progressively by ${by}, and Flagger's Canary (v1.44) trafficPolicy has no portLevelSettings: a policy per port cannot be expressed`,
      hint: 'drop `port` to protect the whole host',
      at: c.source,
    });
  }
  for (const c of policies.filter((x) => x.version === undefined && x.port === undefined)) out.push(...unexpressible(c.policy, by, c.source));
  return out;
}

/**
 * Routes on the other ports of a progressive host are refused. Flagger's Canary routes one port
 * (`service.port`, the primary) and owns the host's VirtualService, so without delegation a route on
 * another port would be a second VirtualService for the host (IST0109). In delegation mode the
 * library's root VirtualService could carry it, but every destination it could name is a Service
 * Flagger generates at run time (the apex, `-primary`, `-canary`), absent from the output, so istiod's
 * analyzers report IST0101 (host not found) and synth would fail. Requests on the other ports take
 * Istio's default route to Flagger's apex Service (its primary pods; port discovery gives it every
 * container port). The progressive route is the host's first route (the Canary takes its timeout and
 * retries).
 */
function flaggerPortRouteProblems(host: HostTrafficIntent, svc: ServiceIntent | undefined): IntentProblem[] {
  const by = host.sources.progressive!;
  const out: IntentProblem[] = [];
  if (host.sources.rules !== undefined && host.sources.rules !== by) {
    out.push({
      property: 'progressive', value: svc?.name ?? host.service.name,
      rule: `the host is already routed by ${host.sources.rules}${host.routePort !== undefined ? ` on port ${host.routePort}` : ''}; Flagger's Canary routes one port, the primary, and owns the host's VirtualService, so a progressive host takes no route on another port`,
      hint: 'route the other port of a service that is not delivered progressively, or deliver this one without Flagger',
      at: by,
    });
  }
  for (const r of host.portRoutes ?? []) {
    out.push({
      property: 'port', value: r.port,
      rule: `the host is delivered progressively by ${by}: Flagger routes only the Canary's service.port and owns the host's VirtualService, so a route on port ${r.port} would be a second VirtualService for the host (IST0109); in delegation mode its destinations would be Services Flagger generates at run time, which istiod's analysis cannot find in the output (IST0101)`,
      hint: `drop this route: requests on port ${r.port} take Istio's default route to Flagger's primary pods (port discovery gives its Services every container port), or deliver the host without Flagger`,
      at: r.source,
    });
  }
  return out;
}

function unexpressible(policy: TrafficPolicyIntent, by: string, writer: string): IntentProblem[] {
  const out: IntentProblem[] = [];
  const tcp = policy.tcp && Object.entries(policy.tcp).find(([, v]) => v !== undefined);
  if (tcp) {
    out.push({
      property: `props.connectionPool.tcp.${tcp[0]}`, value: tcp[1],
      rule: `the host is delivered progressively by ${by}, and Flagger's Canary (v1.44) has no connectionPool.tcp: the API server would silently drop it`,
      hint: 'keep the HTTP pool limits and outlier detection only, or deliver the host without Flagger',
      at: writer,
    });
  }
  if (policy.retryBudget) {
    out.push({
      property: 'props.retryBudget', value: policy.retryBudget,
      rule: `the host is delivered progressively by ${by}, and Flagger's Canary (v1.44) trafficPolicy has no retryBudget: the API server would silently drop it`,
      hint: 'limit retries with connectionPool.http.maxRetries instead, or deliver the host without Flagger',
      at: writer,
    });
  }
  if (policy.tls?.credentialName !== undefined) {
    out.push({
      property: 'props.tls.credentialName', value: policy.tls.credentialName,
      rule: `the host is delivered progressively by ${by}, and Flagger's Canary (v1.44) trafficPolicy.tls has no credentialName: the API server would silently drop it`,
      hint: 'use UpstreamTls.istioMutual() or SIMPLE without a credential, or deliver the host without Flagger',
      at: writer,
    });
  }
  if (policy.http?.useClientProtocol !== undefined) {
    out.push({
      property: 'props.connectionPool.http.useClientProtocol', value: policy.http.useClientProtocol,
      rule: `the host is delivered progressively by ${by}, and Flagger's Canary (v1.44) has no useClientProtocol: the API server would silently drop it`,
      hint: 'remove useClientProtocol',
      at: writer,
    });
  }
  return out;
}

/**
 * A port of the Services Flagger generates (`<svc>`, `<svc>-primary`, `<svc>-canary`) for a port its
 * port discovery found (`portDiscovery: true`, set for a several-port service): Flagger v1.44.0
 * `pkg/canary/util.go` getPorts reads the target's container ports (every one but the Canary's
 * `service.port`/`targetPort`), names each after the container port (`tcp-<container>-<i>` when it has
 * no name), and `pkg/router/kubernetes_default.go` reconcileService adds it with `port` and
 * `targetPort` both the container port, protocol TCP and no `appProtocol`.
 */
export interface FlaggerDiscoveredPort {
  readonly name: string;
  readonly port: number;
  readonly targetPort: number;
}

/** The ports Flagger's port discovery adds for a several-port service: its non-primary ports, as Flagger writes them. */
export function flaggerDiscoveredPorts(svc: ServiceIntent): FlaggerDiscoveredPort[] {
  // The target's containers name every port after its Service port (render/kubernetes.ts).
  return svc.ports.slice(1).map((p) => ({ name: p.name, port: p.targetPort, targetPort: p.targetPort }));
}

/**
 * What Flagger's port discovery would change about a several-port progressive service: callers reach
 * the non-primary ports through Flagger's Services, so each port must keep there the number and the
 * protocol the service declares. Istio reads the protocol from `appProtocol` or the name prefix
 * (pkg/config/kube/conversion.go ConvertProtocol, Istio 1.30.3; `portProtocol` in rules/protocol.ts),
 * and Flagger copies neither `appProtocol` nor the Service port number of a discovered port.
 */
export function flaggerPortDiscoveryProblems(svc: ServiceIntent, host: HostTrafficIntent): IntentProblem[] {
  if (!host.progressive || svc.ports.length < 2) return [];
  const by = host.sources.progressive!;
  const hint = 'name the port after its protocol';
  return flaggerDiscoveredPorts(svc).flatMap((f, i): IntentProblem[] => {
    const p = svc.ports[i + 1];
    const declared = portProtocol(p.port, p.name, p.protocol, p.appProtocol);
    const onFlagger = portProtocol(f.port, f.name, 'TCP', undefined);
    const out: IntentProblem[] = [];
    if (declared !== onFlagger) {
      out.push({
        property: 'progressive', value: `${svc.name} port ${p.name} ${p.port}`,
        rule: `the host is delivered progressively by ${by}, and Flagger's port discovery (v1.44 pkg/canary/util.go getPorts, pkg/router/kubernetes_default.go) writes this port on the Services it generates with the container port's name "${f.name}" and no appProtocol: Istio would take it as ${onFlagger} there, not ${declared}`,
        hint: `${hint} (e.g. '${protocolName(declared, p.name)}') instead of setting protocol, or deliver the host with fixed weights`,
        at: by,
      });
    }
    if (f.port !== p.port) {
      out.push({
        property: 'progressive', value: `${svc.name} port ${p.name} ${p.port}`,
        rule: `the host is delivered progressively by ${by}, and Flagger's port discovery writes this port on the Services it generates as the container port ${f.port} (port and targetPort), so callers of port ${p.port} would find no port`,
        hint: `set targetPort to ${p.port} (or port to ${p.targetPort}), or deliver the host with fixed weights`,
        at: by,
      });
    }
    return out;
  });
}

function protocolName(protocol: string, name: string): string {
  return `${protocol.toLowerCase()}-${name}`.slice(0, 15).replace(/-+$/, '');
}

/** One A/B match block: header conditions only (the only request attributes `analysis.match` carries). */
function renderAnalysisMatch(m: HttpMatchIntent): Record<string, unknown> {
  return { headers: Object.fromEntries(m.headers.map((h) => [h.name, renderStringMatch(h.match)])) };
}

function renderMetric(m: MetricCheckIntent): Record<string, unknown> {
  const out: Record<string, unknown> = { name: m.name };
  if (m.templateRef) out.templateRef = { ...m.templateRef };
  const range: Record<string, number> = {};
  if (m.min !== undefined) range.min = m.min;
  if (m.max !== undefined) range.max = m.max;
  out.thresholdRange = range;
  out.interval = flaggerDuration(m.interval);
  return out;
}

function renderWebhook(w: AnalysisWebhookIntent): Record<string, unknown> {
  const out: Record<string, unknown> = { name: w.name, type: w.type, url: w.url };
  if (w.timeout !== undefined) out.timeout = flaggerDuration(w.timeout);
  if (w.metadata) out.metadata = { ...w.metadata };
  return out;
}
