import {
  CorsIntent,
  DelegateRouteIntent,
  effectiveSubsetPolicy,
  FaultIntent,
  HeaderMutationIntent,
  HeaderOperationsIntent,
  HostTrafficIntent,
  HttpMatchIntent,
  HttpRuleIntent,
  isRouted,
  LoadBalancerIntent,
  primaryPort,
  RetryIntent,
  routedVersions,
  RouteDefaultsIntent,
  ServiceIntent,
  serviceFqdn,
  serviceOwner,
  sourceOwner,
  StringMatchIntent,
  TrafficPolicyIntent,
  versionNames,
} from '../model';
import { compact, istioDuration } from './format';
import { portLevelWithInherited } from '../rules/traffic-policy';
import { lazyManifest, RenderedObject } from './types';

/**
 * Renders a host's traffic intent as Istio `networking.istio.io/v1` objects: one VirtualService
 * (child id `VirtualService`) when the host is routed, one DestinationRule (`DestinationRule`) when
 * a route names versions or a policy exists. Pure functions of the model: the same intent always
 * gives the same spec, key order included.
 */

/** The routing objects of one host with the Istio routing API. */
export function renderIstioRouting(svc: ServiceIntent, host: HostTrafficIntent): RenderedObject[] {
  const owner = serviceOwner(svc);
  const out: RenderedObject[] = [];
  const metadata = { name: svc.name, namespace: svc.namespace };
  if (isRouted(host)) {
    out.push({ owner, id: 'VirtualService', manifest: lazyManifest('networking.istio.io/v1', 'VirtualService', metadata, () => renderVirtualServiceSpec(svc, host)) });
  }
  const subsets = istioSubsets(svc, host);
  if (subsets.length > 0 || host.hostPolicy || host.subsetPolicies.length > 0 || (host.portPolicies?.length ?? 0) > 0) {
    out.push({ owner, id: 'DestinationRule', manifest: lazyManifest('networking.istio.io/v1', 'DestinationRule', metadata, () => renderDestinationRuleSpec(svc, host, subsets)) });
  }
  out.push(...renderDelegateVirtualServices(svc, host));
  return out;
}

/**
 * The delegate VirtualServices of a shared host (no hosts, no gateways), each owned by the construct
 * that wrote it (child id `VirtualService`), in its own namespace. Destinations name the host by its
 * FQDN when the delegate lives in another namespace (istiod resolves a delegate's short names in the
 * delegate's namespace).
 */
export function renderDelegateVirtualServices(svc: ServiceIntent, host: HostTrafficIntent): RenderedObject[] {
  return (host.delegates ?? []).map((d) => ({
    owner: sourceOwner(d.source),
    id: 'VirtualService',
    role: 'delegate VirtualService',
    manifest: lazyManifest('networking.istio.io/v1', 'VirtualService', { name: d.name, namespace: d.namespace }, () => renderDelegateSpec(svc, host, d)),
  }));
}

/** The spec of one delegate VirtualService. */
export function renderDelegateSpec(svc: ServiceIntent, host: HostTrafficIntent, d: DelegateRouteIntent): Record<string, unknown> {
  const target = d.namespace === svc.namespace ? svc.name : serviceFqdn(svc);
  const ctx: RuleContext = { host: target, port: routePort(svc, host), defaults: host.defaults, portInMatches: false };
  return { http: d.rules.map((r) => renderHttpRule(r, ctx)) };
}

/**
 * The port a route applies to and names in its destinations: undefined for a one-port service
 * (every port, nothing to name), else the port the route chose or the primary port.
 */
export function routePort(svc: ServiceIntent, host: HostTrafficIntent): number | undefined {
  if (svc.ports.length < 2) return undefined;
  return host.routePort ?? primaryPort(svc).port;
}

/** One route of a host as renderers take it: its port (undefined: every port of a one-port service), rules and defaults. */
export interface HostRouteView {
  /** The service port the route applies to; undefined for a one-port service. */
  readonly port?: number;
  /** The ordered rules, the catch-all last. */
  readonly rules: readonly HttpRuleIntent[];
  /** The route's timeout and retries. */
  readonly defaults: RouteDefaultsIntent;
  /** Construct path of the writer, when a route was written (the first route may be implied by route defaults alone). */
  readonly source?: string;
  /** Whether it is the host's first route (the one that keeps the object names a host had with one route). */
  readonly first: boolean;
}

