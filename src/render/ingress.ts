import {
  edgeKey,
  ExposedPathIntent,
  GatewayDeploymentIntent,
  GatewayExposureIntent,
  GatewayWorkloadIntent,
  gatewayHostMatches,
  HostTrafficIntent,
  HttpMatchIntent,
  HttpRuleIntent,
  IngressGatewayIntent,
  IngressWorkloadRequest,
  IntentProblem,
  MeshIntentModel,
  MeshSettings,
  PathMatchIntent,
  sameIdentity,
  serviceFqdn,
  ServiceIntent,
  sourceOwner,
  StringMatchIntent,
  WorkloadSecurityIntent,
} from '../model';
import { istioDuration } from './format';
import { gatewayApiProblems, renderGatewayApiBackends, renderGatewayApiFilters, renderGatewayApiMatch, renderGatewayDuration } from './gateway-api';
import { CanaryExposure } from './flagger';
import { renderHttpRule, renderMatch, routePort, servicePort } from './istio-traffic';
import { renderDisruptionBudget } from './kubernetes';
import { delegateMatchWithin } from '../rules/delegation';
import { lazyManifest, Manifest, RenderedObject } from './types';
import { codeUnitOrder } from '../private/order';

/**
 * Renders ingress gateways and the services exposed on them.
 *
 * With Istio's routing API: an Istio `Gateway` on the gateway workload's pods (the shared
 * `istio-ingressgateway` of the root namespace, selector `istio: ingressgateway`, or a dedicated
 * gateway), one VirtualService per gateway host bound to the gateway, and an optional cert-manager
 * `Certificate` written into the gateway pods' namespace, where the gateway reads `credentialName`.
 *
 * With the Gateway API: a `Gateway` of class `istio` (Istio provisions its pods, `<name>-istio`, in
 * the Gateway's namespace), one `HTTPRoute` per exposed service with `hostnames`, in the service's
 * namespace, and an `HTTPRoute` with a `RequestRedirect` filter for HTTP → HTTPS.
 *
 * The routes an exposure renders are the service's own rules (the same matches, subsets or
 * per-version Services, weights, timeouts and retries as mesh traffic), each match narrowed to the
 * exposed paths: {@link exposureRules}.
 */

/** The gateway class Istio's Gateway API controller serves. */
export const ISTIO_GATEWAY_CLASS = 'istio';

/** The shared ingress gateway Istio installs in the root namespace. */
export function sharedIngressGateway(rootNamespace: string): GatewayWorkloadIntent {
  return {
    kind: 'shared',
    namespace: rootNamespace,
    selector: { istio: 'ingressgateway' },
    identity: { namespace: rootNamespace, serviceAccount: 'istio-ingressgateway-service-account' },
    serviceName: 'istio-ingressgateway',
  };
}

/** The shared egress gateway Istio installs in the root namespace (when enabled). */
export function sharedEgressGateway(rootNamespace: string): GatewayWorkloadIntent {
  return {
    kind: 'shared',
    namespace: rootNamespace,
    selector: { istio: 'egressgateway' },
    identity: { namespace: rootNamespace, serviceAccount: 'istio-egressgateway-service-account' },
    serviceName: 'istio-egressgateway',
  };
}

/**
 * The pods an ingress gateway runs on, per routing API. Istio API: the shared gateway or the
 * dedicated one asked for. Gateway API: Istio provisions a Deployment and ServiceAccount
 * `<name>-istio` for the Gateway in its namespace, labelled `gateway.networking.k8s.io/gateway-name`.
 */
export function ingressWorkload(settings: MeshSettings, request: IngressWorkloadRequest, gateway: { readonly name: string; readonly namespace: string }): GatewayWorkloadIntent {
  if (settings.routingApi === 'gateway-api') {
    return {
      kind: 'provisioned',
      namespace: gateway.namespace,
      selector: { 'gateway.networking.k8s.io/gateway-name': gateway.name },
      identity: { namespace: gateway.namespace, serviceAccount: `${gateway.name}-istio` },
      serviceName: `${gateway.name}-istio`,
    };
  }
  if (request.kind === 'shared') return sharedIngressGateway(settings.rootNamespace);
  return { kind: 'dedicated', namespace: request.namespace, selector: { ...request.selector }, identity: { namespace: request.namespace, serviceAccount: request.serviceAccount } };
}

/** A host as a name part: `shop.example.com` → `shop-example-com`, `*.example.com` → `wildcard-example-com`. */
export function hostLabel(host: string): string {
  const label = host.toLowerCase().replace(/^\*/, 'wildcard').replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  return label.length <= 40 ? label : label.slice(0, 40).replace(/-+$/, '');
}

/** The Istio-API matches of the exposed paths: `prefix P` is `exact P` or `prefix P/` (whole path segments). */
export function exposedPathMatches(paths: readonly ExposedPathIntent[]): StringMatchIntent[] {
  return paths.flatMap((p): StringMatchIntent[] => {
    if (p.kind === 'exact') return [{ kind: 'exact', value: p.value }];
    if (p.value === '/') return [{ kind: 'prefix', value: '/' }];
    return [{ kind: 'exact', value: p.value }, { kind: 'prefix', value: `${p.value}/` }];
  });
}

/**
 * The requests that satisfy both an exposed-path match and a rule's own uri match, as one match;
 * null when none can; `unsupported` for a regex rule uri under a prefix (RE2 has no intersection).
 */
