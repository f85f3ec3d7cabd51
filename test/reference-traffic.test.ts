import { Testing } from 'cdk8s';
import { RE2JS } from 're2js';
import { buildReferenceApp } from '../examples/reference-app';
import { collectFindings } from '../src/warnings';
import { one, synth } from './helpers';

// GIVEN the reference app
const chart = Testing.chart();
const app = buildReferenceApp(chart);
const objects = synth(chart);

const RETRIES_ORDER = { attempts: 3, perTryTimeout: '3s', retryOn: '5xx,reset,connect-failure,refused-stream' };

describe('reference app: traffic (reference-app.md "Traffic")', () => {
  test('exactly one VirtualService and one DestinationRule per host', () => {
    for (const kind of ['VirtualService', 'DestinationRule']) {
      expect(objects.filter((o) => o.kind === kind).map((o) => o.metadata.name).sort()).toEqual(['order-service', 'payment-service']);
    }
    expect(app.order.traffic.virtualService).toBeDefined();
    expect(app.payment.traffic.destinationRule).toBeDefined();
  });

  test('order-service VirtualService: canary header, even user ids, then 90/10, each with 10s and 3x3s retries', () => {
    const vs = one(objects, 'VirtualService', 'order-service');
    expect(vs.apiVersion).toBe('networking.istio.io/v1');
    expect(vs.metadata.namespace).toBe('production');
    expect(vs.spec).toEqual({
      hosts: ['order-service'],
      http: [
        {
          name: 'canary',
          match: [{ headers: { 'x-canary': { exact: 'true' } } }],
          route: [{ destination: { host: 'order-service', subset: 'v2' }, weight: 100 }],
          timeout: '10s',
          retries: RETRIES_ORDER,
        },
        {
          name: 'ab-even-users',
          match: [{ headers: { 'x-user-id': { regex: '^[0-9]*[02468]$' } } }],
          route: [{ destination: { host: 'order-service', subset: 'v2' }, weight: 100 }],
          timeout: '10s',
          retries: RETRIES_ORDER,
        },
        {
          route: [
            { destination: { host: 'order-service', subset: 'v1' }, weight: 90 },
            { destination: { host: 'order-service', subset: 'v2' }, weight: 10 },
          ],
          timeout: '10s',
          retries: RETRIES_ORDER,
        },
      ],
    });
  });

  test('order-service DestinationRule: host pool, v1 overrides http1MaxPendingRequests to 50, v2 plain', () => {
    const dr = one(objects, 'DestinationRule', 'order-service');
    expect(dr.apiVersion).toBe('networking.istio.io/v1');
    const hostPool = {
      tcp: { maxConnections: 100 },
      http: { http1MaxPendingRequests: 100, http2MaxRequests: 100, h2UpgradePolicy: 'DEFAULT' },
    };
    expect(dr.spec).toEqual({
      host: 'order-service',
      trafficPolicy: { connectionPool: hostPool },
      subsets: [
        {
          name: 'v1',
          labels: { version: 'v1' },
          // Istio replaces a subset's connectionPool as a whole: the other host values are carried over.
          trafficPolicy: { connectionPool: { tcp: { maxConnections: 100 }, http: { ...hostPool.http, http1MaxPendingRequests: 50 } } },
        },
        { name: 'v2', labels: { version: 'v2' } },
      ],
    });
  });

  test('every subset selects the pods of a real Deployment', () => {
    const dr = one(objects, 'DestinationRule', 'order-service');
    for (const s of dr.spec.subsets) {
      const pods = objects.filter((o) => o.kind === 'Deployment' && o.metadata.namespace === 'production'
        && o.spec.template.metadata.labels.app === 'order-service'
        && Object.entries(s.labels).every(([k, v]) => o.spec.template.metadata.labels[k] === v));
      expect(pods.map((d) => d.metadata.name)).toEqual([`order-service-${s.name}`]);
    }
  });

  test('payment-service DestinationRule: connection pool and outlier detection, no subsets', () => {
    const dr = one(objects, 'DestinationRule', 'payment-service');
    expect(dr.spec).toEqual({
      host: 'payment-service',
      trafficPolicy: {
        connectionPool: {
          tcp: { maxConnections: 50, connectTimeout: '5s' },
          http: { http1MaxPendingRequests: 30, http2MaxRequests: 50, h2UpgradePolicy: 'DEFAULT' },
        },
        outlierDetection: { consecutive5xxErrors: 3, interval: '30s', baseEjectionTime: '60s', maxEjectionPercent: 50, minHealthPercent: 25 },
      },
    });
  });

  test('payment-service VirtualService: 5s timeout, 2x2s retries on 5xx,reset, whole host', () => {
    const vs = one(objects, 'VirtualService', 'payment-service');
    expect(vs.spec).toEqual({
      hosts: ['payment-service'],
      http: [{ route: [{ destination: { host: 'payment-service' } }], timeout: '5s', retries: { attempts: 2, perTryTimeout: '2s', retryOn: '5xx,reset' } }],
    });
  });

  test('payment-service has a per-pod local rate limit on its inbound sidecar', () => {
    const ef = one(objects, 'EnvoyFilter', 'payment-service-local-ratelimit');
    expect(ef.metadata.namespace).toBe('production');
    expect(ef.spec.workloadSelector).toEqual({ labels: { app: 'payment-service' } });
    const cfg = ef.spec.configPatches[0].patch.value.typed_config;
    expect(cfg.token_bucket).toEqual({ max_tokens: 100, tokens_per_fill: 50, fill_interval: '1s' });
    // payment creation: POST on /api/payments and below (whole segments), with a bucket of its own
    expect(cfg.descriptors).toEqual([
      { entries: [{ key: 'header_match', value: 'POST path-prefix:/api/payments' }], token_bucket: { max_tokens: 20, tokens_per_fill: 20, fill_interval: '1s' } },
    ]);
    const post = { name: ':method', string_match: { exact: 'POST' } };
    expect(cfg.rate_limits.map((r: any) => r.actions[0].header_value_match.headers)).toEqual([
      [{ name: ':path', string_match: { exact: '/api/payments' } }, post],
      [{ name: ':path', string_match: { prefix: '/api/payments/' } }, post],
      [{ name: ':path', string_match: { prefix: '/api/payments?' } }, post],
    ]);
    expect(ef.spec.priority).toBe(10);
  });

  test('attempts are retries, passed through unchanged: istiod sets Envoy num_retries = attempts (pilot/pkg/networking/core/route/retry/retry.go), so 3 is up to 4 tries', () => {
    // GIVEN RetryPolicy.of({ attempts: 3 }) for order-service and { attempts: 2 } for payment-service
    const order = one(objects, 'VirtualService', 'order-service').spec.http;
    const payment = one(objects, 'VirtualService', 'payment-service').spec.http;
    // THEN no try-count conversion happens on the way (docs/traffic.md states the tries)
    expect(order.map((r: any) => r.retries.attempts)).toEqual([3, 3, 3]);
    expect(payment.map((r: any) => r.retries.attempts)).toEqual([2]);
  });

  test('retries fit into the timeouts: no retry-budget warning', () => {
    expect(collectFindings(chart).filter((f) => f.code === 'CI2001')).toEqual([]);
  });
});

