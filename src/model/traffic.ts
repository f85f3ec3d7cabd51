/**
 * Traffic intent of the mesh model: per host (one service), the ordered HTTP rules, route-wide
 * defaults, traffic policies for the host and its versions, progressive delivery and local rate
 * limits. Constructs (CanaryRoute, CircuitBreaker, LocalRateLimit) write it through the model's
 * methods; renderers (Istio VirtualService/DestinationRule, Gateway API HTTPRoute, Flagger Canary,
 * EnvoyFilter) read it. Nothing here is Istio YAML, and nothing is a construct: durations are whole
 * milliseconds, matches are kinds and values, destinations are versions and weights.
 */
import type { ServiceRef } from './identity';

/** A duration in whole milliseconds (Istio's precision). */
export type Milliseconds = number;

/** How a string is compared. */
export type StringMatchKind = 'exact' | 'prefix' | 'regex';

/** A string condition. `regex` is RE2 and must match the whole value. */
export interface StringMatchIntent {
  readonly kind: StringMatchKind;
  readonly value: string;
}

/** One header condition. Header names are matched case-insensitively, values case-sensitively. */
export interface HeaderMatchIntent {
  readonly name: string;
  readonly match: StringMatchIntent;
}

/** One match block: every condition in it must hold (AND). */
export interface HttpMatchIntent {
  readonly headers: readonly HeaderMatchIntent[];
  readonly uri?: StringMatchIntent;
  readonly method?: StringMatchIntent;
}

/** A destination of a rule: one version (subset) of the host, or the whole host when `version` is absent. */
export interface RouteDestinationIntent {
  readonly version?: string;
  /** Percent of the rule's traffic; all destinations of a rule sum to 100. */
  readonly weight: number;
}

/** Retry policy. */
export interface RetryIntent {
  readonly attempts: number;
  readonly perTryTimeout?: Milliseconds;
  /** retryOn tokens, in the order given (rendered comma-joined, without spaces). */
  readonly retryOn: readonly string[];
}

/** One HTTP rule. The rule list is ordered: the first rule whose match holds wins. */
export interface HttpRuleIntent {
  /** Optional rule name (rendered as the route name). */
  readonly name?: string;
  /** Match blocks, ORed. Empty means "matches every request" (the catch-all). */
  readonly matches: readonly HttpMatchIntent[];
  readonly destinations: readonly RouteDestinationIntent[];
  readonly timeout?: Milliseconds;
  readonly retries?: RetryIntent;
}

/** Route-wide timeout and retries, used by every rule that sets none of its own. */
export interface RouteDefaultsIntent {
  readonly timeout?: Milliseconds;
  readonly retries?: RetryIntent;
}

/** TCP connection pool settings. */
export interface TcpPoolIntent {
  readonly maxConnections?: number;
  readonly connectTimeout?: Milliseconds;
  readonly idleTimeout?: Milliseconds;
}

/** HTTP connection pool settings. */
export interface HttpPoolIntent {
  readonly http1MaxPendingRequests?: number;
  readonly http2MaxRequests?: number;
  readonly maxRequestsPerConnection?: number;
  readonly maxRetries?: number;
  readonly idleTimeout?: Milliseconds;
  /** DEFAULT, DO_NOT_UPGRADE or UPGRADE. */
  readonly h2UpgradePolicy?: string;
  readonly useClientProtocol?: boolean;
}

/** Outlier detection (passive health checking). */
export interface OutlierDetectionIntent {
  readonly consecutive5xxErrors?: number;
  readonly consecutiveGatewayErrors?: number;
  readonly interval?: Milliseconds;
  readonly baseEjectionTime?: Milliseconds;
  readonly maxEjectionPercent?: number;
  readonly minHealthPercent?: number;
}

/** Traffic policy for the host or one subset. Absent parts are not rendered (never `{}`). */
export interface TrafficPolicyIntent {
  readonly tcp?: TcpPoolIntent;
  readonly http?: HttpPoolIntent;
  readonly outlierDetection?: OutlierDetectionIntent;
}