function intersectUri(path: StringMatchIntent, rule: StringMatchIntent): StringMatchIntent | null | 'unsupported' {
  if (path.kind === 'exact') {
    if (rule.kind === 'exact') return rule.value === path.value ? path : null;
    if (rule.kind === 'prefix') return path.value.startsWith(rule.value) ? path : null;
    return 'unsupported';
  }
  if (rule.kind === 'exact') return rule.value.startsWith(path.value) ? rule : null;
  if (rule.kind === 'prefix') {
    if (rule.value.startsWith(path.value)) return rule;
    if (path.value.startsWith(rule.value)) return path;
    return null;
  }
  return 'unsupported';
}

/** Match blocks narrowed to the exposed paths (a block without uri takes each path); regex uris under a path are reported. */
function narrowBlocks(blocks: readonly HttpMatchIntent[], paths: readonly StringMatchIntent[], what: string, exposure: GatewayExposureIntent, problems: IntentProblem[]): HttpMatchIntent[] {
  const out: HttpMatchIntent[] = [];
  for (const b of blocks.length > 0 ? blocks : [{ headers: [] }]) {
    for (const p of paths) {
      if (!b.uri) {
        out.push({ ...b, uri: p });
        continue;
      }
      const uri = intersectUri(p, b.uri);
      if (uri === 'unsupported') {
        problems.push({
          property: 'paths', value: `${p.kind} ${p.value}`,
          rule: `${what} of ${exposure.service.name} matches the uri by regex (${b.uri.value}), which cannot be narrowed to the exposed paths exactly`,
          hint: 'match the uri of that rule by exact or prefix, or expose exact paths only',
          at: exposure.source,
        });
        continue;
      }
      if (uri) out.push({ ...b, uri });
    }
  }
  return out;
}

/**
 * The rules traffic of one exposure follows: the service's own rules (or one catch-all to the
 * whole service when it has none and delegates nothing), in order, each match block narrowed to
 * every exposed path. A rule none of whose blocks can match an exposed path is left out: no request
 * through this exposure can reach it. The catch-all always stays, so every exposed request is routed
 * as mesh traffic is (a host shared by delegation routes what no entry takes with its own rules only).
 */
export function exposureRules(host: HostTrafficIntent, exposure: GatewayExposureIntent): { readonly rules: HttpRuleIntent[]; readonly problems: IntentProblem[] } {
  const base: readonly HttpRuleIntent[] = host.rules ?? (host.delegation ? [] : [{ matches: [], destinations: [{ weight: 100 }] }]);
  const paths = exposedPathMatches(exposure.paths);
  const rules: HttpRuleIntent[] = [];
  const problems: IntentProblem[] = [];
  base.forEach((rule, i) => {
    const out = narrowBlocks(rule.matches, paths, `rules[${i}]${rule.name ? ` (${rule.name})` : ''}`, exposure, problems);
    if (out.length > 0) rules.push({ ...rule, matches: out });
  });
  return { rules, problems };
}

/** One delegation entry of a shared host as an exposure takes it: its matches narrowed to the exposed paths. */
export interface ExposedDelegation {
  readonly name: string;
  readonly namespace: string;
  readonly matches: readonly HttpMatchIntent[];
}

/**
 * The delegation entries of a shared host (CanaryRoute `delegates`) as the gateway's VirtualService
 * carries them: each entry's matches narrowed to the exposed paths, delegating to the same delegate
 * VirtualService as the mesh root. Istio merges a gateway-bound root with its delegates as it merges
 * the mesh root (pilot/pkg/model/virtualservice_controller.go mergeVirtualServices: the delegate has
 * no hosts and its own `gateways` are not read; pilot/pkg/model/virtualservice.go mergeHTTPRoute). A
 * delegate rule that the narrowed entry drops (its match no longer within the entry's, `hasConflict`)
 * although it can match an exposed path would route gateway traffic unlike mesh traffic: reported.
 */
export function exposureDelegations(host: HostTrafficIntent, exposure: GatewayExposureIntent): { readonly entries: ExposedDelegation[]; readonly problems: IntentProblem[] } {
  const paths = exposedPathMatches(exposure.paths);
  const entries: ExposedDelegation[] = [];
  const problems: IntentProblem[] = [];
  for (const e of host.delegation ?? []) {
    const matches = narrowBlocks(e.matches, paths, `the delegation entry ${e.namespace}/${e.name}`, exposure, problems);
    if (matches.length === 0) continue;
    entries.push({ name: e.name, namespace: e.namespace, matches });
    const root = matches.map(renderMatch);
    const meshRoot = e.matches.map(renderMatch);
    const d = (host.delegates ?? []).find((x) => x.name === e.name && x.namespace === e.namespace);
    d?.rules.forEach((r, i) => {
      for (const b of r.matches) {
        const leaf = renderMatch(b);
        if (delegateMatchWithin(meshRoot, leaf) !== undefined || delegateMatchWithin(root, leaf) === undefined) continue;
        if (b.uri && !paths.some((p) => intersectUri(p, b.uri!) !== null)) continue;
        problems.push({
          property: 'paths', value: exposure.paths.map((p) => `${p.kind} ${p.value}`).join(', '),
          rule: `rules[${i}]${r.name ? ` (${r.name})` : ''} of the delegate route ${e.namespace}/${e.name} (${d.source}) matches ${b.uri ? `${b.uri.kind} ${b.uri.value}` : 'every request of its entry'}, which is not within the entry's match narrowed to the exposed paths, so istiod drops that rule for gateway ${exposure.gateway} (pilot/pkg/model/virtualservice.go hasConflict) while mesh traffic follows it`,
          hint: `expose a path that covers the delegate's matches (e.g. the entry's prefix), or match the delegate rule within the exposed paths`,
          at: exposure.source,
        });
      }
    });
  }
  return { entries, problems };
}

