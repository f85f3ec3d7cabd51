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

/** Fault injection: delay and/or abort a share of the requests. */
export interface FaultIntent {
  /** Delay `percent` of the requests by `fixedDelay`. */
  readonly delay?: { readonly fixedDelay: Milliseconds; readonly percent: number };
  /** Answer `percent` of the requests with an HTTP status or a gRPC status, without forwarding them. */
  readonly abort?: { readonly httpStatus?: number; readonly grpcStatus?: string; readonly percent: number };
}

/** A copy of a share of the requests, sent fire-and-forget to one version of the host (or the whole host). */
export interface MirrorIntent {
  /** The version (subset) that receives the copies; absent for the whole host. */
  readonly version?: string;
  /** Percent of the requests copied, 0..100. */
  readonly percent: number;
}

/** Header changes in one direction. */
export interface HeaderOperationsIntent {
  /** Headers overwritten (or added when absent), by name. */
  readonly set: { readonly [name: string]: string };
  /** Headers appended, by name. */
  readonly add: { readonly [name: string]: string };
  /** Headers removed. */
  readonly remove: readonly string[];
}

/** Header changes of a rule, on the forwarded request and/or the response. */
export interface HeaderMutationIntent {
  readonly request?: HeaderOperationsIntent;
  readonly response?: HeaderOperationsIntent;
}

/** A rewrite of the forwarded request: the path part the match matched (or the whole path), the authority. */
export interface RewriteIntent {
  /** Replaces the matched URI prefix (a prefix match), or the whole path (exact and regex matches). */
  readonly uri?: string;
  /** Replaces the Host/`:authority` header. */
  readonly authority?: string;
}

/** An HTTP redirect answered instead of forwarding. */
export interface RedirectIntent {
  /** Replaces the path (query string included). */
  readonly uri?: string;
  /** Replaces the authority. */
  readonly authority?: string;
  /** `http` or `https`. */
  readonly scheme?: string;
  /** Replaces the port. */
  readonly port?: number;
  /** The redirect status (301, 302, 303, 307 or 308). */
  readonly code: number;
}

/** A fixed response answered instead of forwarding. */
export interface DirectResponseIntent {
  readonly status: number;
  /** The body, when any. */
  readonly body?: string;
}

/** A CORS policy: which origins, methods and headers browsers may use cross-origin. */
export interface CorsIntent {
  readonly allowOrigins: readonly StringMatchIntent[];
  readonly allowMethods: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  /** How long a preflight answer may be cached (whole seconds). */
  readonly maxAge?: Milliseconds;
  readonly allowCredentials?: boolean;
}

/** One HTTP rule. The rule list is ordered: the first rule whose match holds wins. */
export interface HttpRuleIntent {
  /** Optional rule name (rendered as the route name). */
  readonly name?: string;
  /** Match blocks, ORed. Empty means "matches every request" (the catch-all). */
  readonly matches: readonly HttpMatchIntent[];
  /** Where matching requests go; empty when the rule answers itself (`redirect`, `directResponse`). */
  readonly destinations: readonly RouteDestinationIntent[];
  readonly timeout?: Milliseconds;
  readonly retries?: RetryIntent;
  /** Fault injection. */
  readonly fault?: FaultIntent;
  /** Request mirroring. */
  readonly mirror?: MirrorIntent;
  /** Header changes. */
  readonly headers?: HeaderMutationIntent;
  /** URI/authority rewrite of the forwarded request. */
  readonly rewrite?: RewriteIntent;
  /** A redirect answered instead of forwarding (then `destinations` is empty). */
  readonly redirect?: RedirectIntent;
  /** A fixed response answered instead of forwarding (then `destinations` is empty). */
  readonly directResponse?: DirectResponseIntent;
  /** A CORS policy. */
  readonly cors?: CorsIntent;
}

/**
 * One entry of a root route that hands part of the host's requests to a delegate route (Istio
 * VirtualService delegation): requests matching `matches` are routed by the delegate's rules.
 */
