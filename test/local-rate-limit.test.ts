import { Duration } from 'cdk8s';
import { DataPlaneMode, LocalRateLimit, LocalRateLimitProps, RateLimitDescriptor, TokenBucket } from '../src';
import { meshChart, one, service, synth } from './helpers';

const PER_SECOND_100 = TokenBucket.of({ maxTokens: 100, tokensPerFill: 100, fillInterval: Duration.seconds(1) });

function limit(props: Partial<LocalRateLimitProps> = {}, meshProps = {}) {
  const { chart, ns } = meshChart(meshProps);
  const payment = service(chart, ns, 'payment-service');
  const rl = new LocalRateLimit(chart, 'RateLimit', { service: payment, tokenBucket: PER_SECOND_100, ...props });
  return { chart, payment, rl };
}

function filterOf(chart: any) {
  return one(synth(chart), 'EnvoyFilter');
}

describe('LocalRateLimit: the EnvoyFilter', () => {
  test('inserts local_ratelimit before the router on the inbound sidecar of the service pods', () => {
    const { chart } = limit();
    const ef = filterOf(chart);
    expect(ef.apiVersion).toBe('networking.istio.io/v1alpha3');
    expect(ef.metadata).toEqual({ name: 'payment-service-local-ratelimit', namespace: 'production', labels: { app: 'payment-service' } });
    expect(ef.spec.workloadSelector).toEqual({ labels: { app: 'payment-service' } });
    expect(ef.spec.configPatches).toHaveLength(1);
    const [p] = ef.spec.configPatches;
    expect(p.applyTo).toBe('HTTP_FILTER');
    expect(p.match).toEqual({
      context: 'SIDECAR_INBOUND',
      listener: {
        portNumber: 8080,
        filterChain: { filter: { name: 'envoy.filters.network.http_connection_manager', subFilter: { name: 'envoy.filters.http.router' } } },
      },
    });
    expect(p.patch.operation).toBe('INSERT_BEFORE');
    expect(p.patch.value).toEqual({
      name: 'envoy.filters.http.local_ratelimit',
      typed_config: {
        '@type': 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit',
        'stat_prefix': 'http_local_rate_limiter',
        'status': { code: 'TooManyRequests' },
        'token_bucket': { max_tokens: 100, tokens_per_fill: 100, fill_interval: '1s' },
        'filter_enabled': { runtime_key: 'local_rate_limit_enabled', default_value: { numerator: 100, denominator: 'HUNDRED' } },
        'filter_enforced': { runtime_key: 'local_rate_limit_enforced', default_value: { numerator: 100, denominator: 'HUNDRED' } },
        'response_headers_to_add': [{ append_action: 'OVERWRITE_IF_EXISTS_OR_ADD', header: { key: 'x-local-rate-limit', value: 'true' } }],
      },
    });
  });

  test('custom response header, stat prefix and name', () => {
    const { chart } = limit({ responseHeader: { name: 'x-throttled', value: 'payment' }, statPrefix: 'payments_rl', name: 'payments-limit' });
    const ef = filterOf(chart);
    expect(ef.metadata.name).toBe('payments-limit');
    const cfg = ef.spec.configPatches[0].patch.value.typed_config;
    expect(cfg.stat_prefix).toBe('payments_rl');
    expect(cfg.response_headers_to_add).toEqual([{ append_action: 'OVERWRITE_IF_EXISTS_OR_ADD', header: { key: 'x-throttled', value: 'payment' } }]);
  });

  test('descriptors: own buckets in the filter, header_value_match actions on the inbound route', () => {
    const { chart } = limit({
      descriptors: [
        RateLimitDescriptor.pathPrefix('/api/payments', TokenBucket.of({ maxTokens: 20, tokensPerFill: 20, fillInterval: Duration.seconds(2) })),
        RateLimitDescriptor.header('X-Plan', 'free', TokenBucket.of({ maxTokens: 5, fillInterval: Duration.seconds(1) })),
      ],
    });
    const [filter, route] = filterOf(chart).spec.configPatches;
    const cfg = filter.patch.value.typed_config;
    expect(cfg.descriptors).toEqual([
      { entries: [{ key: 'header_match', value: 'path-prefix:/api/payments' }], token_bucket: { max_tokens: 20, tokens_per_fill: 20, fill_interval: '2s' } },
      { entries: [{ key: 'header_match', value: 'header:x-plan=free' }], token_bucket: { max_tokens: 5, tokens_per_fill: 1, fill_interval: '1s' } },
    ]);
    expect(cfg.always_consume_default_token_bucket).toBe(false);
    expect(route).toEqual({
      applyTo: 'HTTP_ROUTE',
      match: { context: 'SIDECAR_INBOUND', routeConfiguration: { vhost: { name: 'inbound|http|8080', route: { action: 'ANY' } } } },
      patch: {
        operation: 'MERGE',
        value: {
          route: {
            rate_limits: [
              { actions: [{ header_value_match: { descriptor_value: 'path-prefix:/api/payments', expect_match: true, headers: [{ name: ':path', string_match: { prefix: '/api/payments' } }] } }] },
              { actions: [{ header_value_match: { descriptor_value: 'header:x-plan=free', expect_match: true, headers: [{ name: 'x-plan', string_match: { exact: 'free' } }] } }] },
            ],
          },
        },
      },
    });
  });

  test('without descriptors there is no descriptor config and no route patch', () => {
    const cfg = filterOf(limit().chart).spec.configPatches[0].patch.value.typed_config;
    expect(cfg.descriptors).toBeUndefined();
    expect(cfg.always_consume_default_token_bucket).toBeUndefined();
  });
});