/** One metric check of a progressive analysis: a Flagger builtin metric or a MetricTemplate. */
export interface MetricCheckIntent {
  /** `request-success-rate`, `request-duration`, or the name of a templated metric. */
  readonly name: string;
  /** The window the metric is computed over. */
  readonly interval: Milliseconds;
  /** Lowest acceptable value (success rate in percent). */
  readonly min?: number;
  /** Highest acceptable value (request duration in milliseconds). */
  readonly max?: number;
  /** A Flagger MetricTemplate, for metrics other than the builtins. */
  readonly templateRef?: { readonly name: string; readonly namespace?: string };
}

/** One webhook Flagger calls during the analysis. */
export interface AnalysisWebhookIntent {
  readonly name: string;
  /** Flagger's webhook type, e.g. `pre-rollout`, `rollout`, `confirm-promotion`. */
  readonly type: string;
  readonly url: string;
  readonly timeout?: Milliseconds;
  readonly metadata?: { readonly [key: string]: string };
}

/**
 * Progressive delivery (Flagger) of a host. Exactly one of `stepWeight` (with `maxWeight`),
 * `stepWeights` or `iterations` (A/B testing, with `matches`) is set.
 */
export interface ProgressiveIntent {
  /** How often Flagger runs one analysis step. */
  readonly interval: Milliseconds;
  /** Failed checks before Flagger rolls back. */
  readonly threshold: number;
  readonly maxWeight?: number;
  readonly stepWeight?: number;
  readonly stepWeights?: readonly number[];
  readonly iterations?: number;
  readonly metrics: readonly MetricCheckIntent[];
  readonly webhooks: readonly AnalysisWebhookIntent[];
  /** How long Flagger waits for a rollout to make progress before rolling back. */
  readonly progressDeadline?: Milliseconds;
  /** The version whose Deployment is Flagger's target (the new release). */
  readonly canaryVersion: string;
  /** The version Flagger's primary runs; its Deployment is not emitted. */
  readonly stableVersion: string;
  /** A/B testing: requests matching any block go to the canary during the analysis. */
  readonly matches: readonly HttpMatchIntent[];
}

/** An Envoy token bucket. */
export interface TokenBucketIntent {
  readonly maxTokens: number;
  readonly tokensPerFill: number;
  readonly fillInterval: Milliseconds;
}

/** A request class with its own bucket (one path prefix or one header value, optionally one method). */
export interface RateLimitDescriptorIntent {
  /** The header the descriptor looks at (`:path` for paths). */
  readonly header: string;
  /** `path-prefix` (`:path`, by whole segments) or `exact`. */
  readonly matchKind: string;
  /** The compared value. */
  readonly matchValue: string;
  /** The descriptor entry value Envoy matches, unique per request class. */
  readonly key: string;
  readonly bucket: TokenBucketIntent;
  /** The only method of the class (`:method`, exact); absent for any method. */
  readonly method?: string;
}

/** Local rate limiting on the inbound side of every pod of a host. */
export interface LocalRateLimitIntent {
  /** Name of the object that carries it (an EnvoyFilter with the sidecar data plane). */
  readonly name: string;
  /** The default bucket, per pod. */
  readonly bucket: TokenBucketIntent;
  /** Request classes with their own buckets. */
  readonly descriptors: readonly RateLimitDescriptorIntent[];
  /** Envoy stat prefix. */
  readonly statPrefix: string;
  /** Header added to 429 responses. */
  readonly responseHeader: { readonly name: string; readonly value: string };
  /** Construct path of the writer; it owns the rendered object. */
  readonly source: string;
}

/** The own policy of one version (subset). */
export interface SubsetPolicyIntent {
  readonly version: string;
  readonly policy: TrafficPolicyIntent;
}

/** One traffic policy as written, with its writer. */
export interface PolicyContribution {
  /** The version (subset) it is for; absent for the whole host. */
  readonly version?: string;
  /** The policy as written. */
  readonly policy: TrafficPolicyIntent;
  /** Construct path of the writer. */
  readonly source: string;
}

/** Who wrote each part of a host's traffic intent (construct paths, for messages). */
export interface HostTrafficSources {
  readonly rules?: string;
  readonly defaults?: string;
  readonly progressive?: string;
  /** Every policy as written, host-wide and per version, in the order they were added. */
  readonly policies: readonly PolicyContribution[];
}

/**
 * All traffic intent of one host, merged. Policies from several writers are merged field by field
 * (the model refuses the same field twice); `subsetPolicies` holds each version's own fields only
 * (see {@link effectiveSubsetPolicy} for what the proxy applies).
 */