/**
 * The paths a request reaches the workload with after Envoy's `prefix_rewrite` (what pilot writes for
 * `rewrite.uri`, pilot/pkg/networking/core/route/route.go): the matched prefix is replaced by `to`
 * (no uri condition: the leading `/`), an exact match's whole path is. Given the authorization paths a
 * rule admits (before the rewrite), the images of those paths under the rewrite of one match block,
 * as authorization paths: `exact`, or `prefix` (Istio's `<value>*`). Suffix, template and regex cases
 * have no single image and are left out.
 */
export function rewrittenAuthorizationPaths(admitted: readonly PathMatchIntent[], block: StringMatchIntent | undefined, to: string): PathMatchIntent[] {
  const out: PathMatchIntent[] = [];
  const add = (p: PathMatchIntent) => {
    if (!out.some((x) => x.kind === p.kind && x.value === p.value)) out.push(p);
  };
  const uri: StringMatchIntent = block ?? { kind: 'prefix', value: '/' };
  if (uri.kind === 'exact') {
    if (authorizationAdmits(admitted, { kind: 'exact', value: uri.value })) add({ kind: 'exact', value: to });
    return out;
  }
  if (uri.kind !== 'prefix') return out;
  for (const p of admitted) {
    if (p.kind === 'present') add({ kind: 'prefix', value: to });
    else if (p.kind === 'exact' && p.value.startsWith(uri.value)) add({ kind: 'exact', value: to + p.value.slice(uri.value.length) });
    else if (p.kind === 'prefix' && uri.value.startsWith(p.value)) add({ kind: 'prefix', value: to });
    else if (p.kind === 'prefix' && p.value.startsWith(uri.value)) add({ kind: 'prefix', value: to + p.value.slice(uri.value.length) });
  }
  return out;
}

/** Whether authorization paths admit every path of `target` (an exact path or a `<value>*` prefix). */
export function authorizationAdmits(paths: readonly PathMatchIntent[], target: PathMatchIntent): boolean {
  return paths.some((p) => {
    if (p.kind === 'present') return true;
    if (target.kind === 'exact') {
      if (p.kind === 'exact') return p.value === target.value;
      if (p.kind === 'prefix') return target.value.startsWith(p.value);
      if (p.kind === 'suffix') return target.value.endsWith(p.value);
      return false;
    }
    return target.kind === 'prefix' && p.kind === 'prefix' && target.value.startsWith(p.value);
  });
}

/** One route rule that rewrites the path of the requests of some match blocks. */
interface RewritingRule {
  readonly label: string;
  readonly blocks: ReadonlyArray<StringMatchIntent | undefined>;
  readonly to: string;
}

function rewritingRules(rules: readonly HttpRuleIntent[], label: (i: number, r: HttpRuleIntent) => string, entryUris: ReadonlyArray<StringMatchIntent | undefined> = [undefined]): RewritingRule[] {
  const out: RewritingRule[] = [];
  rules.forEach((r, i) => {
    const to = r.rewrite?.uri;
    if (to === undefined || r.redirect || r.directResponse) return;
    const blocks = r.matches.length > 0 ? r.matches.flatMap((m) => (m.uri ? [m.uri] : entryUris)) : entryUris;
    out.push({ label: label(i, r), blocks, to });
  });
  return out;
}

/** The rewriting rules a gateway's requests of one exposure can take: the exposed rules and the delegates' rules. */
function exposureRewrites(host: HostTrafficIntent, e: GatewayExposureIntent): RewritingRule[] {
  const label = (i: number, r: HttpRuleIntent) => `rules[${i}]${r.name ? ` (${r.name})` : ''}`;
  const out = rewritingRules(exposureRules(host, e).rules, label);
  for (const entry of exposureDelegations(host, e).entries) {
    const d = (host.delegates ?? []).find((x) => x.name === entry.name && x.namespace === entry.namespace);
    if (d) out.push(...rewritingRules(d.rules, (i, r) => `${entry.namespace}/${entry.name} ${label(i, r)}`, entry.matches.map((m) => m.uri)));
  }
  return out;
}

/**
 * The workload's rules as its sidecar (or waypoint) must read them when a gateway exposes it on a
 * route that rewrites paths: the proxy authorizes the path it receives, the rewritten one. An ALLOW
 * rule whose only callers are the identity of a gateway exposing the service, with paths, also admits
 * the rewritten images of those paths (for each rewriting rule of the exposure, exposed rules and
 * delegate rules alike). The gateway sends nothing but what its route maps, so this admits no path
 * the gateway does not send. Rules of other callers are left as written (a mesh caller may send the
 * rewritten path itself; {@link rewriteAuthorizationWarnings} says when such a rule misses it).
 */
export function withExposureRewrites(model: MeshIntentModel, svc: ServiceIntent, host: HostTrafficIntent, w: WorkloadSecurityIntent): WorkloadSecurityIntent {
  const exposures = model.exposuresOf(svc).filter((e) => flaggerRoutedExposures(host, [e]).length === 0);
  if (exposures.length === 0 || w.allow.length === 0) return w;
  let changed = false;
  const allow = w.allow.map((rule) => {
    const ids = rule.source?.identities ?? [];
    const paths = rule.operation?.paths ?? [];
    if (ids.length === 0 || paths.length === 0) return rule;
    const extra: PathMatchIntent[] = [];
    for (const e of exposures) {
      const gw = model.ingressGateways.find((g) => edgeKey(g) === e.gateway);
      if (!gw || !ids.every((id) => sameIdentity(id, gw.workload.identity))) continue;
      for (const r of exposureRewrites(host, e)) {
        for (const b of r.blocks) {
          for (const t of rewrittenAuthorizationPaths(paths, b, r.to)) {
            if (!authorizationAdmits([...paths, ...extra], t)) extra.push(t);
          }
        }
      }
    }
    if (extra.length === 0) return rule;
    changed = true;
    return { ...rule, operation: { ...rule.operation!, paths: [...paths, ...extra] } };
  });
  return changed ? { ...w, allow } : w;
}