/**
 * Every route of a routed host: the first route (its rules, or a catch-all to the whole host when only
 * route defaults or delegation were written), then the routes of further ports in the order written.
 * Empty for a host that is not routed.
 */
export function hostRoutes(svc: ServiceIntent, host: HostTrafficIntent): HostRouteView[] {
  if (!isRouted(host)) return [];
  const first: HostRouteView = {
    port: routePort(svc, host),
    rules: host.rules ?? (host.delegation ? [] : [{ matches: [], destinations: [{ weight: 100 }] }]),
    defaults: host.defaults,
    source: host.sources.rules ?? host.sources.defaults ?? host.sources.delegation,
    first: true,
  };
  return [first, ...(host.portRoutes ?? []).map((r) => ({ port: r.port, rules: r.rules, defaults: r.defaults, source: r.source, first: false }))];
}

/** How one rule renders: the destination host as written, the route port, the route defaults. */
export interface RuleContext {
  /** The destination host as the VirtualService names it. */
  readonly host: string;
  /** The service port destinations name (and matches carry, with `portInMatches`). */
  readonly port?: number;
  /** Route-wide timeout and retries. */
  readonly defaults: RouteDefaultsIntent;
  /** Whether every match carries the port (a root route of a several-port service). */
  readonly portInMatches: boolean;
}

/** One VirtualService HTTP route. */
export function renderHttpRule(rule: HttpRuleIntent, ctx: RuleContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (rule.name) out.name = rule.name;
  const matches = ctx.portInMatches && ctx.port !== undefined
    ? (rule.matches.length > 0 ? rule.matches.map((m) => ({ ...renderMatch(m), port: ctx.port })) : [{ port: ctx.port }])
    : rule.matches.map(renderMatch);
  if (matches.length > 0) out.match = matches;
  const forwards = !rule.redirect && !rule.directResponse;
  if (rule.redirect) out.redirect = renderRedirect(rule.redirect);
  else if (rule.directResponse) {
    out.directResponse = { status: rule.directResponse.status, ...(rule.directResponse.body !== undefined ? { body: { string: rule.directResponse.body } } : {}) };
  } else {
    out.route = rule.destinations.map((d) => {
      const destination: Record<string, unknown> = { host: ctx.host };
      if (d.version !== undefined) destination.subset = d.version;
      if (ctx.port !== undefined) destination.port = { number: ctx.port };
      // A lone destination without a subset takes all traffic; the weight is implied.
      return rule.destinations.length === 1 && d.version === undefined ? { destination } : { destination, weight: d.weight };
    });
  }
  if (rule.rewrite) out.rewrite = { ...(rule.rewrite.uri !== undefined ? { uri: rule.rewrite.uri } : {}), ...(rule.rewrite.authority !== undefined ? { authority: rule.rewrite.authority } : {}) };
  if (forwards) {
    const timeout = rule.timeout ?? ctx.defaults.timeout;
    if (timeout !== undefined) out.timeout = istioDuration(timeout);
    const retries = rule.retries ?? ctx.defaults.retries;
    if (retries) out.retries = renderRetries(retries);
  }
  if (rule.fault) out.fault = renderFault(rule.fault);
  if (rule.mirror) {
    const mirror: Record<string, unknown> = { host: ctx.host };
    if (rule.mirror.version !== undefined) mirror.subset = rule.mirror.version;
    if (ctx.port !== undefined) mirror.port = { number: ctx.port };
    out.mirror = mirror;
    out.mirrorPercentage = { value: rule.mirror.percent };
  }
  if (rule.cors) out.corsPolicy = renderCors(rule.cors);
  if (rule.headers) {
    const h = renderHeaderMutation(rule.headers);
    if (h) out.headers = h;
  }
  return out;
}

/** The name of the root VirtualService of a host delivered by Flagger in delegation mode. */
export function flaggerRootName(service: string): string {
  return `${service}-root`;
}

/**
 * The root VirtualService of a progressive host in Flagger's delegation mode (`service.delegation:
 * true`): Flagger's own VirtualService (named after the service, no hosts) becomes the delegate, and
 * this root keeps the route's other rules. Rules that answer themselves (redirect, direct response)
 * stay in the root; rules to the whole host become delegate entries with their own matches and
 * effects (istiod lays each entry's fault, headers, CORS and rewrite over Flagger's routes); A/B
 * rules to the canary are Flagger's (its `analysis.match`). The catch-all entry comes last.
 */
