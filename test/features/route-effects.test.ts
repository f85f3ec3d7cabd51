import { Duration } from 'cdk8s';
import {
  CanaryRoute,
  CanaryRouteProps,
  Cors,
  Destination,
  DirectResponse,
  Fault,
  HeaderMatch,
  HeaderMutation,
  HttpMethod,
  MeshSimulator,
  Mirror,
  Redirect,
  Rewrite,
  RoutingApi,
  StringMatch,
} from '../../src';
import { validateManifests } from '../../src/validation';
import { meshChart, one, service, synth } from '../helpers';

/** GIVEN order-service running v1 and v2, routed by `props`. */
function routed(props: Omit<CanaryRouteProps, 'service'>, routingApi?: RoutingApi) {
  const { chart, ns } = meshChart(routingApi ? { routingApi } : {});
  const order = service(chart, ns, 'order-service', { versions: [{ name: 'v1' }, { name: 'v2' }] });
  new CanaryRoute(chart, 'Route', { service: order, ...props });
  return { chart, order };
}

const EVERY_EFFECT: Omit<CanaryRouteProps, 'service'> = {
  rules: [
    {
      name: 'chaos',
      match: [{ headers: [HeaderMatch.exact('x-chaos', 'on')] }],
      destination: Destination.version('v1'),
      fault: Fault.of({ abort: { httpStatus: 503, percent: 5 }, delay: { fixedDelay: Duration.seconds(1), percent: 100 } }),
    },
    { name: 'legacy', match: [{ uri: StringMatch.prefix('/v1/') }], destination: Destination.version('v1'), rewrite: Rewrite.uri('/') },
    { name: 'moved', match: [{ uri: StringMatch.exact('/old') }], redirect: Redirect.to({ uri: '/new', code: 308 }) },
    { name: 'retired', match: [{ uri: StringMatch.prefix('/v0/') }], directResponse: DirectResponse.of({ status: 410, body: 'v0 is retired' }) },
  ],
  defaultDestination: Destination.version('v1'),
  defaultEffects: {
    mirror: Mirror.toVersion('v2', { percent: 10 }),
    cors: Cors.of({ allowOrigins: [StringMatch.exact('https://shop.example.com')], allowMethods: [HttpMethod.GET, HttpMethod.POST], maxAge: Duration.hours(24) }),
    headers: HeaderMutation.of({ request: { set: { 'x-env': 'prod' } }, response: { remove: ['server'] } }),
  },
};