/** Warning code: an ALLOW rule's paths admit requests a route rewrites to a path the rule does not admit. */
export const WARN_REWRITE_OUTSIDE_ALLOW = 'CI5010';

/**
 * ALLOW rules of mesh callers (not only an exposing gateway's identity) whose paths admit requests
 * that the host's route (or a delegate route) rewrites to a path the rule does not admit: the
 * workload's proxy authorizes the rewritten path, so those requests are denied (403). One message per
 * rule and rewriting rule, naming both, the rule's paths and the rewritten path.
 */
export function rewriteAuthorizationWarnings(model: MeshIntentModel, svc: ServiceIntent, host: HostTrafficIntent, w: WorkloadSecurityIntent): string[] {
  const label = (i: number, r: HttpRuleIntent) => `rules[${i}]${r.name ? ` (${r.name})` : ''}`;
  const rewrites = rewritingRules(host.rules ?? [], (i, r) => `route ${label(i, r)}${host.sources.rules ? ` (${host.sources.rules})` : ''}`);
  for (const e of host.delegation ?? []) {
    const d = (host.delegates ?? []).find((x) => x.name === e.name && x.namespace === e.namespace);
    const uris = e.matches.length > 0 ? e.matches.map((m) => m.uri) : [undefined];
    if (d) rewrites.push(...rewritingRules(d.rules, (i, r) => `delegate route ${e.namespace}/${e.name} ${label(i, r)} (${d.source})`, uris));
  }
  if (rewrites.length === 0) return [];
  const gatewayIds = model.exposuresOf(svc).flatMap((e) => model.ingressGateways.filter((g) => edgeKey(g) === e.gateway).map((g) => g.workload.identity));
  const out: string[] = [];
  for (const rule of w.allow) {
    const ids = rule.source?.identities ?? [];
    const paths = rule.operation?.paths ?? [];
    if (paths.length === 0 || (ids.length > 0 && ids.every((id) => gatewayIds.some((g) => sameIdentity(g, id))))) continue;
    for (const r of rewrites) {
      const missed = r.blocks.flatMap((b) => rewrittenAuthorizationPaths(paths, b, r.to)).filter((t) => !authorizationAdmits(paths, t));
      if (missed.length === 0) continue;
      const shown = (p: PathMatchIntent) => (p.kind === 'prefix' ? `${p.value}*` : p.value);
      out.push(`the allow rule added by ${rule.addedBy} admits paths ${paths.map(shown).join(', ')} on ${svc.name}, but ${r.label} rewrites those requests to ${[...new Set(missed.map(shown))].join(', ')}, and the workload's proxy authorizes the rewritten path: they are denied (403). Hint: add the rewritten path to the rule's paths (e.g. PathMatch.${missed[0].kind}('${missed[0].value}')), or rewrite within the allowed paths`);
    }
  }
  return out;
}

/** What a mode cannot render in the ingress intent, with the construct paths to blame. */
export function ingressProblems(model: MeshIntentModel, settings: MeshSettings): IntentProblem[] {
  const out: IntentProblem[] = [];
  for (const gw of model.ingressGateways) {
    if (settings.routingApi === 'gateway-api' && gw.workloadRequest.kind === 'dedicated') {
      out.push({
        property: 'workload', value: 'dedicated',
        rule: 'with RoutingApi.GATEWAY_API, Istio provisions the gateway pods of each Gateway itself (`<name>-istio` in its namespace), so a dedicated workload cannot be chosen',
        hint: 'leave workload unset (the Gateway API gateway is dedicated to this Gateway), or use RoutingApi.ISTIO',
        at: gw.source,
      });
    }
  }
  // A deployed gateway workload: in a namespace the set or Istio creates, and deployed once.
  const deployed = new Map<string, string>();
  for (const gw of model.ingressGateways) {
    const r = gw.workloadRequest;
    if (r.kind !== 'dedicated' || !r.deploy || settings.routingApi === 'gateway-api') continue;
    if (r.namespace !== settings.rootNamespace && !model.namespace(r.namespace)) {
      out.push({
        property: 'workload', value: `${r.namespace}/${r.deploy.name}`,
        rule: `the gateway workload is deployed into namespace ${r.namespace}, which is neither the mesh root namespace (${settings.rootNamespace}) nor a namespace of this mesh, so nothing creates it`,
        hint: `declare it with a MeshNamespace, or deploy the gateway into ${settings.rootNamespace}`,
        at: gw.source,
      });
    }
    const key = `${r.namespace}/${r.deploy.name}`;
    const other = deployed.get(key);
    if (other !== undefined) {
      out.push({
        property: 'workload', value: key,
        rule: `the gateway workload ${key} is already deployed by ${other}: two gateways would render the same Deployment, Service and ServiceAccount`,
        hint: 'deploy it with one gateway and give the others IngressWorkload.dedicated({ namespace, selector: { istio: name }, serviceAccount: name })',
        at: gw.source,
      });
    } else deployed.set(key, gw.source);
  }
  for (const e of model.exposures) {
    const svc = model.service(e.service);
    if (!svc) continue;
    out.push(...exposureHostProblems(model, settings, svc, model.host(svc), [e]));
  }
  return out;
}