export function renderFlaggerRootSpec(svc: ServiceIntent, host: HostTrafficIntent): Record<string, unknown> {
  const p = host.progressive!;
  const ctx: RuleContext = { host: svc.name, port: routePort(svc, host), defaults: {}, portInMatches: true };
  const delegate = { name: svc.name, namespace: svc.namespace };
  const rules = host.rules ?? [];
  const http: Record<string, unknown>[] = [];
  rules.forEach((rule, i) => {
    const last = i === rules.length - 1;
    if (rule.redirect || rule.directResponse) {
      http.push(renderHttpRule(rule, ctx));
      return;
    }
    if (!last && rule.destinations.some((d) => d.version === p.canaryVersion)) return;
    // Forwarding: hand the request to Flagger's routes, with this rule's matches and effects.
    const { route: _route, timeout: _timeout, retries: _retries, ...rest } = renderHttpRule({ ...rule, destinations: [] }, ctx);
    const out: Record<string, unknown> = {};
    if (rest.name !== undefined) out.name = rest.name;
    if (rest.match !== undefined) out.match = rest.match;
    out.delegate = { ...delegate };
    for (const [k, v] of Object.entries(rest)) if (k !== 'name' && k !== 'match') out[k] = v;
    http.push(out);
  });
  return { hosts: [svc.name], http };
}

/** The root VirtualService object of a progressive host in delegation mode (child id `VirtualService`). */
export function renderFlaggerRoot(svc: ServiceIntent, host: HostTrafficIntent): RenderedObject[] {
  if (!host.progressive?.delegation) return [];
  return [{
    owner: serviceOwner(svc),
    id: 'VirtualService',
    role: 'root VirtualService (Flagger delegation)',
    manifest: lazyManifest('networking.istio.io/v1', 'VirtualService', { name: flaggerRootName(svc.name), namespace: svc.namespace }, () => renderFlaggerRootSpec(svc, host)),
  }];
}

/** A redirect (the code always written: Istio's default 301 is easy to forget). */
export function renderRedirect(r: NonNullable<HttpRuleIntent['redirect']>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (r.uri !== undefined) out.uri = r.uri;
  if (r.authority !== undefined) out.authority = r.authority;
  if (r.scheme !== undefined) out.scheme = r.scheme;
  if (r.port !== undefined) out.port = r.port;
  out.redirectCode = r.code;
  return out;
}

/** Fault injection, percentages as `percentage.value`. */
export function renderFault(f: FaultIntent): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (f.delay) out.delay = { fixedDelay: istioDuration(f.delay.fixedDelay), percentage: { value: f.delay.percent } };
  if (f.abort) {
    out.abort = {
      ...(f.abort.httpStatus !== undefined ? { httpStatus: f.abort.httpStatus } : {}),
      ...(f.abort.grpcStatus !== undefined ? { grpcStatus: f.abort.grpcStatus } : {}),
      percentage: { value: f.abort.percent },
    };
  }
  return out;
}

/** A CORS policy (`corsPolicy`). */
export function renderCors(c: CorsIntent): Record<string, unknown> {
  const out: Record<string, unknown> = { allowOrigins: c.allowOrigins.map(renderStringMatch) };
  if (c.allowMethods.length > 0) out.allowMethods = [...c.allowMethods];
  if (c.allowHeaders.length > 0) out.allowHeaders = [...c.allowHeaders];
  if (c.exposeHeaders.length > 0) out.exposeHeaders = [...c.exposeHeaders];
  if (c.maxAge !== undefined) out.maxAge = istioDuration(c.maxAge);
  if (c.allowCredentials !== undefined) out.allowCredentials = c.allowCredentials;
  return out;
}

