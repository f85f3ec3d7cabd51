import { Duration, Testing } from 'cdk8s';
import {
  CanaryRoute,
  CanaryRouteProps,
  CanaryRule,
  CircuitBreaker,
  ConnectionPool,
  Destination,
  HeaderMatch,
  MeshConfigError,
  OutlierDetection,
  RetryPolicy,
  RoutingApi,
  StringMatch,
} from '../src';
import { meshChart, one, service, synth } from './helpers';

/** GIVEN a mesh with the given routing API and order-service (v1, v2). */
function given(routingApi = RoutingApi.GATEWAY_API) {
  const { chart, mesh, ns } = meshChart({ routingApi });
  const order = service(chart, ns, 'order-service', { versions: [{ name: 'v1' }, { name: 'v2' }] });
  return { chart, mesh, ns, order };
}

/** WHEN a CanaryRoute with these props is added; THEN the synthesized objects. */
function route(props: Omit<CanaryRouteProps, 'service'>, routingApi = RoutingApi.GATEWAY_API) {
  const g = given(routingApi);
  new CanaryRoute(g.chart, 'Route', { service: g.order, ...props });
  return { ...g, objects: synth(g.chart) };
}

const canary: CanaryRule = { name: 'canary', match: [{ headers: [HeaderMatch.exact('x-canary', 'true')] }], destination: Destination.version('v2') };
const even: CanaryRule = { name: 'ab-even-users', match: [{ headers: [HeaderMatch.regex('x-user-id', '^[0-9]*[02468]$')] }], destination: Destination.version('v2') };
const split = Destination.split([{ version: 'v1', percent: 90 }, { version: 'v2', percent: 10 }]);
const backend = (name: string, weight?: number) => ({ group: '', kind: 'Service', name, port: 8080, ...(weight === undefined ? {} : { weight }) });

