/**
 * Rules Envoy's own code applies beyond its protos' protoc-gen-validate rules, for the features we
 * render (a config breaking them is rejected by the proxy: NACK).
 */

/**
 * Envoy's local rate limiters refuse token buckets that refill faster than every 50ms
 * (source/extensions/filters/{http,network}/local_ratelimit: "fill_interval must be >= 50ms").
 */
export const MIN_FILL_INTERVAL_MS = 50;

/** A local rate limiter's token bucket fill interval, in milliseconds. */
export function localRateLimitFillInterval(ms: number): string | undefined {
  return ms >= MIN_FILL_INTERVAL_MS ? undefined : `Envoy's local rate limiter needs a fill interval of at least ${MIN_FILL_INTERVAL_MS}ms`;
}

/** Type names of the local rate limit filters whose token buckets the rule above applies to. */
export const LOCAL_RATE_LIMIT_TYPES: readonly string[] = [
  'envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit',
  'envoy.extensions.filters.network.local_ratelimit.v3.LocalRateLimit',
];