describe('route effects: Istio rendering', () => {
  test('GIVEN a rule of each effect WHEN synthesized THEN the VirtualService carries each as istiod reads it', () => {
    const { chart } = routed(EVERY_EFFECT);
    const objects = synth(chart);
    const http = one(objects, 'VirtualService', 'order-service').spec.http;
    expect(http[0]).toMatchObject({
      name: 'chaos',
      fault: { abort: { httpStatus: 503, percentage: { value: 5 } }, delay: { fixedDelay: '1s', percentage: { value: 100 } } },
      route: [{ destination: { host: 'order-service', subset: 'v1' } }],
    });
    expect(http[1]).toMatchObject({ name: 'legacy', match: [{ uri: { prefix: '/v1/' } }], rewrite: { uri: '/' } });
    expect(http[2]).toEqual({ name: 'moved', match: [{ uri: { exact: '/old' } }], redirect: { uri: '/new', redirectCode: 308 } });
    expect(http[3]).toEqual({ name: 'retired', match: [{ uri: { prefix: '/v0/' } }], directResponse: { status: 410, body: { string: 'v0 is retired' } } });
    expect(http[4]).toMatchObject({
      mirror: { host: 'order-service', subset: 'v2' },
      mirrorPercentage: { value: 10 },
      corsPolicy: { allowOrigins: [{ exact: 'https://shop.example.com' }], allowMethods: ['GET', 'POST'], maxAge: '86400s' },
      headers: { request: { set: { 'x-env': 'prod' } }, response: { remove: ['server'] } },
    });
    // the mirrored version gets its subset, derived like a routed one
    expect(one(objects, 'DestinationRule', 'order-service').spec.subsets.map((s: any) => s.name)).toEqual(['v1', 'v2']);
  });

  test('GIVEN every effect WHEN validated THEN no error and no warning', () => {
    const { chart } = routed(EVERY_EFFECT);
    const findings = validateManifests(synth(chart).map((manifest) => ({ manifest })));
    expect(findings.filter((f) => f.level !== 'info').map((f) => `${f.code} ${f.message}`)).toEqual([]);
  });

  test('GIVEN every effect WHEN the simulator routes THEN its answers report fault, rewrite, redirect, direct response, mirror, headers and CORS', () => {
    const { chart } = routed(EVERY_EFFECT);
    const sim = MeshSimulator.fromManifests(synth(chart));
    const host = 'order-service.production';
    expect(sim.route({ host, headers: { 'x-chaos': 'on' } })).toMatchObject({
      rule: 0,
      fault: { abort: { httpStatus: 503, percent: 5 }, delay: { fixedDelay: '1s', percent: 100 } },
    });
    expect(sim.route({ host, path: '/v1/orders?id=7' })).toMatchObject({ rule: 1, rewrite: { path: '/orders?id=7' } });
    expect(sim.route({ host, path: '/old' })).toMatchObject({ rule: 2, destinations: [], redirect: { uri: '/new', redirectCode: 308 } });
    expect(sim.route({ host, path: '/v0/x' })).toMatchObject({ rule: 3, destinations: [], directResponse: { status: 410 } });
    const dflt = sim.route({ host, path: '/orders' });
    expect(dflt).toMatchObject({
      rule: 4,
      mirrors: [{ host: 'order-service.production.svc.cluster.local', subset: 'v2', percent: 10 }],
      headers: { request: { set: { 'x-env': 'prod' } }, response: { remove: ['server'] } },
      cors: { allowOrigins: [{ exact: 'https://shop.example.com' }] },
    });
    expect(dflt.fault).toBeUndefined();
    expect(dflt.rewrite).toBeUndefined();
  });
});

describe('route effects: refusals where written', () => {
  test.each([
    ['destination and redirect', { destination: Destination.version('v1'), redirect: Redirect.to({ uri: '/x' }) }, /route cannot be combined with redirect/],
    ['fault and redirect', { redirect: Redirect.to({ uri: '/x' }), fault: Fault.abort({ httpStatus: 500, percent: 1 }) }, /fault cannot be combined with redirect/],
    ['rewrite and a direct response', { directResponse: DirectResponse.of({ status: 200 }), rewrite: Rewrite.uri('/') }, /rewrite cannot be combined with directResponse/],
    ['mirror and a direct response', { directResponse: DirectResponse.of({ status: 200 }), mirror: Mirror.toVersion('v2') }, /mirror cannot be combined with directResponse/],
    ['nothing to do', {}, /needs a destination, a redirect or a direct response/],
  ])('GIVEN a rule with %s THEN refused naming the rule', (_what, action, message) => {
    expect(() => routed({ rules: [{ match: [{ uri: StringMatch.prefix('/a') }], ...action } as any], defaultDestination: Destination.version('v1') }))
      .toThrow(new RegExp(`\\[.*Route\\] props\\.rules\\[0\\].*${message.source}`));
  });

  test('GIVEN a mirror to a version the service does not run THEN refused', () => {
    expect(() => routed({ defaultDestination: Destination.version('v1'), defaultEffects: { mirror: Mirror.toVersion('v9') } }))
      .toThrow(/props\.defaultEffects\.mirror.*"v9" is not a version/);
  });

  test('GIVEN a timeout on a redirecting rule THEN refused (it forwards nothing)', () => {
    expect(() => routed({ rules: [{ match: [{ uri: StringMatch.exact('/a') }], redirect: Redirect.to({ uri: '/b' }), timeout: Duration.seconds(1) }], defaultDestination: Destination.version('v1') }))
      .toThrow(/props\.rules\[0\]\.timeout/);
  });

  test('GIVEN a value of the wrong type THEN refused naming the property', () => {
    expect(() => routed({ defaultDestination: Destination.version('v1'), defaultEffects: { fault: { abort: {} } as any } })).toThrow(/props\.defaultEffects\.fault.*must be a Fault/);
  });
});

