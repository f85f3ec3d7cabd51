import { LocalRateLimitIntent, ServiceIntent, sourceOwner, TokenBucketIntent } from '../model';
import { istioDuration } from './format';
import { lazyManifest, RenderedObject } from './types';

/**
 * Renders a local rate limit as an Istio `EnvoyFilter` (networking.istio.io/v1alpha3, the only
 * version EnvoyFilter has) on the inbound sidecar of the host's pods, owned by the construct that
 * wrote it (child id `Resource`). A pure function of its input.
 */

/** The Envoy HTTP filter name. */
export const LOCAL_RATELIMIT_FILTER = 'envoy.filters.http.local_ratelimit';
/** The type URL of the filter's config. */
export const LOCAL_RATELIMIT_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit';
/** The descriptor entry key `header_value_match` actions emit when no key is given. */
export const DESCRIPTOR_KEY = 'header_match';

/** The EnvoyFilter of one local rate limit of a host. */
export function renderLocalRateLimit(svc: ServiceIntent, limit: LocalRateLimitIntent): RenderedObject {
  return {
    owner: sourceOwner(limit.source),
    id: 'Resource',
    manifest: lazyManifest('networking.istio.io/v1alpha3', 'EnvoyFilter', { name: limit.name, namespace: svc.namespace, labels: { ...svc.selector } },
      () => renderLocalRateLimitSpec(svc.selector, svc.ports[0].targetPort, limit)),
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
  ];
  if (i.descriptors.length > 0) {
    // Descriptor entries come from rate limit actions on the route; each action only yields its
    // entry when the request matches, so unmatched requests fall back to the default bucket.
    patches.push({
      applyTo: 'HTTP_ROUTE',
      match: {
        context: 'SIDECAR_INBOUND',
        routeConfiguration: {
          vhost: { name: `inbound|http|${port}`, route: { action: 'ANY' } },
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
    workloadSelector: { labels: { ...selector } },
    configPatches: patches,
  };
}

function renderBucket(b: TokenBucketIntent): Record<string, unknown> {
  return { max_tokens: b.maxTokens, tokens_per_fill: b.tokensPerFill, fill_interval: istioDuration(b.fillInterval) };
}

function fullPercent(runtimeKey: string): Record<string, unknown> {
  return { runtime_key: runtimeKey, default_value: { numerator: 100, denominator: 'HUNDRED' } };
}