/** Header changes (`headers.request` / `headers.response`), empty parts left out. */
export function renderHeaderMutation(h: HeaderMutationIntent): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  const ops = (o: HeaderOperationsIntent | undefined) => {
    if (!o) return undefined;
    const r: Record<string, unknown> = {};
    if (Object.keys(o.set).length > 0) r.set = { ...o.set };
    if (Object.keys(o.add).length > 0) r.add = { ...o.add };
    if (o.remove.length > 0) r.remove = [...o.remove];
    return Object.keys(r).length > 0 ? r : undefined;
  };
  const request = ops(h.request);
  const response = ops(h.response);
  if (request) out.request = request;
  if (response) out.response = response;
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * The subsets the DestinationRule declares: every version the service runs, as soon as a route
 * destination or a per-version policy refers to a version. Derived, never typed by hand. A route
 * that only targets the whole host needs no subsets.
 */
export function istioSubsets(svc: ServiceIntent, host: HostTrafficIntent): string[] {
  return routedVersions(host).length > 0 || host.subsetPolicies.length > 0 ? versionNames(svc) : [];
}

/**
 * The VirtualService spec of a host: the delegation entries of a shared host first, then the rules
 * of each of its routes (the first route's, then those of further ports, each with its catch-all
 * last). With several service ports, every match carries its route's port and every destination names
 * it (no IST0112); the catch-all of a port is `match: [{ port }]`. Requests on a port no route names
 * take Istio's default route: pilot translates no route of this VirtualService for that port
 * (`BuildHTTPRoutesForVirtualService` skips a match whose port is another), so
 * `buildSidecarVirtualHostsForVirtualService` builds no virtual host from it and the Service keeps its
 * default one (pilot/pkg/networking/core/route/route.go, Istio 1.30.3).
 */
export function renderVirtualServiceSpec(svc: ServiceIntent, host: HostTrafficIntent): Record<string, unknown> {
  const ctx: RuleContext = { host: svc.name, port: routePort(svc, host), defaults: host.defaults, portInMatches: true };
  const http: Record<string, unknown>[] = [];
  for (const e of host.delegation ?? []) {
    const out: Record<string, unknown> = {};
    const matches = ctx.port !== undefined
      ? (e.matches.length > 0 ? e.matches.map((m) => ({ ...renderMatch(m), port: ctx.port })) : [{ port: ctx.port }])
      : e.matches.map(renderMatch);
    if (matches.length > 0) out.match = matches;
    out.delegate = { name: e.name, namespace: e.namespace };
    http.push(out);
  }
  for (const route of hostRoutes(svc, host)) {
    const rctx: RuleContext = { ...ctx, port: route.port, defaults: route.defaults };
    for (const rule of route.rules) http.push(renderHttpRule(rule, rctx));
  }
  return { hosts: [svc.name], http };
}

/** The DestinationRule spec of a host. */
export function renderDestinationRuleSpec(svc: ServiceIntent, host: HostTrafficIntent, subsets: readonly string[]): Record<string, unknown> {
  const spec: Record<string, unknown> = { host: svc.name };
  const tp = renderTrafficPolicy(host.hostPolicy) ?? {};
  // Istio does not inherit the host's settings into a port entry (GetPortLevelTrafficPolicy): write them in.
  const portLevel = (host.portPolicies ?? []).map((pp) => portLevelWithInherited(tp, { port: { number: pp.port }, ...renderTrafficPolicy(pp.policy) }));
  if (portLevel.length > 0) tp.portLevelSettings = portLevel;
  if (Object.keys(tp).length > 0) spec.trafficPolicy = tp;
  const rendered = subsets.map((v) => {
    const s: Record<string, unknown> = { name: v, labels: { version: v } };
    const stp = renderTrafficPolicy(effectiveSubsetPolicy(host, v));
    if (stp) s.trafficPolicy = stp;
    return s;
  });
  if (rendered.length > 0) spec.subsets = rendered;
  return spec;
}

/** Renders a string match (`{exact: ...}`, `{prefix: ...}`, `{regex: ...}`). */
export function renderStringMatch(m: StringMatchIntent): Record<string, string> {
  return { [m.kind]: m.value };
}

/** Renders one match block. */
export function renderMatch(m: HttpMatchIntent): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (m.uri) out.uri = renderStringMatch(m.uri);
  if (m.method) out.method = renderStringMatch(m.method);
  if (m.headers.length > 0) {
    out.headers = Object.fromEntries(m.headers.map((h) => [h.name, renderStringMatch(h.match)]));
  }
  return out;
}

