import { Duration } from 'cdk8s';
import type { HostTraffic } from '../host-traffic';
import { HttpMatchIntent, HttpRuleIntent, RetryIntent, StringMatchIntent, TrafficPolicyIntent } from '../intent/traffic';
import { renderDuration } from '../rules/duration';

/**
 * Renders a host's traffic intent as Istio `networking.istio.io/v1` specs. Pure functions of the
 * intent: the same intent always gives the same spec, key order included.
 */

/** The VirtualService spec of a host. */
export function renderVirtualServiceSpec(host: HostTraffic): Record<string, unknown> {
  const svc = host.service;
  const defaults = host.defaults;
  const rules: readonly HttpRuleIntent[] = host.rules ?? [{ matches: [], destinations: [{ weight: 100 }] }];
  const http = rules.map((rule) => {
    const out: Record<string, unknown> = {};
    if (rule.name) out.name = rule.name;
    if (rule.matches.length > 0) out.match = rule.matches.map(renderMatch);
    out.route = rule.destinations.map((d) => {
      const destination: Record<string, unknown> = { host: svc.host };
      if (d.version !== undefined) destination.subset = d.version;
      // A lone destination without a subset takes all traffic; the weight is implied.
      return rule.destinations.length === 1 && d.version === undefined ? { destination } : { destination, weight: d.weight };
    });
    const timeout = rule.timeout ?? defaults.timeout;
    if (timeout) out.timeout = renderDuration(timeout);
    const retries = rule.retries ?? defaults.retries;
    if (retries) out.retries = renderRetries(retries);
    return out;
  });
  return { hosts: [svc.host], http };
}

/** The DestinationRule spec of a host. */
export function renderDestinationRuleSpec(host: HostTraffic): Record<string, unknown> {
  const svc = host.service;
  const spec: Record<string, unknown> = { host: svc.host };
  const tp = renderTrafficPolicy(host.hostPolicy);
  if (tp) spec.trafficPolicy = tp;
  const subsets = host.subsets.map((v) => {
    const s: Record<string, unknown> = { name: v, labels: { version: v } };
    const stp = renderTrafficPolicy(host.effectiveSubsetPolicy(v));
    if (stp) s.trafficPolicy = stp;
    return s;
  });
  if (subsets.length > 0) spec.subsets = subsets;
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
  if (r.perTryTimeout) out.perTryTimeout = renderDuration(r.perTryTimeout);
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

function dur(d: Duration | undefined): string | undefined {
  return d ? renderDuration(d) : undefined;
}

function compact(o: Record<string, unknown>): Record<string, unknown> | undefined {
  const entries = Object.entries(o).filter(([, v]) => v !== undefined);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}
