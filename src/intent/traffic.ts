import { Duration } from 'cdk8s';

/**
 * Renderer-neutral intent for one host's HTTP traffic. Constructs (CanaryRoute, CircuitBreaker) write
 * it; renderers (Istio VirtualService/DestinationRule, Gateway API HTTPRoute, Flagger Canary) read it.
 * Nothing here is Istio YAML: durations are cdk8s Durations, matches are kinds and values.
 */

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
  readonly perTryTimeout?: Duration;
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
  readonly timeout?: Duration;
  readonly retries?: RetryIntent;
}

/** TCP connection pool settings. */
export interface TcpPoolIntent {
  readonly maxConnections?: number;
  readonly connectTimeout?: Duration;
  readonly idleTimeout?: Duration;
}

/** HTTP connection pool settings. */
export interface HttpPoolIntent {
  readonly http1MaxPendingRequests?: number;
  readonly http2MaxRequests?: number;
  readonly maxRequestsPerConnection?: number;
  readonly maxRetries?: number;
  readonly idleTimeout?: Duration;
  /** DEFAULT, DO_NOT_UPGRADE or UPGRADE. */
  readonly h2UpgradePolicy?: string;
  readonly useClientProtocol?: boolean;
}

/** Outlier detection (passive health checking). */
export interface OutlierDetectionIntent {
  readonly consecutive5xxErrors?: number;
  readonly consecutiveGatewayErrors?: number;
  readonly interval?: Duration;
  readonly baseEjectionTime?: Duration;
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
  readonly interval: Duration;
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
  readonly timeout?: Duration;
  readonly metadata?: { readonly [key: string]: string };
}

/**
 * Progressive delivery (Flagger) of a host. Exactly one of `stepWeight` (with `maxWeight`),
 * `stepWeights` or `iterations` (A/B testing, with `matches`) is set.
 */
export interface ProgressiveIntent {
  /** How often Flagger runs one analysis step. */
  readonly interval: Duration;
  /** Failed checks before Flagger rolls back. */
  readonly threshold: number;
  readonly maxWeight?: number;
  readonly stepWeight?: number;
  readonly stepWeights?: readonly number[];
  readonly iterations?: number;
  readonly metrics: readonly MetricCheckIntent[];
  readonly webhooks: readonly AnalysisWebhookIntent[];
  /** How long Flagger waits for a rollout to make progress before rolling back. */
  readonly progressDeadline?: Duration;
  /** The version whose Deployment is Flagger's target (the new release). */
  readonly canaryVersion: string;
  /** The version Flagger's primary runs; its Deployment is not emitted. */
  readonly stableVersion: string;
  /** A/B testing: requests matching any block go to the canary during the analysis. */
  readonly matches: readonly HttpMatchIntent[];
}