/** Renders retries; retryOn tokens are joined without spaces. */
export function renderRetries(r: RetryIntent): Record<string, unknown> {
  const out: Record<string, unknown> = { attempts: r.attempts };
  if (r.perTryTimeout !== undefined) out.perTryTimeout = istioDuration(r.perTryTimeout);
  if (r.retryOn.length > 0) out.retryOn = r.retryOn.join(',');
  return out;
}

/** Renders a traffic policy; returns undefined rather than an empty object (Istio rejects `{}`). */
export function renderTrafficPolicy(p: TrafficPolicyIntent | undefined): Record<string, unknown> | undefined {
  if (!p) return undefined;
  const out: Record<string, unknown> = {};
  const pool: Record<string, unknown> = {};
  const tcp = compact({
    maxConnections: p.tcp?.maxConnections,
    connectTimeout: dur(p.tcp?.connectTimeout),
    idleTimeout: dur(p.tcp?.idleTimeout),
  });
  if (tcp) pool.tcp = tcp;
  const http = compact({
    http1MaxPendingRequests: p.http?.http1MaxPendingRequests,
    http2MaxRequests: p.http?.http2MaxRequests,
    maxRequestsPerConnection: p.http?.maxRequestsPerConnection,
    maxRetries: p.http?.maxRetries,
    idleTimeout: dur(p.http?.idleTimeout),
    h2UpgradePolicy: p.http?.h2UpgradePolicy,
    useClientProtocol: p.http?.useClientProtocol,
  });
  if (http) pool.http = http;
  if (Object.keys(pool).length > 0) out.connectionPool = pool;
  const od = compact({
    consecutive5xxErrors: p.outlierDetection?.consecutive5xxErrors,
    consecutiveGatewayErrors: p.outlierDetection?.consecutiveGatewayErrors,
    interval: dur(p.outlierDetection?.interval),
    baseEjectionTime: dur(p.outlierDetection?.baseEjectionTime),
    maxEjectionPercent: p.outlierDetection?.maxEjectionPercent,
    minHealthPercent: p.outlierDetection?.minHealthPercent,
  });
  if (od) out.outlierDetection = od;
  const lb = p.loadBalancer ? renderLoadBalancer(p.loadBalancer) : undefined;
  if (lb) out.loadBalancer = lb;
  if (p.tls) {
    out.tls = compact({
      mode: p.tls.mode,
      credentialName: p.tls.credentialName,
      caCertificates: p.tls.caCertificates,
      sni: p.tls.sni,
      subjectAltNames: p.tls.subjectAltNames && p.tls.subjectAltNames.length > 0 ? [...p.tls.subjectAltNames] : undefined,
    });
  }
  if (p.retryBudget) {
    const rb = compact({ percent: p.retryBudget.percent, minRetryConcurrency: p.retryBudget.minRetryConcurrency });
    if (rb) out.retryBudget = rb;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** A load balancer: `simple` or `consistentHash`, and `localityLbSetting`. */
export function renderLoadBalancer(lb: LoadBalancerIntent): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  if (lb.simple !== undefined) out.simple = lb.simple;
  const ch = lb.consistentHash;
  if (ch) {
    const h: Record<string, unknown> = {};
    if (ch.httpHeaderName !== undefined) h.httpHeaderName = ch.httpHeaderName;
    if (ch.httpCookie) h.httpCookie = compact({ name: ch.httpCookie.name, path: ch.httpCookie.path, ttl: dur(ch.httpCookie.ttl) });
    if (ch.useSourceIp !== undefined) h.useSourceIp = ch.useSourceIp;
    if (ch.httpQueryParameterName !== undefined) h.httpQueryParameterName = ch.httpQueryParameterName;
    out.consistentHash = h;
  }
  const loc = lb.localityLbSetting;
  if (loc) {
    const l: Record<string, unknown> = { enabled: true };
    if (loc.distribute && loc.distribute.length > 0) l.distribute = loc.distribute.map((d) => ({ from: d.from, to: { ...d.to } }));
    if (loc.failover && loc.failover.length > 0) l.failover = loc.failover.map((f) => ({ from: f.from, to: f.to }));
    out.localityLbSetting = l;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The primary port of a service (what routes and per-version Services use). */
export function servicePort(svc: ServiceIntent): number {
  return primaryPort(svc).port;
}

function dur(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : istioDuration(ms);
}