/** Whether an exposure takes every path of its host (`RoutePath.prefix('/')`). */
export function exposesWholeHost(e: GatewayExposureIntent): boolean {
  return e.paths.some((p) => p.kind === 'prefix' && p.value === '/');
}

/**
 * The exposures of a host that Flagger's own VirtualService routes: a progressive host outside
 * Flagger's delegation mode, exposed for the whole host. Flagger (v1.44.0 pkg/router/istio.go
 * reconcileVirtualService) binds one VirtualService, in the service's namespace, to
 * `service.gateways` and `service.hosts` (plus the Service name), so the Canary carries these
 * gateways and hosts and the library renders no gateway VirtualService for them (two VirtualServices
 * for one host on one gateway would be merged in an order Istio does not define).
 */
export function flaggerRoutedExposures(host: HostTrafficIntent, exposures: readonly GatewayExposureIntent[]): GatewayExposureIntent[] {
  if (!host.progressive || host.progressive.delegation) return [];
  return exposures.filter(exposesWholeHost);
}

/** The gateways and hosts of a progressive host's Canary (`service.gateways`/`service.hosts`). */
export function canaryExposures(model: MeshIntentModel, svc: ServiceIntent, host: HostTrafficIntent): CanaryExposure[] {
  return flaggerRoutedExposures(host, model.exposuresOf(svc)).map((e) => ({ gateway: e.gateway, host: e.host }));
}

/** What a mode cannot render for the exposures of one host (also asked when the host's routing changes). */
export function exposureHostProblems(_model: MeshIntentModel, settings: MeshSettings, svc: ServiceIntent, host: HostTrafficIntent, exposures: readonly GatewayExposureIntent[]): IntentProblem[] {
  const out: IntentProblem[] = [];
  for (const e of exposures) {
    if (host.progressive && !host.progressive.delegation) {
      // Flagger's VirtualService routes the whole host on every gateway it names and in the mesh
      // alike (one `http` list, no per-gateway match): a path restriction cannot be carried there.
      if (!exposesWholeHost(e)) {
        out.push({
          property: 'paths', value: e.paths.map((p) => `${p.kind} ${p.value}`).join(', '),
          rule: `${svc.name} is delivered progressively by Flagger (${host.sources.progressive}), whose VirtualService routes the whole host ${e.host} on gateway ${e.gateway} and in the mesh alike (Flagger v1.44 pkg/router/istio.go): the exposure would be widened to every path`,
          hint: "set progressiveDelegation: true on the CanaryRoute (Flagger's delegation mode: the gateway's own VirtualService keeps the paths and delegates to Flagger's routes), or expose the whole host with RoutePath.prefix('/')",
          at: e.source,
        });
      }
      continue;
    }
    const { rules, problems } = exposureRules(host, e);
    out.push(...problems);
    out.push(...exposureDelegations(host, e).problems);
    if (settings.routingApi === 'gateway-api') {
      const [p] = gatewayApiProblems(svc.name, rules, host.defaults);
      if (p) out.push({ ...p, rule: `${p.rule} (the route of ${svc.name} on gateway ${e.gateway}, rendered as an HTTPRoute)`, at: e.source });
    }
  }
  return out;
}

/** Every object of the ingress gateways of a model: the Gateway, its routes and its Certificate. */
export function renderIngress(model: MeshIntentModel, settings: MeshSettings): RenderedObject[] {
  return model.ingressGateways.flatMap((gw) => renderIngressGateway(model, settings, gw));
}

/** The objects of one ingress gateway, in a fixed order: its deployed workload, Certificate, Gateway, routes. */
export function renderIngressGateway(model: MeshIntentModel, settings: MeshSettings, gw: IngressGatewayIntent): RenderedObject[] {
  const owner = sourceOwner(gw.source);
  const out: RenderedObject[] = [];
  if (settings.routingApi !== 'gateway-api' && gw.workloadRequest.kind === 'dedicated' && gw.workloadRequest.deploy) {
    out.push(...renderGatewayWorkload(owner, gw, gw.workloadRequest.namespace, gw.workloadRequest.deploy, model.settings.revision));
  }
  if (gw.certificate && gw.tls) {
    out.push({ owner, id: 'Certificate', manifest: renderCertificate(gw) });
  }
  const exposures = model.exposuresOn(edgeKey(gw));
  if (settings.routingApi === 'gateway-api') {
    out.push({ owner, id: 'Resource', manifest: lazyManifest('gateway.networking.k8s.io/v1', 'Gateway', { name: gw.name, namespace: gw.namespace }, () => renderGatewayApiGatewaySpec(gw, exposures)) });
    if (gw.tls && gw.httpPort !== undefined && gw.httpsRedirect) {
      out.push({ owner, id: 'HTTPRoute-https-redirect', manifest: lazyManifest('gateway.networking.k8s.io/v1', 'HTTPRoute', { name: `${gw.name}-https-redirect`, namespace: gw.namespace }, () => renderRedirectRouteSpec(gw)) });
    }
    for (const e of exposures) {
      const svc = model.service(e.service);
      if (!svc) continue;
      out.push({
        owner,
        id: `HTTPRoute-${svc.namespace}-${svc.name}-${hostLabel(e.host)}`,
        manifest: lazyManifest('gateway.networking.k8s.io/v1', 'HTTPRoute', { name: `${gw.name}-${svc.name}-${hostLabel(e.host)}`, namespace: svc.namespace },
          () => renderExposureHttpRouteSpec(gw, svc, model.host(svc), e)),
      });
    }
    return out;
  }
  // Exposures Flagger's own VirtualService routes bind from the service's namespace: the Gateway
  // admits that namespace for their hosts, and no gateway VirtualService is rendered for them.
  const byFlagger = new Set(exposures.filter((e) => {
    const svc = model.service(e.service);
    return svc !== undefined && flaggerRoutedExposures(model.host(svc), [e]).length > 0;
  }));
  const flaggerHosts = [...byFlagger].map((e) => ({ namespace: e.service.namespace, host: e.host }));
  out.push({ owner, id: 'Resource', manifest: lazyManifest('networking.istio.io/v1', 'Gateway', { name: gw.name, namespace: gw.namespace }, () => renderIstioGatewaySpec(gw, flaggerHosts)) });
  const ours = exposures.filter((e) => !byFlagger.has(e));
  const hosts = [...new Set(ours.map((e) => e.host.toLowerCase()))];
  for (const h of hosts) {
    const onHost = ours.filter((e) => e.host.toLowerCase() === h);
    out.push({
      owner,
      id: `VirtualService-${hostLabel(h)}`,
      manifest: lazyManifest('networking.istio.io/v1', 'VirtualService', { name: `${gw.name}-${hostLabel(h)}`, namespace: gw.namespace }, () => renderGatewayVirtualServiceSpec(model, gw, h, onHost)),
    });
  }
  return out;
}