export interface DelegationEntryIntent {
  /** The delegate route's name (its VirtualService name). */
  readonly name: string;
  /** The delegate route's namespace. */
  readonly namespace: string;
  /** Match blocks, ORed; the delegate's own matches must stay within them. Empty: every request. */
  readonly matches: readonly HttpMatchIntent[];
}

/** The rules of one delegate route: a team's part of a shared host. */
export interface DelegateRouteIntent {
  /** The delegate's name (its VirtualService name). */
  readonly name: string;
  /** The delegate's namespace. */
  readonly namespace: string;
  /** Its ordered rules. Matches stay within the delegation entry's; a rule without matches takes all of them. */
  readonly rules: readonly HttpRuleIntent[];
  /** Construct path of the writer; it owns the rendered object. */
  readonly source: string;
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

/** Consistent hashing: requests with the same key go to the same upstream host (session affinity). */
export interface ConsistentHashIntent {
  /** Hash on a request header. */
  readonly httpHeaderName?: string;
  /** Hash on a cookie (Envoy generates it when absent, with `ttl`). */
  readonly httpCookie?: { readonly name: string; readonly path?: string; readonly ttl?: Milliseconds };
  /** Hash on the source IP. */
  readonly useSourceIp?: boolean;
  /** Hash on a query parameter. */
  readonly httpQueryParameterName?: string;
}

/** Locality-aware load balancing: weights per locality (`distribute`) or region failover. */
export interface LocalityLbIntent {
  /** Traffic from `from` goes to the localities of `to` by weight (each entry's weights total 100). */
  readonly distribute?: ReadonlyArray<{ readonly from: string; readonly to: { readonly [locality: string]: number } }>;
  /** When a region's endpoints are unhealthy, traffic goes to `to`. Needs outlier detection. */
  readonly failover?: ReadonlyArray<{ readonly from: string; readonly to: string }>;
}

/** The load balancer of a host or subset. `simple` and `consistentHash` exclude each other. */
export interface LoadBalancerIntent {
  /** `ROUND_ROBIN`, `LEAST_REQUEST`, `RANDOM` or `PASSTHROUGH`. */
  readonly simple?: string;
  readonly consistentHash?: ConsistentHashIntent;
  readonly localityLbSetting?: LocalityLbIntent;
}

/** TLS from the proxy to the upstream. */
export interface UpstreamTlsIntent {
  /** `DISABLE`, `SIMPLE`, `MUTUAL` or `ISTIO_MUTUAL`. */
  readonly mode: string;
  /** SNI sent in the handshake. */
  readonly sni?: string;
  /** The Secret holding the client key and certificate (MUTUAL) or the CA certificate (SIMPLE). */
  readonly credentialName?: string;
  /** Names the server certificate must carry. */
  readonly subjectAltNames?: readonly string[];
  /** The CA bundle file inside the proxy that verifies the server (SIMPLE without a credential). */
  readonly caCertificates?: string;
}

/** A limit on concurrent retries relative to active requests (Envoy retry budget). */
export interface RetryBudgetIntent {
  /** Concurrent retries as a percentage of active and pending requests, 0..100. */
  readonly percent?: number;
  /** Retries always allowed, whatever the percentage. */
  readonly minRetryConcurrency?: number;
}

/** Traffic policy for the host or one subset. Absent parts are not rendered (never `{}`). */
export interface TrafficPolicyIntent {
  readonly tcp?: TcpPoolIntent;
  readonly http?: HttpPoolIntent;
  readonly outlierDetection?: OutlierDetectionIntent;
  readonly loadBalancer?: LoadBalancerIntent;
  readonly tls?: UpstreamTlsIntent;
  readonly retryBudget?: RetryBudgetIntent;
}

/** Parts of a policy merged field by field across writers. */
const FIELD_PARTS = ['tcp', 'http', 'outlierDetection', 'loadBalancer'] as const;
/** Parts of a policy set by one writer as a whole. */
const WHOLE_PARTS = ['tls', 'retryBudget'] as const;

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
  /**
   * Flagger's delegation mode: Flagger's VirtualService is a delegate (no hosts), and the library
   * renders the root VirtualService of the host, which keeps the route's other rules.
   */
  readonly delegation?: boolean;
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
  /**
   * The container port whose inbound requests are limited.
   * @default - the primary port's container port
   */
  readonly port?: number;
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
  /** The service port it is for (`portLevelSettings`); absent for every port. */
  readonly port?: number;
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
  /** The writer of the delegation entries (the root route). */
  readonly delegation?: string;
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
  /**
   * The service port the route applies to, when the route names one (a service with several ports):
   * every match then carries the port and every destination names it.
   */
  readonly routePort?: number;
  /** Delegation entries of the root route, in order, before its own rules (VirtualService delegation). */
  readonly delegation?: readonly DelegationEntryIntent[];
  /** The delegate routes written for the host's delegation entries, in the order written. */
  readonly delegates?: readonly DelegateRouteIntent[];
  /** Policies for one service port (DestinationRule `portLevelSettings`), merged per port. */
  readonly portPolicies?: readonly PortPolicyIntent[];
  /**
   * Routes on further ports of a service with several ports, one per port, in the order written:
   * `rules`, `routePort` and `defaults` are the host's first route (on `routePort`, or the primary
   * port), and each entry here routes one other port. Absent when the host has at most one route.
   */
  readonly portRoutes?: readonly PortRouteIntent[];
}