describe('LocalRateLimit: bad input', () => {
  test('maxTokens and tokensPerFill: 1..4294967295; tokensPerFill defaults to 1', () => {
    for (const f of ['maxTokens', 'tokensPerFill'] as const) {
      const of = (v: number) => TokenBucket.of({ maxTokens: 10, fillInterval: Duration.seconds(1), [f]: v });
      expect(of(1)[f]).toBe(1);
      expect(of(4294967295)[f]).toBe(4294967295);
      expect(() => of(0)).toThrow(new RegExp(`TokenBucket.of\\] ${f}: 0 is invalid: must be an integer in 1..4294967295`));
      expect(() => of(4294967296)).toThrow(/1..4294967295/);
    }
    expect(TokenBucket.of({ maxTokens: 10, fillInterval: Duration.seconds(1) }).tokensPerFill).toBe(1);
  });

  test('fillInterval: at least 50ms with ms precision', () => {
    expect(TokenBucket.of({ maxTokens: 1, fillInterval: Duration.millis(50) }).fillInterval.toMilliseconds()).toBe(50);
    expect(() => TokenBucket.of({ maxTokens: 1, fillInterval: Duration.millis(49) })).toThrow(/fillInterval: .* is invalid: .*at least 50ms/);
    expect(() => TokenBucket.of({ maxTokens: 1, fillInterval: Duration.millis(50.5) })).toThrow(/millisecond precision/);
  });

  test("a descriptor's fill interval must be a multiple of the default bucket's", () => {
    const bucket = (ms: number) => TokenBucket.of({ maxTokens: 1, fillInterval: Duration.millis(ms) });
    expect(() => limit({ descriptors: [RateLimitDescriptor.pathPrefix('/a', bucket(1500))] }))
      .toThrow(/\[test\/RateLimit\] props.descriptors\[0\].bucket.fillInterval: .* is invalid: .*multiple of the default bucket's \(1s\)/);
    expect(() => limit({ descriptors: [RateLimitDescriptor.pathPrefix('/a', bucket(3000))] })).not.toThrow();
  });

  test('descriptor arguments and duplicates', () => {
    expect(() => RateLimitDescriptor.pathPrefix('api', PER_SECOND_100)).toThrow(/RateLimitDescriptor.pathPrefix\] prefix: "api" is invalid: a path prefix must start with '\/'/);
    expect(() => RateLimitDescriptor.header('x plan', 'free', PER_SECOND_100)).toThrow(/RFC 7230 token/);
    expect(() => RateLimitDescriptor.header('x-plan', '', PER_SECOND_100)).toThrow(/non-empty/);
    expect(() => RateLimitDescriptor.header('x-plan', 'free', {} as TokenBucket)).toThrow(/must be a TokenBucket/);
    const d = RateLimitDescriptor.pathPrefix('/a', PER_SECOND_100);
    expect(() => limit({ descriptors: [d, RateLimitDescriptor.pathPrefix('/a', PER_SECOND_100)] })).toThrow(/props.descriptors\[1\]: "path-prefix:\/a" is invalid: descriptors must be unique/);
  });

  test('response header, stat prefix and name are checked', () => {
    expect(() => limit({ responseHeader: { name: 'x limited', value: 'true' } })).toThrow(/props.responseHeader.name/);
    expect(() => limit({ responseHeader: { name: 'x-limited', value: '' } })).toThrow(/props.responseHeader.value/);
    expect(() => limit({ statPrefix: '' })).toThrow(/props.statPrefix/);
    expect(() => limit({ name: 'Payment_Limit' })).toThrow(/props.name: "Payment_Limit" is invalid: the EnvoyFilter name must be a DNS-1123 label/);
  });

  test('ambient workloads have no sidecar to filter', () => {
    expect(() => limit({}, { dataPlane: DataPlaneMode.AMBIENT })).toThrow(/props.service: "payment-service" is invalid: .*ambient workloads have no sidecar/);
  });
});