describe('route effects: Gateway API rendering', () => {
  test('GIVEN headers, mirror, CORS, a redirect and an exact-path rewrite THEN HTTPRoute filters carry them', () => {
    const { chart } = routed({
      rules: [
        { name: 'moved', match: [{ uri: StringMatch.exact('/old') }], redirect: Redirect.to({ uri: '/new', code: 302 }) },
        { name: 'health', match: [{ uri: StringMatch.exact('/healthz') }], destination: Destination.version('v1'), rewrite: Rewrite.uri('/ready') },
      ],
      defaultDestination: Destination.version('v1'),
      defaultEffects: {
        mirror: Mirror.toVersion('v2', { percent: 10 }),
        headers: HeaderMutation.of({ request: { set: { 'x-env': 'prod' } }, response: { remove: ['server'] } }),
        cors: Cors.of({ allowOrigins: [StringMatch.exact('https://shop.example.com')], maxAge: Duration.hours(1) }),
      },
    }, RoutingApi.GATEWAY_API);
    const objects = synth(chart);
    const rules = one(objects, 'HTTPRoute', 'order-service').spec.rules;
    const byName = (n: string) => rules.find((r: any) => r.name === n);
    expect(byName('moved')).toMatchObject({ filters: [{ type: 'RequestRedirect', requestRedirect: { path: { type: 'ReplaceFullPath', replaceFullPath: '/new' }, statusCode: 302 } }] });
    expect(byName('moved').backendRefs).toBeUndefined();
    expect(byName('health')).toMatchObject({ filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplaceFullPath', replaceFullPath: '/ready' } } }] });
    const last = rules[rules.length - 1];
    expect(last.filters).toEqual([
      { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-env', value: 'prod' }] } },
      { type: 'ResponseHeaderModifier', responseHeaderModifier: { remove: ['server'] } },
      { type: 'RequestMirror', requestMirror: { backendRef: { group: '', kind: 'Service', name: 'order-service-v2', port: 8080 }, percent: 10 } },
      { type: 'CORS', cors: { allowOrigins: ['https://shop.example.com'], maxAge: 3600 } },
    ]);
    const sim = MeshSimulator.fromManifests(objects);
    expect(sim.route({ host: 'order-service.production', path: '/healthz?x=1' })).toMatchObject({ rewrite: { path: '/ready?x=1' } });
    // a redirect is answered by the proxy: no destination and no retries, as in the Istio API answer (consumer trial F15)
    const moved = sim.route({ host: 'order-service.production', path: '/old' });
    expect(moved).toMatchObject({ destinations: [], redirect: { statusCode: 302 } });
    expect(moved.retries).toBeUndefined();
    expect(moved.reason).toMatch(/the proxy answers with a redirect \(nothing is forwarded or retried\)/);
    expect(sim.route({ host: 'order-service.production', path: '/x' })).toMatchObject({
      mirrors: [{ host: 'order-service-v2.production.svc.cluster.local', percent: 10 }],
      headers: { request: { set: { 'x-env': 'prod' } } },
    });
    const findings = validateManifests(objects.map((manifest) => ({ manifest })));
    expect(findings.filter((f) => f.level === 'error').map((f) => `${f.code} ${f.message}`)).toEqual([]);
  });

  test.each([
    ['a fault', { fault: Fault.abort({ httpStatus: 503, percent: 5 }) }, /fault.*no fault injection.*RoutingApi\.ISTIO/],
    ['a prefix rewrite', { rewrite: Rewrite.uri('/') }, /rewrite\.uri.*ReplaceFullPath/],
  ])('GIVEN %s THEN the route is refused where written, naming the alternative (no weaker HTTPRoute)', (_what, effects, message) => {
    expect(() => routed({ rules: [{ match: [{ uri: StringMatch.prefix('/v1/') }], destination: Destination.version('v1'), ...effects }], defaultDestination: Destination.version('v1') }, RoutingApi.GATEWAY_API))
      .toThrow(message);
  });

  test('GIVEN a direct response THEN the route is refused where written, naming the alternative', () => {
    expect(() => routed({ rules: [{ match: [{ uri: StringMatch.prefix('/v0/') }], directResponse: DirectResponse.of({ status: 410 }) }], defaultDestination: Destination.version('v1') }, RoutingApi.GATEWAY_API))
      .toThrow(/\[test\/Route\] rules\[0\]\.directResponse.*no direct response filter.*RoutingApi\.ISTIO/);
  });
});