/**
 * The route of one more port of a host with several ports (besides the host's first route): its
 * matches all carry the port and its destinations name it, so it never applies to another port.
 */
export interface PortRouteIntent {
  /** The service port the route applies to. */
  readonly port: number;
  /** The ordered rules, the catch-all last. */
  readonly rules: readonly HttpRuleIntent[];
  /** The route's own timeout and retries (the host's `defaults` are the first route's). */
  readonly defaults: RouteDefaultsIntent;
  /** Construct path of the writer of the rules. */
  readonly source: string;
  /** Construct path of the writer of the defaults, when any. */
  readonly defaultsSource?: string;
}

/** The own policy of one service port. */
export interface PortPolicyIntent {
  readonly port: number;
  readonly policy: TrafficPolicyIntent;
}

/** Whether a host has routing intent (rules or route defaults): it then needs a route object. */
export function isRouted(host: HostTrafficIntent): boolean {
  return host.rules !== undefined || (host.portRoutes?.length ?? 0) > 0 || host.delegation !== undefined || host.defaults.timeout !== undefined || host.defaults.retries !== undefined;
}

/** Whether a host has any routing or policy intent (what a waypoint applies in ambient mode). */
export function hasTrafficIntent(host: HostTrafficIntent): boolean {
  return isRouted(host) || host.hostPolicy !== undefined || host.subsetPolicies.length > 0 || (host.portPolicies?.length ?? 0) > 0;
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
  const out: { -readonly [K in keyof TrafficPolicyIntent]: TrafficPolicyIntent[K] } = {};
  const tcp = pool ? { ...(base.tcp ?? {}), ...(own.tcp ?? {}) } : undefined;
  const http = pool ? { ...(base.http ?? {}), ...(own.http ?? {}) } : undefined;
  if (tcp && Object.keys(tcp).length > 0) out.tcp = tcp;
  if (http && Object.keys(http).length > 0) out.http = http;
  if (own.outlierDetection) out.outlierDetection = { ...(base.outlierDetection ?? {}), ...own.outlierDetection };
  if (own.loadBalancer) out.loadBalancer = { ...(base.loadBalancer ?? {}), ...own.loadBalancer };
  // A subset failing over without its own outlier detection gets the host's, as pilot merges it
  // (util.go mergeTrafficPolicy, per top-level field): written out, so the subset's policy carries both
  // and Istio's webhook does not warn (validation.go validateLoadBalancer judges one policy).
  if (!own.outlierDetection && base.outlierDetection && (out.loadBalancer?.localityLbSetting?.failover?.length ?? 0) > 0) out.outlierDetection = base.outlierDetection;
  if (own.tls) out.tls = own.tls;
  if (own.retryBudget) out.retryBudget = own.retryBudget;
  return out;
}