export interface HostTrafficIntent {
  /** The host. */
  readonly service: ServiceRef;
  /** The ordered rules, the catch-all last, when the host is routed. */
  readonly rules?: readonly HttpRuleIntent[];
  /** Route-wide timeout and retries. */
  readonly defaults: RouteDefaultsIntent;
  /** The merged host-wide policy, when any. */
  readonly hostPolicy?: TrafficPolicyIntent;
  /** Each version's own merged policy, in the order versions got one. */
  readonly subsetPolicies: readonly SubsetPolicyIntent[];
  /** Progressive delivery, when Flagger delivers the host. */
  readonly progressive?: ProgressiveIntent;
  /** Local rate limits, in the order they were added. */
  readonly localRateLimits: readonly LocalRateLimitIntent[];
  /** Who wrote what. */
  readonly sources: HostTrafficSources;
}

/** Whether a host has routing intent (rules or route defaults): it then needs a route object. */
export function isRouted(host: HostTrafficIntent): boolean {
  return host.rules !== undefined || host.defaults.timeout !== undefined || host.defaults.retries !== undefined;
}

/** Whether a host has any routing or policy intent (what a waypoint applies in ambient mode). */
export function hasTrafficIntent(host: HostTrafficIntent): boolean {
  return isRouted(host) || host.hostPolicy !== undefined || host.subsetPolicies.length > 0;
}

/** The own policy of one version, when it has one. */
export function subsetPolicy(host: HostTrafficIntent, version: string): TrafficPolicyIntent | undefined {
  return host.subsetPolicies.find((s) => s.version === version)?.policy;
}

/**
 * The effective policy of one subset, as the proxy applies it: the host policy with the subset's
 * fields laid over it, part by part (TCP pool, HTTP pool, outlier detection). Undefined when the
 * subset sets nothing of its own. Istio replaces `connectionPool` and `outlierDetection` of a subset
 * as a whole, so renderers write the inherited host fields into the subset explicitly.
 */
export function effectiveSubsetPolicy(host: HostTrafficIntent, version: string): TrafficPolicyIntent | undefined {
  const own = subsetPolicy(host, version);
  if (!own) return undefined;
  const base = host.hostPolicy ?? {};
  const pool = own.tcp || own.http;
  const out: { tcp?: TcpPoolIntent; http?: HttpPoolIntent; outlierDetection?: OutlierDetectionIntent } = {};
  const tcp = pool ? { ...(base.tcp ?? {}), ...(own.tcp ?? {}) } : undefined;
  const http = pool ? { ...(base.http ?? {}), ...(own.http ?? {}) } : undefined;
  if (tcp && Object.keys(tcp).length > 0) out.tcp = tcp;
  if (http && Object.keys(http).length > 0) out.http = http;
  if (own.outlierDetection) out.outlierDetection = { ...(base.outlierDetection ?? {}), ...own.outlierDetection };
  return out;
}

/** The versions a route sends to by name. */
export function routedVersions(host: HostTrafficIntent): string[] {
  const out = new Set<string>();
  for (const r of host.rules ?? []) for (const d of r.destinations) if (d.version !== undefined) out.add(d.version);
  return [...out];
}

/** The first field set in both policies (`tcp.maxConnections`, ...), or undefined. */
export function overlappingField(a: TrafficPolicyIntent, b: TrafficPolicyIntent): string | undefined {
  for (const part of ['tcp', 'http', 'outlierDetection'] as const) {
    const x = a[part] as Record<string, unknown> | undefined;
    const y = b[part] as Record<string, unknown> | undefined;
    if (!x || !y) continue;
    for (const k of Object.keys(y)) {
      if (y[k] !== undefined && x[k] !== undefined) return `${part}.${k}`;
    }
  }
  return undefined;
}

/** Several policies merged field by field (callers have refused overlaps), or undefined for none. */
export function mergePolicies(list: readonly TrafficPolicyIntent[]): TrafficPolicyIntent | undefined {
  if (list.length === 0) return undefined;
  const out: Record<string, Record<string, unknown>> = {};
  for (const p of list) {
    for (const part of ['tcp', 'http', 'outlierDetection'] as const) {
      const v = p[part];
      if (!v) continue;
      out[part] = { ...(out[part] ?? {}), ...Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)) };
    }
  }
  return out as TrafficPolicyIntent;
}
