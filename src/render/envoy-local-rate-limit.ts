import { LocalRateLimitIntent, Milliseconds, RateLimitDescriptorIntent, ServiceIntent, sourceOwner, TokenBucketIntent } from '../model';
import { lazyManifest, RenderedObject } from './types';

/**
 * Renders a local rate limit as an Istio `EnvoyFilter` (networking.istio.io/v1alpha3, the only
 * version EnvoyFilter has) on the inbound sidecar of the host's pods, owned by the construct that
 * wrote it (child id `Resource`). One patch: Envoy's `local_ratelimit` HTTP filter inserted before
 * the router, with the descriptors' request classes in the filter's own `rate_limits` (Envoy ≥ 1.33;
 * the route-level `rate_limits` wiring is deprecated for this filter). A pure function of its input.
 */

/** The Envoy HTTP filter name. */
export const LOCAL_RATELIMIT_FILTER = 'envoy.filters.http.local_ratelimit';
/** The type URL of the filter's config. */
export const LOCAL_RATELIMIT_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit';
/** The descriptor entry key of a request class's own `header_value_match` action (Envoy's default key). */
export const DESCRIPTOR_KEY = 'header_match';
/** The descriptor entry key of the actions that say a request is not in an earlier class. */
export const NOT_EARLIER_KEY = 'not_matched';
/**
 * The EnvoyFilter's `priority`. Istio orders EnvoyFilters of one context by priority, then creation
 * time; a relative patch (INSERT_BEFORE) without a priority is what Istio's analyzer reports as IST0151
 * (pkg/config/analysis/analyzers/envoyfilter/envoyfilter.go, relativeOperationMsg). A positive value
 * applies ours after every EnvoyFilter at the default priority 0, so the rate limiter ends up right
 * before the router whatever else is inserted there.
 */
export const LOCAL_RATELIMIT_PRIORITY = 10;

/** The EnvoyFilter of one local rate limit of a host. */
export function renderLocalRateLimit(svc: ServiceIntent, limit: LocalRateLimitIntent): RenderedObject {
  return {
    owner: sourceOwner(limit.source),
    id: 'Resource',
    manifest: lazyManifest('networking.istio.io/v1alpha3', 'EnvoyFilter', { name: limit.name, namespace: svc.namespace, labels: { ...svc.selector } },
      () => renderLocalRateLimitSpec(svc.selector, limit.port ?? svc.ports[0].targetPort, limit)),
  };
}

/** The EnvoyFilter spec. */
export function renderLocalRateLimitSpec(selector: { readonly [key: string]: string }, port: number, i: LocalRateLimitIntent): Record<string, unknown> {
  const config: Record<string, unknown> = {
    '@type': LOCAL_RATELIMIT_TYPE,
    'stat_prefix': i.statPrefix,
    'status': { code: 'TooManyRequests' },
    'token_bucket': renderBucket(i.bucket),
    'filter_enabled': fullPercent('local_rate_limit_enabled'),
    'filter_enforced': fullPercent('local_rate_limit_enforced'),
    // The local filter adds only these headers to a limited response (no x-envoy-ratelimited).
    'response_headers_to_add': [
      { append_action: 'OVERWRITE_IF_EXISTS_OR_ADD', header: { key: i.responseHeader.name, value: i.responseHeader.value } },
    ],
  };
  if (i.descriptors.length > 0) {
    // Each rate limit yields its descriptor only when every action yields its entry: the request is in
    // the class (one of its alternatives) and in no earlier class. Envoy charges every configured
    // descriptor a request yields (source/extensions/filters/common/local_ratelimit/
    // local_ratelimit_impl.cc, requestAllowed), so overlapping classes are made exclusive here: a
    // request pays the first class it is in, in declaration order.
    config.descriptors = i.descriptors.map((d, n) => ({
      entries: [{ key: DESCRIPTOR_KEY, value: d.key }, ...notEarlier(i.descriptors.slice(0, n)).map((e) => ({ key: NOT_EARLIER_KEY, value: e.key }))],
      token_bucket: renderBucket(d.bucket),
    }));
    // A request in a descriptor's class counts against that bucket only, not also the default one.
    config.always_consume_default_token_bucket = false;
    config.rate_limits = i.descriptors.flatMap((d, n) => alternatives(d).map((headers) => ({
      actions: [
        { header_value_match: { descriptor_key: DESCRIPTOR_KEY, descriptor_value: d.key, expect_match: true, headers } },
        ...notEarlier(i.descriptors.slice(0, n)).map((e) => ({ header_value_match: { descriptor_key: NOT_EARLIER_KEY, descriptor_value: e.key, expect_match: false, headers: e.headers } })),
      ],
    })));
  }
  return {
    workloadSelector: { labels: { ...selector } },
    configPatches: [
      {
        applyTo: 'HTTP_FILTER',
        match: {
          context: 'SIDECAR_INBOUND',
          listener: {
            portNumber: port,
            filterChain: {
              filter: {
                name: 'envoy.filters.network.http_connection_manager',
                subFilter: { name: 'envoy.filters.http.router' },
              },
            },
          },
        },
        patch: {
          operation: 'INSERT_BEFORE',
          value: { name: LOCAL_RATELIMIT_FILTER, typed_config: config },
        },
      },
    ],
    priority: LOCAL_RATELIMIT_PRIORITY,
  };
}

