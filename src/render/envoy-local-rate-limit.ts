import { renderDuration } from '../rules/duration';
import { RateLimitDescriptor, TokenBucket } from '../values/rate-limit';

/**
 * Renders a local rate limit as the `spec` of an Istio `EnvoyFilter` (networking.istio.io/v1alpha3,
 * the only version EnvoyFilter has). A pure function of its input.
 */

/** What the renderer needs. */
export interface LocalRateLimitIntent {
  /** Workload selector labels. */
  readonly selector: { readonly [key: string]: string };
  /** The container (target) port whose inbound traffic is limited. */
  readonly port: number;
  /** The default bucket. */
  readonly bucket: TokenBucket;
  /** Request classes with their own buckets. */
  readonly descriptors: readonly RateLimitDescriptor[];
  /** Envoy stat prefix. */
  readonly statPrefix: string;
  /** Header added to 429 responses. */
  readonly responseHeader: { readonly name: string; readonly value: string };
}

/** The Envoy HTTP filter name. */
export const LOCAL_RATELIMIT_FILTER = 'envoy.filters.http.local_ratelimit';
/** The type URL of the filter's config. */
export const LOCAL_RATELIMIT_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit';
/** The descriptor entry key `header_value_match` actions emit when no key is given. */
export const DESCRIPTOR_KEY = 'header_match';

/** The EnvoyFilter spec. */
export function renderLocalRateLimitSpec(i: LocalRateLimitIntent): Record<string, unknown> {
  const config: Record<string, unknown> = {
    '@type': LOCAL_RATELIMIT_TYPE,
    'stat_prefix': i.statPrefix,
    'status': { code: 'TooManyRequests' },
    'token_bucket': renderBucket(i.bucket),
    'filter_enabled': fullPercent('local_rate_limit_enabled'),
    'filter_enforced': fullPercent('local_rate_limit_enforced'),
    'response_headers_to_add': [
      { append_action: 'OVERWRITE_IF_EXISTS_OR_ADD', header: { key: i.responseHeader.name, value: i.responseHeader.value } },
    ],
  };
  if (i.descriptors.length > 0) {
    config.descriptors = i.descriptors.map((d) => ({
      entries: [{ key: DESCRIPTOR_KEY, value: d.key }],
      token_bucket: renderBucket(d.bucket),
    }));
    // A request in a descriptor's class counts against that bucket only, not also the default one.
    config.always_consume_default_token_bucket = false;
  }
  const patches: Array<Record<string, unknown>> = [
    {
      applyTo: 'HTTP_FILTER',
      match: {
        context: 'SIDECAR_INBOUND',
        listener: {
          portNumber: i.port,
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
  ];
  if (i.descriptors.length > 0) {
    // Descriptor entries come from rate limit actions on the route; each action only yields its
    // entry when the request matches, so unmatched requests fall back to the default bucket.
    patches.push({
      applyTo: 'HTTP_ROUTE',
      match: {
        context: 'SIDECAR_INBOUND',
        routeConfiguration: {
          vhost: { name: `inbound|http|${i.port}`, route: { action: 'ANY' } },
        },
      },
      patch: {
        operation: 'MERGE',
        value: {
          route: {
            rate_limits: i.descriptors.map((d) => ({
              actions: [
                {
                  header_value_match: {
                    descriptor_value: d.key,
                    expect_match: true,
                    headers: [{ name: d.header, string_match: { [d.matchKind]: d.matchValue } }],
                  },
                },
              ],
            })),
          },
        },
      },
    });
  }
  return {
    workloadSelector: { labels: { ...i.selector } },
    configPatches: patches,
  };
}

function renderBucket(b: TokenBucket): Record<string, unknown> {
  return { max_tokens: b.maxTokens, tokens_per_fill: b.tokensPerFill, fill_interval: renderDuration(b.fillInterval) };
}

function fullPercent(runtimeKey: string): Record<string, unknown> {
  return { runtime_key: runtimeKey, default_value: { numerator: 100, denominator: 'HUNDRED' } };
}