/** The versions a route sends to by name. */
export function routedVersions(host: HostTrafficIntent): string[] {
  const out = new Set<string>();
  const rules = [...(host.rules ?? []), ...(host.portRoutes ?? []).flatMap((r) => r.rules), ...(host.delegates ?? []).flatMap((d) => d.rules)];
  for (const r of rules) {
    for (const d of r.destinations) if (d.version !== undefined) out.add(d.version);
    if (r.mirror?.version !== undefined) out.add(r.mirror.version);
  }
  return [...out];
}

/** The load balancer's algorithm choice: `simple` and `consistentHash` are one oneof in Istio (`lbPolicy`). */
const LB_CHOICE = ['simple', 'consistentHash'];

/**
 * Every field set in both policies, in this order: whole parts (`tls`, `retryBudget`), the load
 * balancer's algorithm choice (`loadBalancer.simple` or `loadBalancer.consistentHash`, one oneof),
 * then per-field parts (`tcp.maxConnections`, `loadBalancer.localityLbSetting`, ...).
 */
export function overlappingFields(a: TrafficPolicyIntent, b: TrafficPolicyIntent): string[] {
  const out: string[] = [];
  for (const part of WHOLE_PARTS) if (a[part] !== undefined && b[part] !== undefined) out.push(part);
  const lbA = a.loadBalancer;
  const lbB = b.loadBalancer;
  if ((lbA?.simple !== undefined || lbA?.consistentHash !== undefined) && (lbB?.simple !== undefined || lbB?.consistentHash !== undefined)) {
    out.push(`loadBalancer.${lbB.simple !== undefined ? 'simple' : 'consistentHash'}`);
  }
  for (const part of FIELD_PARTS) {
    const x = a[part] as Record<string, unknown> | undefined;
    const y = b[part] as Record<string, unknown> | undefined;
    if (!x || !y) continue;
    for (const k of Object.keys(y)) {
      if (part === 'loadBalancer' && LB_CHOICE.includes(k)) continue;
      if (y[k] !== undefined && x[k] !== undefined) out.push(`${part}.${k}`);
    }
  }
  return out;
}

/** The first field set in both policies (`tcp.maxConnections`, ...), or undefined. */
export function overlappingField(a: TrafficPolicyIntent, b: TrafficPolicyIntent): string | undefined {
  return overlappingFields(a, b)[0];
}

/**
 * `p` without `fields` (as {@link overlappingFields} names them; a load-balancer choice removes the
 * whole algorithm choice), or undefined when nothing is left.
 */
export function withoutFields(p: TrafficPolicyIntent, fields: readonly string[]): TrafficPolicyIntent | undefined {
  const out: Record<string, unknown> = {};
  for (const part of WHOLE_PARTS) if (p[part] !== undefined && !fields.includes(part)) out[part] = p[part];
  const dropChoice = LB_CHOICE.some((k) => fields.includes(`loadBalancer.${k}`));
  for (const part of FIELD_PARTS) {
    const v = p[part] as Record<string, unknown> | undefined;
    if (!v) continue;
    const kept = Object.fromEntries(Object.entries(v).filter(([k, x]) =>
      x !== undefined && !fields.includes(`${part}.${k}`) && !(part === 'loadBalancer' && dropChoice && LB_CHOICE.includes(k))));
    if (Object.keys(kept).length > 0) out[part] = kept;
  }
  return Object.keys(out).length > 0 ? (out as TrafficPolicyIntent) : undefined;
}

/** Several policies merged field by field (callers have refused overlaps), or undefined for none. */
export function mergePolicies(list: readonly TrafficPolicyIntent[]): TrafficPolicyIntent | undefined {
  if (list.length === 0) return undefined;
  const out: Record<string, Record<string, unknown>> = {};
  for (const p of list) {
    for (const part of FIELD_PARTS) {
      const v = p[part];
      if (!v) continue;
      out[part] = { ...(out[part] ?? {}), ...Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)) };
    }
    for (const part of WHOLE_PARTS) if (p[part] !== undefined) out[part] = p[part] as Record<string, unknown>;
  }
  return out as TrafficPolicyIntent;
}