/** The pod label that enrols the gateway pods for injection (the `istio/gateway` chart's `gateway.sidecarInjectionLabels`). */
function injectionLabel(revision: string | undefined): { readonly [key: string]: string } {
  return revision !== undefined ? { 'istio.io/rev': revision } : { 'sidecar.istio.io/inject': 'true' };
}

/**
 * A dedicated gateway workload as Istio deploys one by injection (the `istio/gateway` chart of Istio
 * 1.30.3, manifests/charts/gateway/templates: deployment.yaml, service.yaml, serviceaccount.yaml,
 * role.yaml): pods labelled for injection and annotated `inject.istio.io/templates: gateway`, whose
 * `istio-proxy` container has image `auto` (the injector's gateway template,
 * istio-discovery/files/gateway-injection-template.yaml, sets the control plane's proxy image and runs
 * it as 1337:1337), allowed to bind ports below 1024 by the `net.ipv4.ip_unprivileged_port_start` sysctl
 * (a safe sysctl of Pod Security Standards baseline) rather than a capability; not enrolled in ambient
 * (`istio.io/dataplane-mode: none`). The chart's container securityContext plus a RuntimeDefault seccomp
 * profile meet PSS restricted. A Role lets the ServiceAccount read the Secrets of its namespace, which
 * istiod checks before it serves a credential to the gateway (pilot/pkg/xds/sds.go).
 */
export function renderGatewayWorkload(owner: string, gw: IngressGatewayIntent, namespace: string, d: GatewayDeploymentIntent, revision: string | undefined): RenderedObject[] {
  const labels = { app: d.name, istio: d.name };
  const meta = { name: d.name, namespace, labels };
  const ports: Array<Record<string, unknown>> = [{ name: 'status-port', port: 15021, protocol: 'TCP', targetPort: 15021 }];
  if (gw.httpPort !== undefined) ports.push({ name: 'http2', port: gw.httpPort, protocol: 'TCP', targetPort: gw.httpPort });
  if (gw.tls) ports.push({ name: 'https', port: gw.httpsPort, protocol: 'TCP', targetPort: gw.httpsPort });
  return [
    { owner, id: 'ServiceAccount', role: 'gateway ServiceAccount', manifest: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta } },
    {
      owner, id: 'Role', role: 'gateway credential reader',
      manifest: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'watch', 'list'] }] } as unknown as Manifest,
    },
    {
      owner, id: 'RoleBinding', role: 'gateway credential reader binding',
      manifest: {
        apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: meta,
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: d.name },
        subjects: [{ kind: 'ServiceAccount', name: d.name }],
      } as unknown as Manifest,
    },
    {
      owner, id: 'Deployment', role: 'gateway Deployment',
      manifest: {
        apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta,
        spec: {
          replicas: d.replicas,
          selector: { matchLabels: { ...labels } },
          template: {
            metadata: {
              annotations: { 'inject.istio.io/templates': 'gateway' },
              labels: { ...labels, ...injectionLabel(revision), 'istio.io/dataplane-mode': 'none' },
            },
            spec: {
              serviceAccountName: d.name,
              securityContext: {
                sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }],
                seccompProfile: { type: 'RuntimeDefault' },
              },
              containers: [{
                name: 'istio-proxy',
                image: 'auto',
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true },
                ports: [{ containerPort: 15090, name: 'http-envoy-prom', protocol: 'TCP' }],
                resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '2000m', memory: '1024Mi' } },
              }],
            },
          },
        },
      },
    },
    { owner, id: 'Service', role: 'gateway Service', manifest: { apiVersion: 'v1', kind: 'Service', metadata: meta, spec: { type: d.serviceType, selector: { ...labels }, ports } } },
    // The gateway chart's podDisruptionBudget selects the chart's selector labels: the Deployment's.
    ...(d.disruptionBudget ? [{ ...renderDisruptionBudget(owner, 'PodDisruptionBudget', meta, labels, d.disruptionBudget), role: 'gateway PodDisruptionBudget' }] : []),
  ];
}

