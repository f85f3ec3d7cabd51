import { Duration } from 'cdk8s';
import { DataPlaneMode, HttpMethod, LocalRateLimit, LocalRateLimitProps, RateLimitDescriptor, TokenBucket } from '../src';
import { alternatives, protoDuration } from '../src/render/envoy-local-rate-limit';
import { validateManifests } from '../src/validation';
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
    // AND a limited response carries this header only: Envoy's local filter adds response_headers_to_add to
    // its local reply and nothing else (source/extensions/filters/http/local_ratelimit/local_ratelimit.cc,
    // Filter::decodeHeaders); x-envoy-ratelimited comes from the global ratelimit filter only
    expect(JSON.stringify(ef)).not.toMatch(/x-envoy-ratelimited/);
  });

  test('custom response header, stat prefix and name', () => {
    const { chart } = limit({ responseHeader: { name: 'x-throttled', value: 'payment' }, statPrefix: 'payments_rl', name: 'payments-limit' });
    const ef = filterOf(chart);
    expect(ef.metadata.name).toBe('payments-limit');
    const cfg = ef.spec.configPatches[0].patch.value.typed_config;
    expect(cfg.stat_prefix).toBe('payments_rl');
    expect(cfg.response_headers_to_add).toEqual([{ append_action: 'OVERWRITE_IF_EXISTS_OR_ADD', header: { key: 'x-throttled', value: 'payment' } }]);
  });

  test('descriptors: own buckets and their request classes in the filter itself, no route patch', () => {
    // GIVEN a path class (2s fill) and a header class (1s fill)
    const { chart } = limit({
      descriptors: [
        RateLimitDescriptor.pathPrefix('/api/payments', TokenBucket.of({ maxTokens: 20, tokensPerFill: 20, fillInterval: Duration.seconds(2) })),
        RateLimitDescriptor.header('X-Plan', 'free', TokenBucket.of({ maxTokens: 5, fillInterval: Duration.seconds(1) })),
      ],
    });
    // WHEN synthesized
    const ef = filterOf(chart);
    // THEN one patch: the request classes are the filter's own rate_limits (Envoy's LocalRateLimit.rate_limits,
    // field 17, in go-control-plane envoy/extensions/filters/http/local_ratelimit/v3 as istiod 1.30.3 links
    // it); the route-level rate_limits wiring Envoy deprecates for this filter is gone
    expect(ef.spec.configPatches).toHaveLength(1);
    const cfg = ef.spec.configPatches[0].patch.value.typed_config;
    const path = (m: any) => [{ name: ':path', string_match: m }];
    const plan = [{ name: 'x-plan', string_match: { exact: 'free' } }];
    // AND a request pays the first class it is in only: the header class excludes the path class, whose
    // three alternatives (exact, "/…", "?…") each must not match (Envoy charges every matching descriptor:
    // source/extensions/filters/common/local_ratelimit/local_ratelimit_impl.cc, requestAllowed)
    expect(cfg.descriptors).toEqual([
      { entries: [{ key: 'header_match', value: 'path-prefix:/api/payments' }], token_bucket: { max_tokens: 20, tokens_per_fill: 20, fill_interval: '2s' } },
      {
        entries: [
          { key: 'header_match', value: 'header:x-plan=free' },
          { key: 'not_matched', value: 'path-prefix:/api/payments' },
          { key: 'not_matched', value: 'path-prefix:/api/payments' },
          { key: 'not_matched', value: 'path-prefix:/api/payments' },
        ],
        token_bucket: { max_tokens: 5, tokens_per_fill: 1, fill_interval: '1s' },
      },
    ]);
    expect(cfg.always_consume_default_token_bucket).toBe(false);
    const own = (value: string, headers: any) => ({ header_value_match: { descriptor_key: 'header_match', descriptor_value: value, expect_match: true, headers } });
    const not = (value: string, headers: any) => ({ header_value_match: { descriptor_key: 'not_matched', descriptor_value: value, expect_match: false, headers } });
    const p = 'path-prefix:/api/payments';
    expect(cfg.rate_limits).toEqual([
      { actions: [own(p, path({ exact: '/api/payments' }))] },
      { actions: [own(p, path({ prefix: '/api/payments/' }))] },
      { actions: [own(p, path({ prefix: '/api/payments?' }))] },
      { actions: [own('header:x-plan=free', plan), not(p, path({ exact: '/api/payments' })), not(p, path({ prefix: '/api/payments/' })), not(p, path({ prefix: '/api/payments?' }))] },
    ]);
  });

  test('a path prefix matches whole segments; one ending in "/" is a plain prefix', () => {
    // GIVEN '/api/payments' (Istio's own prefix would match '/api/paymentsXYZ') and '/static/'
    const { chart } = limit({ descriptors: [RateLimitDescriptor.pathPrefix('/static/', PER_SECOND_100)] });
    // WHEN rendered THEN '/static/' is one prefix alternative
    expect(filterOf(chart).spec.configPatches[0].patch.value.typed_config.rate_limits).toEqual([
      { actions: [{ header_value_match: { descriptor_key: 'header_match', descriptor_value: 'path-prefix:/static/', expect_match: true, headers: [{ name: ':path', string_match: { prefix: '/static/' } }] } }] },
    ]);
    // AND '/api/payments' is exactly it, or below it, or it with a query: never '/api/paymentsXYZ'
    const alts = alternatives({ header: ':path', matchKind: 'path-prefix', matchValue: '/api/payments', key: 'k', bucket: { maxTokens: 1, tokensPerFill: 1, fillInterval: 1000 } });
    const matches = (path: string) => alts.some((hs) => hs.every((h: any) => (h.string_match.exact !== undefined ? path === h.string_match.exact : path.startsWith(h.string_match.prefix))));
    expect(['/api/payments', '/api/payments/42', '/api/payments?x=1'].map(matches)).toEqual([true, true, true]);
    expect(['/api/paymentsXYZ', '/api/payment', '/api'].map(matches)).toEqual([false, false, false]);
  });

  test('a class limited to one method matches :method exactly in every alternative', () => {
    // GIVEN POST on /api/payments and a header class on GET
    const { chart } = limit({
      descriptors: [
        RateLimitDescriptor.pathPrefix('/api/payments', PER_SECOND_100, { method: HttpMethod.POST }),
        RateLimitDescriptor.header('x-plan', 'free', PER_SECOND_100, { method: HttpMethod.GET }),
      ],
    });
    // WHEN rendered
    const cfg = filterOf(chart).spec.configPatches[0].patch.value.typed_config;
    // THEN every alternative of the POST class also needs :method POST, and the key names the method
    const post = { name: ':method', string_match: { exact: 'POST' } };
    expect(cfg.rate_limits.slice(0, 3).map((r: any) => r.actions[0].header_value_match)).toEqual([
      { descriptor_key: 'header_match', descriptor_value: 'POST path-prefix:/api/payments', expect_match: true, headers: [{ name: ':path', string_match: { exact: '/api/payments' } }, post] },
      { descriptor_key: 'header_match', descriptor_value: 'POST path-prefix:/api/payments', expect_match: true, headers: [{ name: ':path', string_match: { prefix: '/api/payments/' } }, post] },
      { descriptor_key: 'header_match', descriptor_value: 'POST path-prefix:/api/payments', expect_match: true, headers: [{ name: ':path', string_match: { prefix: '/api/payments?' } }, post] },
    ]);
    expect(cfg.rate_limits[3].actions[0].header_value_match.headers).toEqual([{ name: 'x-plan', string_match: { exact: 'free' } }, { name: ':method', string_match: { exact: 'GET' } }]);
    // AND the same path with another method is another class
    expect(() => limit({ descriptors: [
      RateLimitDescriptor.pathPrefix('/a', PER_SECOND_100, { method: HttpMethod.POST }),
      RateLimitDescriptor.pathPrefix('/a', PER_SECOND_100, { method: HttpMethod.GET }),
    ] })).not.toThrow();
    expect(() => RateLimitDescriptor.pathPrefix('/a', PER_SECOND_100, { method: 'POST' as any })).toThrow(/RateLimitDescriptor.pathPrefix\] options.method: "POST" is invalid: must be an HttpMethod/);
  });

  test('without descriptors there is no descriptor config', () => {
    const cfg = filterOf(limit().chart).spec.configPatches[0].patch.value.typed_config;
    expect(cfg.descriptors).toBeUndefined();
    expect(cfg.rate_limits).toBeUndefined();
    expect(cfg.always_consume_default_token_bucket).toBeUndefined();
  });

  test('the EnvoyFilter has a priority, so Istio does not report IST0151', () => {
    // GIVEN the filter's relative INSERT_BEFORE patch (Istio's analyzer wants a priority with any relative
    // operation: pkg/config/analysis/analyzers/envoyfilter/envoyfilter.go, relativeOperationMsg)
    const { chart } = limit({ descriptors: [RateLimitDescriptor.pathPrefix('/api', PER_SECOND_100)] });
    const ef = filterOf(chart);
    // THEN it is applied after the EnvoyFilters at the default priority 0
    expect(ef.spec.priority).toBe(10);
    // AND our port of that analyzer and the Envoy API decoding find nothing
    const found = validateManifests(synth(chart).map((manifest) => ({ manifest }))).map((f) => f.code);
    expect(found).not.toContain('IST0151');
    expect(found.filter((c) => /^CI295[4-7]$/.test(c))).toEqual([]);
  });

  test('fill intervals are canonical proto3 JSON durations', () => {
    // GIVEN a 500ms default bucket and a 2.05s descriptor bucket
    const { chart } = limit({
      tokenBucket: TokenBucket.of({ maxTokens: 5, fillInterval: Duration.millis(500) }),
      descriptors: [RateLimitDescriptor.header('x-a', 'b', TokenBucket.of({ maxTokens: 5, fillInterval: Duration.millis(60500) }))],
    });
    const cfg = filterOf(chart).spec.configPatches[0].patch.value.typed_config;
    // THEN seconds with 3 fractional digits (protojson's form), not Go's "500ms"
    expect(cfg.token_bucket.fill_interval).toBe('0.500s');
    expect(cfg.descriptors[0].token_bucket.fill_interval).toBe('60.500s');
    expect(protoDuration(1000)).toBe('1s');
    expect(protoDuration(50)).toBe('0.050s');
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

  test('a port Istio does not treat as HTTP is refused: the inbound listener has no HTTP filter chain there', () => {
    // GIVEN services whose port name makes Istio treat the port as TCP, TLS or a database protocol
    // (pilot/pkg/networking/core/listener_inbound.go, inboundChainForOpts: only the HTTP chain has the
    // http_connection_manager the patch matches)
    for (const portName of ['tcp', 'tcp-db', 'tls', 'https', 'mongo', 'redis', 'mysql']) {
      const { chart, ns } = meshChart();
      const svc = service(chart, ns, 'db', { portName });
      // THEN the limit is refused, naming the port's protocol
      expect(() => new LocalRateLimit(chart, 'RateLimit', { service: svc, tokenBucket: PER_SECOND_100 }))
        .toThrow(new RegExp(`props.service: "db" is invalid: port ${portName} is .* to Istio, and the local rate limit is an HTTP filter`));
    }
    // AND HTTP, gRPC and sniffed ports (Istio builds an HTTP chain for detected HTTP) are accepted
    for (const portName of ['http', 'http-web', 'http2', 'grpc', 'grpc-web', 'web']) {
      const { chart, ns } = meshChart();
      const svc = service(chart, ns, 'api', { portName });
      expect(() => new LocalRateLimit(chart, 'RateLimit', { service: svc, tokenBucket: PER_SECOND_100 })).not.toThrow();
    }
  });

  test('a path prefix holds no query, fragment or whitespace', () => {
    for (const bad of ['/a?b', '/a#b', '/a b', '/a\tb']) {
      expect(() => RateLimitDescriptor.pathPrefix(bad, PER_SECOND_100)).toThrow(/prefix: .* is invalid: a path prefix holds no query/);
    }
  });

  test('ambient workloads have no sidecar to filter', () => {
    expect(() => limit({}, { dataPlane: DataPlaneMode.AMBIENT })).toThrow(/props.service: "payment-service" is invalid: .*ambient workloads have no sidecar/);
  });
});