describe('Gateway API: the same intent rendered both ways', () => {
  const props = { timeout: Duration.seconds(10), rules: [canary, even], defaultDestination: split };

  test('RoutingApi.ISTIO renders a VirtualService and no HTTPRoute', () => {
    const { objects } = route(props, RoutingApi.ISTIO);
    expect(objects.filter((o) => o.kind === 'HTTPRoute')).toEqual([]);
    expect(one(objects, 'VirtualService', 'order-service').spec.http).toHaveLength(3);
    expect(one(objects, 'DestinationRule', 'order-service').spec.subsets.map((s: any) => s.name)).toEqual(['v1', 'v2']);
  });

  test('RoutingApi.GATEWAY_API renders one HTTPRoute attached to the Service (GAMMA), no VirtualService and no subsets', () => {
    const { objects, order } = route(props);
    expect(objects.filter((o) => o.kind === 'VirtualService')).toEqual([]);
    expect(objects.filter((o) => o.kind === 'DestinationRule')).toEqual([]);
    const r = one(objects, 'HTTPRoute', 'order-service');
    expect(r.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(r.metadata.namespace).toBe('production');
    expect(r.spec).toEqual({
      parentRefs: [{ group: '', kind: 'Service', name: 'order-service', port: 8080 }],
      rules: [
        { name: 'canary', matches: [{ headers: [{ name: 'x-canary', type: 'Exact', value: 'true' }] }], backendRefs: [backend('order-service-v2', 100)], timeouts: { request: '10s' } },
        { name: 'ab-even-users', matches: [{ headers: [{ name: 'x-user-id', type: 'RegularExpression', value: '^[0-9]*[02468]$' }] }], backendRefs: [backend('order-service-v2', 100)], timeouts: { request: '10s' } },
        { backendRefs: [backend('order-service-v1', 90), backend('order-service-v2', 10)], timeouts: { request: '10s' } },
      ],
    });
    expect(order.traffic.httpRoute).toBeDefined();
    expect((order.node.scope!.node.findChild('Route') as CanaryRoute).httpRoute).toBe(order.traffic.httpRoute);
    expect(order.traffic.virtualService).toBeUndefined();
  });

  test('per-version Services select app + version on the same port, as children of the TracedService', () => {
    const { objects, order } = route(props);
    for (const v of ['v1', 'v2']) {
      const s = one(objects, 'Service', `order-service-${v}`);
      expect(s.metadata).toEqual({ name: `order-service-${v}`, namespace: 'production', labels: { app: 'order-service', version: v } });
      expect(s.spec).toEqual({ selector: { app: 'order-service', version: v }, ports: [{ name: 'http', port: 8080, targetPort: 8080, protocol: 'TCP' }] });
      expect(order.traffic.versionService(v)!.node.scope).toBe(order);
    }
    expect(order.traffic.versionServices).toEqual(['v1', 'v2']);
  });

  test('per-version Services are created only for versions a route names', () => {
    const { objects } = route({ rules: [canary], defaultDestination: Destination.service() });
    expect(objects.filter((o) => o.kind === 'Service').map((o) => o.metadata.name).sort()).toEqual(['order-service', 'order-service-v2']);
  });

  test('Destination.service() with no canary: one backendRef to the Service itself, weight implied', () => {
    const { objects } = route({ timeout: Duration.millis(1500), defaultDestination: Destination.service() });
    expect(one(objects, 'HTTPRoute').spec.rules).toEqual([{ backendRefs: [backend('order-service')], timeouts: { request: '1s500ms' } }]);
    expect(objects.filter((o) => o.kind === 'Service')).toHaveLength(1);
  });

  test('a rule timeout overrides the route timeout; no timeout renders no timeouts', () => {
    const { objects } = route({ rules: [{ ...canary, timeout: Duration.minutes(2) }], defaultDestination: Destination.version('v1') });
    const rules = one(objects, 'HTTPRoute').spec.rules;
    expect(rules[0].timeouts).toEqual({ request: '2m' });
    expect(rules[1].timeouts).toBeUndefined();
  });
});

describe('Gateway API: match translation', () => {
  const rulesOf = (rules: CanaryRule[]) => one(route({ rules, defaultDestination: Destination.version('v1') }).objects, 'HTTPRoute').spec.rules;

  test('header prefix becomes an anchored RE2 regex with the prefix escaped', () => {
    const [r] = rulesOf([{ match: [{ headers: [HeaderMatch.prefix('x-tenant', 'acme.')] }], destination: Destination.version('v2') }]);
    expect(r.matches).toEqual([{ headers: [{ name: 'x-tenant', type: 'RegularExpression', value: '^acme\\..*$' }] }]);
  });

  test('exact path becomes Exact, exact method becomes method, headers and path in one match', () => {
    const [r] = rulesOf([{ match: [{ uri: StringMatch.exact('/api/orders'), method: StringMatch.exact('POST'), headers: [HeaderMatch.exact('x-canary', 'true')] }], destination: Destination.version('v2') }]);
    expect(r.matches).toEqual([{ headers: [{ name: 'x-canary', type: 'Exact', value: 'true' }], method: 'POST', path: { type: 'Exact', value: '/api/orders' } }]);
  });

  test('an Istio uri prefix is a plain string prefix: an anchored regex, not PathPrefix; the catch-all then matches the regex .*', () => {
    const rules = rulesOf([{ match: [{ uri: StringMatch.prefix('/api/v2') }], destination: Destination.version('v2') }]);
    expect(rules[0].matches).toEqual([{ path: { type: 'RegularExpression', value: '^/api/v2.*$' } }]);
    expect(rules[1].matches).toEqual([{ path: { type: 'RegularExpression', value: '.*' } }]);
  });

  test('a uri regex stays a RegularExpression', () => {
    const rules = rulesOf([{ match: [{ uri: StringMatch.regex('/api/v[12]/.*') }], destination: Destination.version('v2') }]);
    expect(rules[0].matches).toEqual([{ path: { type: 'RegularExpression', value: '/api/v[12]/.*' } }]);
  });

  test('several match blocks stay ORed in one rule', () => {
    const [r] = rulesOf([{ match: [{ headers: [HeaderMatch.exact('x-canary', 'true')] }, { headers: [HeaderMatch.exact('x-beta', '1')] }], destination: Destination.version('v2') }]);
    expect(r.matches).toHaveLength(2);
  });
});

describe('Gateway API: what cannot be expressed is a clear error', () => {
  const build = (props: Omit<CanaryRouteProps, 'service'>) => () => route(props);

  test('route retries: names the construct path and both alternatives', () => {
    const f = build({ retries: RetryPolicy.of({ attempts: 3 }), defaultDestination: split });
    expect(f).toThrow(MeshConfigError);
    expect(f).toThrow(/\[test\/Route\] retries: "attempts 3" is invalid: retries are experimental in Gateway API v1\.5\.1/);
    expect(f).toThrow(/RoutingApi\.ISTIO.*or drop the retries/);
  });

  test('rule retries and RetryPolicy.none() are refused too (no standard field can say "no retries")', () => {
    expect(build({ rules: [{ ...canary, retries: RetryPolicy.of({ attempts: 1 }) }], defaultDestination: split })).toThrow(/rules\[0\]\.retries: .* retries are experimental/);
    expect(build({ retries: RetryPolicy.none(), defaultDestination: split })).toThrow(/retries: "attempts 0" is invalid/);
  });

  test('the same retries with RoutingApi.ISTIO are fine', () => {
    expect(() => route({ retries: RetryPolicy.of({ attempts: 3 }), defaultDestination: split }, RoutingApi.ISTIO)).not.toThrow();
  });

  test('method prefix/regex and methods outside the Gateway API enum', () => {
    expect(build({ rules: [{ match: [{ method: StringMatch.regex('GET|HEAD') }], destination: Destination.version('v2') }], defaultDestination: split }))
      .toThrow(/rules\[0\]\.match\[0\]\.method: "regex: GET\|HEAD" is invalid: Gateway API matches a method exactly.*Hint: split it into one match block per exact method/);
    expect(build({ rules: [{ match: [{ method: StringMatch.prefix('P') }], destination: Destination.version('v2') }], defaultDestination: split })).toThrow(/a prefix method match cannot be expressed/);
    expect(build({ rules: [{ match: [{ method: StringMatch.exact('PURGE') }], destination: Destination.version('v2') }], defaultDestination: split })).toThrow(/"PURGE" is invalid: Gateway API matches only the methods/);
  });

  test('a rule name that is not a lowercase DNS name', () => {
    expect(build({ rules: [{ ...canary, name: 'Canary_1' }], defaultDestination: split })).toThrow(/rules\[0\]\.name: "Canary_1" is invalid: a Gateway API rule name/);
  });

  test('a non-normalized exact path, a prefix with a query', () => {
    expect(build({ rules: [{ match: [{ uri: StringMatch.exact('/a//b') }], destination: Destination.version('v2') }], defaultDestination: split })).toThrow(/Exact path is absolute and normalized/);
    expect(build({ rules: [{ match: [{ uri: StringMatch.prefix('/a?x=') }], destination: Destination.version('v2') }], defaultDestination: split })).toThrow(/query string/);
  });

  test('more than 16 rules', () => {
    const rules = Array.from({ length: 16 }, (_, i) => ({ match: [{ headers: [HeaderMatch.exact('x-n', String(i))] }], destination: Destination.version('v2') }));
    expect(build({ rules: rules.slice(0, 15), defaultDestination: split })).not.toThrow();
    expect(build({ rules, defaultDestination: split })).toThrow(/at most 16 rules/);
  });
});

describe('Gateway API: precedence instead of list order', () => {
  const build = (rules: CanaryRule[]) => () => route({ rules, defaultDestination: Destination.version('v1') });
  const to = (v: string) => Destination.version(v);

  test('more headers rank first: a 1-header rule before an overlapping 2-header rule is refused', () => {
    expect(build([
      { name: 'one', match: [{ headers: [HeaderMatch.exact('x-a', '1')] }], destination: to('v2') },
      { name: 'two', match: [{ headers: [HeaderMatch.exact('x-a', '1'), HeaderMatch.exact('x-b', '1')] }], destination: to('v1') },
    ])).toThrow(/rules\[1\]: "rules\[1\] \(two\)" is invalid: Gateway API does not try rules in list order: a match with more header conditions ranks above one with fewer, so rules\[1\] \(two\) would take requests that rules\[0\] \(one\) matches first/);
  });

  test('the same rules in precedence order are accepted', () => {
    expect(build([
      { name: 'two', match: [{ headers: [HeaderMatch.exact('x-a', '1'), HeaderMatch.exact('x-b', '1')] }], destination: to('v1') },
      { name: 'one', match: [{ headers: [HeaderMatch.exact('x-a', '1')] }], destination: to('v2') },
    ])).not.toThrow();
  });

  test('a later rule that outranks but provably never overlaps is accepted (different exact value of the same header)', () => {
    expect(build([
      { match: [{ headers: [HeaderMatch.exact('x-a', '1')] }], destination: to('v2') },
      { match: [{ headers: [HeaderMatch.exact('x-a', '2'), HeaderMatch.exact('x-b', '1')] }], destination: to('v1') },
    ])).not.toThrow();
    expect(build([
      { match: [{ headers: [HeaderMatch.regex('x-a', '[0-9]+')] }], destination: to('v2') },
      { match: [{ headers: [HeaderMatch.exact('x-a', 'abc'), HeaderMatch.exact('x-b', '1')] }], destination: to('v1') },
    ])).not.toThrow();
  });

  test('a later rule that outranks with the same outcome is accepted', () => {
    expect(build([
      { match: [{ headers: [HeaderMatch.exact('x-a', '1')] }], destination: to('v2') },
      { match: [{ headers: [HeaderMatch.exact('x-a', '1'), HeaderMatch.exact('x-b', '1')] }], destination: to('v2') },
    ])).not.toThrow();
  });

  test('a method match ranks above a header match; an exact path above everything', () => {
    expect(build([
      { match: [{ headers: [HeaderMatch.exact('x-a', '1')] }], destination: to('v2') },
      { match: [{ method: StringMatch.exact('GET') }], destination: to('v1') },
    ])).toThrow(/a match with a method ranks above a match without one/);
    expect(build([
      { match: [{ headers: [HeaderMatch.exact('x-a', '1')] }], destination: to('v2') },
      { match: [{ uri: StringMatch.exact('/health') }], destination: to('v1') },
    ])).toThrow(/an Exact path match ranks above a PathPrefix one/);
  });

  test('a translated uri prefix ranks below any header-only rule listed after it (Istio ranks RegularExpression paths last)', () => {
    expect(build([
      { match: [{ uri: StringMatch.prefix('/api') }], destination: to('v2') },
      { match: [{ headers: [HeaderMatch.exact('x-a', '1')] }], destination: to('v1') },
    ])).toThrow(/a PathPrefix path match ranks above a RegularExpression one/);
  });

  test('a longer regex path ranks above a shorter one listed before it', () => {
    expect(build([
      { match: [{ uri: StringMatch.prefix('/a') }], destination: to('v2') },
      { match: [{ uri: StringMatch.prefix('/a/b') }], destination: to('v1') },
    ])).toThrow(/a longer path match ranks above a shorter one/);
  });

  test('the reference order (canary, even users, default) is its own precedence order', () => {
    expect(() => route({ rules: [canary, even], defaultDestination: split })).not.toThrow();
  });
});

describe('Gateway API: CircuitBreaker policies', () => {
  test('host policy: carried by the per-version DestinationRules (the Service host\'s one is unused and not rendered); per-version policy: DestinationRules for per-version hosts', () => {
    const g = given();
    new CanaryRoute(g.chart, 'Route', { service: g.order, rules: [canary], defaultDestination: split });
    new CircuitBreaker(g.chart, 'Pool', { service: g.order, connectionPool: ConnectionPool.of({ tcp: { maxConnections: 100 }, http: { http2MaxRequests: 100 } }) });
    new CircuitBreaker(g.chart, 'V1', { service: g.order, version: 'v1', connectionPool: ConnectionPool.of({ http: { http1MaxPendingRequests: 50 } }) });
    const objects = synth(g.chart);
    // every rule sends to a per-version Service and the Service has one HTTP port: no request uses the
    // Service host's cluster (render/gateway-api.ts serviceHostRuleUnused; test/gateway-api-host-rule.test.ts)
    expect(objects.filter((o) => o.kind === 'DestinationRule' && o.metadata.name === 'order-service')).toEqual([]);
    expect(one(objects, 'DestinationRule', 'order-service-v1').spec).toEqual({
      host: 'order-service-v1',
      trafficPolicy: { connectionPool: { tcp: { maxConnections: 100 }, http: { http1MaxPendingRequests: 50, http2MaxRequests: 100 } } },
    });
    // v2 inherits the host policy, as subset v2 does with a VirtualService.
    expect(one(objects, 'DestinationRule', 'order-service-v2').spec.trafficPolicy).toEqual({ connectionPool: { tcp: { maxConnections: 100 }, http: { http2MaxRequests: 100 } } });
    expect(objects.filter((o) => o.kind === 'DestinationRule').every((o) => o.spec.subsets === undefined)).toBe(true);
  });

  test('outlier detection alone: one DestinationRule, no HTTPRoute, no per-version Service', () => {
    const g = given();
    new CircuitBreaker(g.chart, 'Od', { service: g.order, outlierDetection: OutlierDetection.of({ consecutive5xxErrors: 3 }) });
    const objects = synth(g.chart);
    expect(one(objects, 'DestinationRule', 'order-service').spec).toEqual({ host: 'order-service', trafficPolicy: { outlierDetection: { consecutive5xxErrors: 3 } } });
    expect(objects.filter((o) => o.kind === 'HTTPRoute' || o.metadata.name === 'order-service-v1' && o.kind === 'Service')).toEqual([]);
  });

  test('a per-version Service that takes the name of another service fails at synth', () => {
    const g = given();
    service(g.chart, g.ns, 'order-service-v2');
    new CanaryRoute(g.chart, 'Route', { service: g.order, rules: [canary], defaultDestination: split });
    expect(() => Testing.synth(g.chart)).toThrow(/the per-version Service production\/order-service-v2 clashes with a Service of test\/order-service-v2/);
  });
});