/** The cert-manager Certificate that writes the credential Secret where the gateway pods read it. */
export function renderCertificate(gw: IngressGatewayIntent): { apiVersion: string; kind: string; metadata: { name: string; namespace: string }; spec: Record<string, unknown> } {
  const c = gw.certificate!;
  const spec: Record<string, unknown> = {
    secretName: gw.tls!.credentialName,
    dnsNames: [...c.dnsNames],
    issuerRef: { group: 'cert-manager.io', kind: c.issuerKind, name: c.issuerName },
  };
  if (c.duration !== undefined) spec.duration = istioDuration(c.duration);
  if (c.renewBefore !== undefined) spec.renewBefore = istioDuration(c.renewBefore);
  return { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: gw.tls!.credentialName, namespace: gw.workload.namespace }, spec };
}

/**
 * The Istio `Gateway` spec: an HTTPS server with the TLS credential, and an HTTP server that
 * redirects to HTTPS (or serves HTTP). Server hosts are `<gateway namespace>/<host>`: only routes
 * in the gateway's namespace (the ones this library renders) bind to them.
 */
export function renderIstioGatewaySpec(gw: IngressGatewayIntent, flaggerHosts: ReadonlyArray<{ readonly namespace: string; readonly host: string }> = []): Record<string, unknown> {
  // A host Flagger routes binds from the service's namespace only (Flagger's VirtualService lives there).
  const byFlagger = new Set(flaggerHosts.map((f) => f.host));
  const hosts = gw.hosts.filter((h) => !byFlagger.has(h)).map((h) => `${gw.namespace}/${h}`);
  // Code-unit order (not localeCompare, which follows the process locale): byte-identical output everywhere.
  const key = (f: { readonly namespace: string; readonly host: string }) => `${f.namespace}/${f.host}`;
  for (const f of [...flaggerHosts].sort((a, b) => codeUnitOrder(key(a), key(b)))) {
    const entry = `${f.namespace}/${f.host}`;
    if (!hosts.includes(entry)) hosts.push(entry);
  }
  const servers: Array<Record<string, unknown>> = [];
  if (gw.tls) {
    const tls: Record<string, unknown> = { mode: gw.tls.mode, credentialName: gw.tls.credentialName };
    if (gw.tls.caCredentialName) tls.caCertCredentialName = gw.tls.caCredentialName;
    servers.push({ port: { number: gw.httpsPort, name: 'https', protocol: 'HTTPS' }, hosts, tls });
  }
  if (gw.httpPort !== undefined) {
    const server: Record<string, unknown> = { port: { number: gw.httpPort, name: 'http', protocol: 'HTTP' }, hosts: [...hosts] };
    if (gw.tls && gw.httpsRedirect) server.tls = { httpsRedirect: true };
    servers.push(server);
  }
  return { selector: { ...gw.workload.selector }, servers };
}

/** The VirtualService binding one host of a gateway to the services exposed there. */
export function renderGatewayVirtualServiceSpec(model: MeshIntentModel, gw: IngressGatewayIntent, host: string, exposures: readonly GatewayExposureIntent[]): Record<string, unknown> {
  const http: Array<Record<string, unknown>> = [];
  for (const e of exposures) {
    const svc = model.service(e.service);
    if (!svc) continue;
    const traffic = model.host(svc);
    const { rules } = exposureRules(traffic, e);
    if (traffic.progressive?.delegation) {
      http.push(...renderGatewayDelegateRoutes(svc, traffic, rules));
      continue;
    }
    // A host shared by delegation: the same delegate entries as the mesh root, narrowed to the exposed paths.
    for (const d of exposureDelegations(traffic, e).entries) {
      http.push({ match: d.matches.map(renderMatch), delegate: { name: d.name, namespace: d.namespace } });
    }
    for (const rule of rules) http.push(renderGatewayHttpRoute(svc, rule, traffic));
  }
  return { hosts: [host], gateways: [edgeKey(gw)], http };
}

/**
 * The gateway routes of a progressive host in Flagger's delegation mode: the exposure's rules, each
 * match narrowed to the exposed paths, handed to Flagger's delegate VirtualService (named after the
 * service, in its namespace) as the host's mesh root does (renderFlaggerRootSpec): rules that answer
 * themselves stay, A/B rules to the canary version are Flagger's (`analysis.match`), the rest
 * delegate. istiod merges each entry's matches with the delegate's and resolves the delegate's short
 * host names in the delegate's namespace (pilot/pkg/model/virtualservice_controller.go
 * mergeVirtualServices, Istio 1.30.3); one delegate may serve several roots (the mesh root and each
 * gateway's).
 */
export function renderGatewayDelegateRoutes(svc: ServiceIntent, host: HostTrafficIntent, rules: readonly HttpRuleIntent[]): Array<Record<string, unknown>> {
  const p = host.progressive!;
  const ctx = { host: serviceFqdn(svc), defaults: {}, portInMatches: false };
  const out: Array<Record<string, unknown>> = [];
  rules.forEach((rule, i) => {
    // The catch-all (kept last by exposureRules) always delegates; an earlier rule to the canary is an A/B rule.
    const last = i === rules.length - 1;
    if (rule.redirect || rule.directResponse) {
      out.push(renderHttpRule(rule, ctx));
      return;
    }
    if (!last && rule.destinations.some((d) => d.version === p.canaryVersion)) return;
    const { route: _route, timeout: _timeout, retries: _retries, ...rest } = renderHttpRule({ ...rule, destinations: [] }, ctx);
    const entry: Record<string, unknown> = {};
    if (rest.name !== undefined) entry.name = rest.name;
    if (rest.match !== undefined) entry.match = rest.match;
    entry.delegate = { name: svc.name, namespace: svc.namespace };
    for (const [k, v] of Object.entries(rest)) if (k !== 'name' && k !== 'match') entry[k] = v;
    out.push(entry);
  });
  return out;
}