/** One "not in this earlier class" entry per alternative of each earlier class (NOT (a OR b) = NOT a AND NOT b). */
function notEarlier(earlier: readonly RateLimitDescriptorIntent[]): Array<{ key: string; headers: Array<Record<string, unknown>> }> {
  return earlier.flatMap((e) => alternatives(e).map((headers) => ({ key: e.key, headers })));
}

/**
 * The alternatives of a request class, each a list of header matchers that must all match (Envoy's
 * `header_value_match` ANDs its headers; alternatives are separate rate limits yielding the same
 * descriptor). A path prefix by whole segments, on `:path` (query included): `/a` is `/a` exactly,
 * or starts with `/a/` or `/a?`, never `/ab`; a prefix ending in `/` ends on a segment boundary
 * already. No regex: Envoy caps RE2 program size, which a long prefix would exceed. The method, when
 * given, is added to every alternative.
 */
export function alternatives(d: RateLimitDescriptorIntent): Array<Array<Record<string, unknown>>> {
  const byValue: Array<Record<string, unknown>> = d.matchKind !== 'path-prefix'
    ? [{ name: d.header, string_match: { exact: d.matchValue } }]
    : d.matchValue.endsWith('/')
      ? [{ name: ':path', string_match: { prefix: d.matchValue } }]
      : [
        { name: ':path', string_match: { exact: d.matchValue } },
        { name: ':path', string_match: { prefix: `${d.matchValue}/` } },
        { name: ':path', string_match: { prefix: `${d.matchValue}?` } },
      ];
  const method = d.method !== undefined ? [{ name: ':method', string_match: { exact: d.method } }] : [];
  return byValue.map((m) => [m, ...method]);
}

function renderBucket(b: TokenBucketIntent): Record<string, unknown> {
  return { max_tokens: b.maxTokens, tokens_per_fill: b.tokensPerFill, fill_interval: protoDuration(b.fillInterval) };
}

/**
 * A duration as canonical proto3 JSON (what protojson writes): seconds with 0, 3, 6 or 9 fractional
 * digits and an `s`, e.g. `1s`, `0.500s`, `2.050s` (`500ms` is Go's form, not proto3's).
 */
export function protoDuration(ms: Milliseconds): string {
  const seconds = Math.floor(ms / 1000);
  const frac = ms % 1000;
  return frac === 0 ? `${seconds}s` : `${seconds}.${String(frac).padStart(3, '0')}s`;
}

function fullPercent(runtimeKey: string): Record<string, unknown> {
  return { runtime_key: runtimeKey, default_value: { numerator: 100, denominator: 'HUNDRED' } };
}