/**
 * A minimal evaluation of the rendered VirtualService under istio-rules.md §4 (first matching rule
 * wins; header regexes are RE2 full matches; a missing header matches nothing), to check the
 * behaviour the issue names rather than only the YAML.
 */
function routeOf(spec: any, headers: Record<string, string>): any[] {
  const matches = (cond: any, value: string | undefined): boolean => {
    if (value === undefined) return false;
    if ('exact' in cond) return value === cond.exact;
    if ('prefix' in cond) return value.startsWith(cond.prefix);
    return RE2JS.compile(cond.regex).matches(value);
  };
  for (const rule of spec.http) {
    const blocks: any[] = rule.match ?? [{}];
    if (blocks.some((b) => Object.entries(b.headers ?? {}).every(([name, cond]) => matches(cond, headers[name])))) {
      return rule.route.map((r: any) => [r.destination.subset, r.weight]);
    }
  }
  return [];
}

describe('reference app: order-service routing behaviour', () => {
  const spec = one(objects, 'VirtualService', 'order-service').spec;
  const SPLIT = [['v1', 90], ['v2', 10]];
  const V2 = [['v2', 100]];

  test.each([
    [{ 'x-canary': 'true' }, V2],
    [{ 'x-canary': 'TRUE' }, SPLIT], // header values are case-sensitive
    [{ 'x-canary': 'true ' }, SPLIT],
    [{ 'x-user-id': '24' }, V2],
    [{ 'x-user-id': '0' }, V2],
    [{ 'x-user-id': '7' }, SPLIT],
    [{ 'x-user-id': '' }, SPLIT], // an empty id is odd: the regex needs a final even digit
    [{ 'x-user-id': '12a' }, SPLIT],
    [{}, SPLIT], // a missing header falls through to the split
    [{ 'x-canary': 'false', 'x-user-id': '8' }, V2],
  ])('%j → %j', (headers, expected) => {
    expect(routeOf(spec, headers)).toEqual(expected);
  });
});