/**
 * One gateway route of an exposed rule: the rule as mesh traffic gets it (renderHttpRule: matches,
 * destinations by FQDN with the service port, and its redirect, direct response, rewrite, fault, mirror,
 * CORS and header effects), so a redirect or direct-response rule answers at the gateway too.
 */
function renderGatewayHttpRoute(svc: ServiceIntent, rule: HttpRuleIntent, traffic: HostTrafficIntent): Record<string, unknown> {
  // The host's rules were written for its route port (a non-primary port of a several-port service): the gateway sends there too.
  return renderHttpRule(rule, { host: serviceFqdn(svc), port: routePort(svc, traffic) ?? servicePort(svc), defaults: traffic.defaults, portInMatches: false });
}

/** The Gateway API listener name of a gateway host and protocol, e.g. `https-shop-example-com`. */
export function listenerName(protocol: 'http' | 'https', host: string): string {
  return `${protocol}-${hostLabel(host)}`;
}

/** The gateway host (listener hostname) that serves an exposure's host. */
function listenerHost(gw: IngressGatewayIntent, host: string): string {
  return gw.hosts.find((h) => h.toLowerCase() === host.toLowerCase()) ?? gw.hosts.find((h) => gatewayHostMatches(h, host)) ?? host;
}

/**
 * The Gateway API `Gateway` spec: per host an HTTPS listener terminating TLS with the credential
 * Secret and an HTTP listener. Routes of the exposed services' namespaces may attach to the
 * listeners that serve them (and only those namespaces); the redirect route lives with the Gateway.
 */
export function renderGatewayApiGatewaySpec(gw: IngressGatewayIntent, exposures: readonly GatewayExposureIntent[]): Record<string, unknown> {
  const namespaces = [...new Set(exposures.map((e) => e.service.namespace))].sort();
  const routesFrom = namespaces.length === 0
    ? { namespaces: { from: 'Same' } }
    : { namespaces: { from: 'Selector', selector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: namespaces }] } } };
  const listeners: Array<Record<string, unknown>> = [];
  for (const host of gw.hosts) {
    if (gw.tls) {
      const tls: Record<string, unknown> = { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: gw.tls.credentialName }] };
      if (gw.tls.mode === 'MUTUAL') tls.options = { 'gateway.istio.io/tls-terminate-mode': 'MUTUAL' };
      listeners.push({ name: listenerName('https', host), hostname: host, port: gw.httpsPort, protocol: 'HTTPS', tls, allowedRoutes: routesFrom });
    }
    if (gw.httpPort !== undefined) {
      const redirect = gw.tls !== undefined && gw.httpsRedirect;
      listeners.push({ name: listenerName('http', host), hostname: host, port: gw.httpPort, protocol: 'HTTP', allowedRoutes: redirect ? { namespaces: { from: 'Same' } } : routesFrom });
    }
  }
  return { gatewayClassName: ISTIO_GATEWAY_CLASS, listeners };
}

/** The HTTPRoute answering plain HTTP with a 301 redirect to HTTPS (what Istio's `httpsRedirect` does). */
export function renderRedirectRouteSpec(gw: IngressGatewayIntent): Record<string, unknown> {
  return {
    parentRefs: gw.hosts.map((h) => ({ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: gw.name, sectionName: listenerName('http', h) })),
    hostnames: [...gw.hosts],
    rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] }],
  };
}

/** The HTTPRoute of one exposure (in the service's namespace), attached to the gateway's listeners for its host. */
export function renderExposureHttpRouteSpec(gw: IngressGatewayIntent, svc: ServiceIntent, host: HostTrafficIntent, e: GatewayExposureIntent): Record<string, unknown> {
  const { rules } = exposureRules(host, e);
  const problems = gatewayApiProblems(svc.name, rules, host.defaults);
  if (problems.length > 0) {
    throw new Error(`[${e.source}] the route of ${svc.name} on gateway ${e.gateway} cannot be rendered as an HTTPRoute: ${problems.map((p) => `${p.property}: ${p.rule}`).join('; ')}`);
  }
  const lh = listenerHost(gw, e.host);
  const sections: string[] = [];
  if (gw.tls) sections.push(listenerName('https', lh));
  if (gw.httpPort !== undefined && !(gw.tls && gw.httpsRedirect)) sections.push(listenerName('http', lh));
  // The host's route port (a route on a non-primary port of a several-port service), else the primary.
  const port = routePort(svc, host) ?? servicePort(svc);
  return {
    parentRefs: sections.map((sectionName) => ({ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: gw.name, namespace: gw.namespace, sectionName })),
    hostnames: [e.host],
    rules: rules.map((rule) => {
      const out: Record<string, unknown> = {};
      if (rule.name) out.name = rule.name;
      out.matches = rule.matches.map(renderGatewayApiMatch);
      // The rule's effects as the mesh HTTPRoute carries them (one function renders both): a redirect
      // is a RequestRedirect filter with no backendRefs (without it, Istio answers a rule with no
      // backends with 404: pilot/pkg/config/kube/gateway/conversion.go), rewrites, header changes,
      // mirrors and CORS apply at the gateway as in the mesh.
      const filters = renderGatewayApiFilters(svc.name, port, rule);
      if (filters.length > 0) out.filters = filters;
      if (!rule.redirect) out.backendRefs = renderGatewayApiBackends({ name: svc.name, port }, rule.destinations);
      const timeout = rule.timeout ?? host.defaults.timeout;
      if (timeout !== undefined && !rule.redirect) out.timeouts = { request: renderGatewayDuration(timeout) };
      return out;
    }),
  };
}
