import {
  effectiveSubsetPolicy,
  HostTrafficIntent,
  HttpMatchIntent,
  HttpRuleIntent,
  isRouted,
  primaryPort,
  RetryIntent,
  routedVersions,
  ServiceIntent,
  serviceOwner,
  StringMatchIntent,
  TrafficPolicyIntent,
  versionNames,
} from '../model';
import { compact, istioDuration } from './format';
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
  if (subsets.length > 0 || host.hostPolicy || host.subsetPolicies.length > 0) {
    out.push({ owner, id: 'DestinationRule', manifest: lazyManifest('networking.istio.io/v1', 'DestinationRule', metadata, () => renderDestinationRuleSpec(svc, host, subsets)) });
  }
  return out;
}

/**
 * The subsets the DestinationRule declares: every version the service runs, as soon as a route
 * destination or a per-version policy refers to a version. Derived, never typed by hand. A route
 * that only targets the whole host needs no subsets.
 */
export function istioSubsets(svc: ServiceIntent, host: HostTrafficIntent): string[] {
  return routedVersions(host).length > 0 || host.subsetPolicies.length > 0 ? versionNames(svc) : [];
}

/** The VirtualService spec of a host. */
export function renderVirtualServiceSpec(svc: ServiceIntent, host: HostTrafficIntent): Record<string, unknown> {
  const defaults = host.defaults;
  const rules: readonly HttpRuleIntent[] = host.rules ?? [{ matches: [], destinations: [{ weight: 100 }] }];
  const http = rules.map((rule) => {
    const out: Record<string, unknown> = {};
    if (rule.name) out.name = rule.name;
    if (rule.matches.length > 0) out.match = rule.matches.map(renderMatch);
    out.route = rule.destinations.map((d) => {
      const destination: Record<string, unknown> = { host: svc.name };
      if (d.version !== undefined) destination.subset = d.version;
      // A lone destination without a subset takes all traffic; the weight is implied.
      return rule.destinations.length === 1 && d.version === undefined ? { destination } : { destination, weight: d.weight };
    });
    const timeout = rule.timeout ?? defaults.timeout;
    if (timeout !== undefined) out.timeout = istioDuration(timeout);
    const retries = rule.retries ?? defaults.retries;
    if (retries) out.retries = renderRetries(retries);
    return out;
  });
  return { hosts: [svc.name], http };
}

/** The DestinationRule spec of a host. */
export function renderDestinationRuleSpec(svc: ServiceIntent, host: HostTrafficIntent, subsets: readonly string[]): Record<string, unknown> {
  const spec: Record<string, unknown> = { host: svc.name };
  const tp = renderTrafficPolicy(host.hostPolicy);
  if (tp) spec.trafficPolicy = tp;
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
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The primary port of a service (what routes and per-version Services use). */
export function servicePort(svc: ServiceIntent): number {
  return primaryPort(svc).port;
}

function dur(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : istioDuration(ms);
}
