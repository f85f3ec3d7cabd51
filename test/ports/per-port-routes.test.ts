import { Duration } from 'cdk8s';
import {
  CanaryAnalysis, CanaryRoute, Cors, DataPlaneMode, DelegateRoute, Destination, Fault, HeaderMatch, HeaderMutation, MeshNamespace, MeshSimulator, MeshTesting, MetricCheck, Mirror, Redirect,
  RetryOn, RetryPolicy, Rewrite, RoutingApi, ServicePort, StringMatch,
} from '../../src';
import { selectRenderer } from '../../src/render';
import { meshChart, one, service, synth } from '../helpers';

/** http 8080 (primary), grpc 9090, http-admin 8081. */
const PORTS: ServicePort[] = [
  { name: 'http', port: 8080 },
  { name: 'grpc', port: 9090 },
  { name: 'http-admin', port: 8081 },
];
const versions = [{ name: 'v1' }, { name: 'v2' }];
const canary = { name: 'canary', match: [{ headers: [HeaderMatch.exact('x-canary', 'true')] }], destination: Destination.version('v2') };

/** GIVEN a mesh with the three-port `catalog` service (Istio API unless a routing API is given). */
function given(routingApi?: RoutingApi) {
  const g = meshChart(routingApi ? { routingApi } : {});
  const catalog = service(g.chart, g.ns, 'catalog', { versions, ports: PORTS });
  return { ...g, catalog };
}

describe('Istio API: routes on two ports of one host', () => {
  test('GIVEN a route on the http port and one on the grpc port WHEN synthesized THEN one VirtualService holds both, each match and catch-all carrying its port, each with its own timeout', () => {
    const { chart, catalog } = given();
    new CanaryRoute(chart, 'HttpRoute', { service: catalog, timeout: Duration.seconds(5), rules: [canary], defaultDestination: Destination.version('v1') });
    new CanaryRoute(chart, 'GrpcRoute', { service: catalog, port: 9090, timeout: Duration.seconds(2), defaultDestination: Destination.split([{ version: 'v1', percent: 80 }, { version: 'v2', percent: 20 }]) });
    const objects = synth(chart);
    expect(objects.filter((o) => o.kind === 'VirtualService')).toHaveLength(1);
    expect(one(objects, 'VirtualService', 'catalog').spec).toEqual({
      hosts: ['catalog'],
      http: [
        { name: 'canary', match: [{ headers: { 'x-canary': { exact: 'true' } }, port: 8080 }], route: [{ destination: { host: 'catalog', subset: 'v2', port: { number: 8080 } }, weight: 100 }], timeout: '5s' },
        { match: [{ port: 8080 }], route: [{ destination: { host: 'catalog', subset: 'v1', port: { number: 8080 } }, weight: 100 }], timeout: '5s' },
        {
          match: [{ port: 9090 }],
          route: [{ destination: { host: 'catalog', subset: 'v1', port: { number: 9090 } }, weight: 80 }, { destination: { host: 'catalog', subset: 'v2', port: { number: 9090 } }, weight: 20 }],
          timeout: '2s',
        },
      ],
    });
  });

  test('GIVEN the grpc route written first and a route without port second THEN the second is the primary port\'s route; the model keys both by port', () => {
    const { chart, catalog, mesh } = given();
    new CanaryRoute(chart, 'GrpcRoute', { service: catalog, port: 9090, defaultDestination: Destination.version('v2') });
    new CanaryRoute(chart, 'HttpRoute', { service: catalog, defaultDestination: Destination.version('v1') });
    const host = mesh.model.host(catalog.ref);
    expect(host).toMatchObject({ routePort: 9090, sources: { rules: 'test/GrpcRoute' }, portRoutes: [{ port: 8080, source: 'test/HttpRoute', defaults: {} }] });
    expect(one(synth(chart), 'VirtualService', 'catalog').spec.http.map((r: any) => r.match)).toEqual([[{ port: 9090 }], [{ port: 8080 }]]);
  });

  test('GIVEN two routes WHEN a rule is added and defaults set on the second THEN they go to that port\'s route only', () => {
    const { chart, catalog, mesh } = given();
    new CanaryRoute(chart, 'HttpRoute', { service: catalog, defaultDestination: Destination.version('v1') });
    const grpc = new CanaryRoute(chart, 'GrpcRoute', { service: catalog, port: 9090, defaultDestination: Destination.version('v1') });
    grpc.addRule(canary);
    grpc.setDefaults({ retries: RetryPolicy.of({ attempts: 2, retryOn: [RetryOn.UNAVAILABLE] }) });
    const host = mesh.model.host(catalog.ref);
    expect(host.rules).toHaveLength(1);
    expect(host.defaults).toEqual({});
    expect(host.portRoutes).toMatchObject([{ port: 9090, defaults: { retries: { attempts: 2 } }, defaultsSource: 'test/GrpcRoute' }]);
    expect(host.portRoutes![0].rules.map((r) => r.name)).toEqual(['canary', undefined]);
    // AND the service's traffic handle shows the same
    expect(catalog.traffic.portRoutes.map((r) => r.port)).toEqual([9090]);
    expect(catalog.traffic.rules).toHaveLength(1);
    const http = one(synth(chart), 'VirtualService', 'catalog').spec.http;
    expect(http[0]).not.toHaveProperty('retries');
    expect(http[1]).toMatchObject({ name: 'canary', match: [{ port: 9090 }], retries: { attempts: 2, retryOn: 'unavailable' } });
  });

  test('GIVEN a route on a port WHEN a second route names the same port (or both name none) THEN refused, naming the first writer', () => {
    const { chart, catalog } = given();
    new CanaryRoute(chart, 'GrpcRoute', { service: catalog, port: 9090, defaultDestination: Destination.version('v1') });
    expect(() => new CanaryRoute(chart, 'Again', { service: catalog, port: 9090, defaultDestination: Destination.version('v2') }))
      .toThrow(/\[test\/Again\] port: 9090 is invalid: port 9090 of host "catalog" is already routed by test\/GrpcRoute; a host has one route per port\. Hint: put all rules for this port into one CanaryRoute/);
    new CanaryRoute(chart, 'HttpRoute', { service: catalog, defaultDestination: Destination.version('v1') });
    expect(() => new CanaryRoute(chart, 'Default', { service: catalog, defaultDestination: Destination.version('v2') }))
      .toThrow(/\[test\/Default\] service: "catalog" is invalid: port 8080 of host "catalog" is already routed by test\/HttpRoute; a host has one route per port/);
  });

  test('GIVEN a one-port service WHEN routed twice THEN refused as before: a host has one route', () => {
    const { chart, ns } = meshChart();
    const one1 = service(chart, ns, 'single', { versions });
    new CanaryRoute(chart, 'First', { service: one1, defaultDestination: Destination.version('v1') });
    expect(() => new CanaryRoute(chart, 'Second', { service: one1, defaultDestination: Destination.version('v2') }))
      .toThrow(/\[test\/Second\] service: "single" is invalid: host "single" is already routed by test\/First; a host has one route\. Hint: put all rules into one CanaryRoute/);
  });

  test('GIVEN a host shared by delegation WHEN another port gets a route THEN refused: delegation stays one route per host', () => {
    const { chart, catalog } = given();
    const team = new MeshNamespace(chart, 'Team', { mesh: catalog.mesh, name: 'team' });
    new CanaryRoute(chart, 'Root', { service: catalog, delegates: [{ name: 'cart', namespace: team, match: [{ uri: StringMatch.prefix('/cart/') }] }], defaultDestination: Destination.version('v1') });
    new DelegateRoute(chart, 'Cart', { service: catalog, name: 'cart', namespace: team, defaultDestination: Destination.version('v2') });
    expect(() => new CanaryRoute(chart, 'GrpcRoute', { service: catalog, port: 9090, defaultDestination: Destination.version('v1') }))
      .toThrow(/\[test\/GrpcRoute\] service: "catalog" is invalid: host "catalog" is shared by delegation: its root route is test\/Root; a shared host has one route, on one port/);
  });

  test('GIVEN a refused second route THEN the model is unchanged (a refused write changes nothing)', () => {
    const { chart, catalog, mesh } = given();
    new CanaryRoute(chart, 'HttpRoute', { service: catalog, defaultDestination: Destination.version('v1') });
    const before = JSON.stringify(mesh.model.host(catalog.ref));
    expect(() => new CanaryRoute(chart, 'Bad', { service: catalog, port: 8080, defaultDestination: Destination.version('v1') })).toThrow();
    expect(JSON.stringify(mesh.model.host(catalog.ref))).toBe(before);
  });
});

describe('simulator: answers per port', () => {
  test('GIVEN routes on 8080 and 9090 WHEN requests go to each port THEN each follows its port\'s rules, and 8081, which no rule names, takes Istio\'s default route', () => {
    // pilot/pkg/networking/core/route/route.go (Istio 1.30.3): BuildHTTPRoutesForVirtualService skips a
    // match whose port is another, and buildSidecarVirtualHostsForVirtualService builds no virtual host
    // from a VirtualService with no route left for the listener port, so the Service keeps its default one.
    const { chart, catalog } = given();
    new CanaryRoute(chart, 'HttpRoute', { service: catalog, rules: [canary], defaultDestination: Destination.version('v1') });
    new CanaryRoute(chart, 'GrpcRoute', { service: catalog, port: 9090, defaultDestination: Destination.version('v2') });
    const sim = MeshSimulator.fromManifests(synth(chart));
    const headers = { 'x-canary': 'true' };
    expect(sim.route({ host: 'catalog.production', port: 8080, headers })).toMatchObject({ rule: 0, port: 8080, destinations: [{ subset: 'v2', port: 8080 }] });
    expect(sim.route({ host: 'catalog.production', port: 8080 })).toMatchObject({ rule: 1, port: 8080, destinations: [{ subset: 'v1', port: 8080 }] });
    expect(sim.route({ host: 'catalog.production', port: 9090, headers })).toMatchObject({ rule: 2, port: 9090, routedBy: 'VirtualService/production/catalog', destinations: [{ subset: 'v2', port: 9090, weight: 100 }] });
    expect(sim.route({ host: 'catalog.production', port: 8081, headers })).toMatchObject({ defaultRoute: true, port: 8081, routedBy: null });
  });

  test('GIVEN the Gateway API with an HTTPRoute on 8080 and a GRPCRoute on 9090 WHEN requests go to each port THEN each is routed by its own object; 8081 takes the default route', () => {
    const { chart, catalog } = given(RoutingApi.GATEWAY_API);
    new CanaryRoute(chart, 'HttpRoute', { service: catalog, rules: [canary], defaultDestination: Destination.version('v1') });
    new CanaryRoute(chart, 'GrpcRoute', {
      service: catalog, port: 9090,
      rules: [
        { match: [{ uri: StringMatch.exact('/shop.Catalog/GetItem'), headers: [HeaderMatch.exact('x-canary', 'true')] }], destination: Destination.version('v2') },
        { match: [{ uri: StringMatch.prefix('/shop.Admin/') }], destination: Destination.version('v2') },
      ],
      defaultDestination: Destination.version('v1'),
    });
    const sim = MeshSimulator.fromManifests(synth(chart));
    expect(sim.route({ host: 'catalog.production', port: 8080, headers: { 'x-canary': 'true' } })).toMatchObject({ routedBy: 'HTTPRoute/production/catalog', destinations: [{ host: 'catalog-v2.production.svc.cluster.local', port: 8080 }] });
    const grpc = (path: string, headers: Record<string, string> = {}) => sim.route({ host: 'catalog.production', port: 9090, method: 'POST', path, headers });
    expect(grpc('/shop.Catalog/GetItem', { 'x-canary': 'true' })).toMatchObject({ rule: 0, routedBy: 'GRPCRoute/production/catalog-grpc', destinations: [{ host: 'catalog-v2.production.svc.cluster.local', port: 9090, weight: 100 }] });
    expect(grpc('/shop.Catalog/GetItem')).toMatchObject({ rule: 2, routedBy: 'GRPCRoute/production/catalog-grpc', destinations: [{ host: 'catalog-v1.production.svc.cluster.local' }] });
    expect(grpc('/shop.Admin/Reindex')).toMatchObject({ rule: 1, destinations: [{ host: 'catalog-v2.production.svc.cluster.local' }] });
    expect(grpc('/shop.Catalog/ListItems', { 'x-canary': 'true' })).toMatchObject({ rule: 2 });
    expect(sim.route({ host: 'catalog.production', port: 8081 })).toMatchObject({ defaultRoute: true, port: 8081 });
  });
});

describe('Gateway API: one route object per routed port', () => {
  test('GIVEN routes on the http and grpc ports WHEN synthesized THEN the first keeps the service\'s name (HTTPRoute catalog), the grpc port gets GRPCRoute catalog-grpc, each attached to its port', () => {
    const { chart, catalog } = given(RoutingApi.GATEWAY_API);
    const http = new CanaryRoute(chart, 'HttpRoute', { service: catalog, timeout: Duration.seconds(5), defaultDestination: Destination.version('v1') });
    const grpc = new CanaryRoute(chart, 'GrpcRoute', { service: catalog, port: 9090, defaultDestination: Destination.split([{ version: 'v1', percent: 90 }, { version: 'v2', percent: 10 }]) });
    const objects = synth(chart);
    expect(one(objects, 'HTTPRoute', 'catalog').spec).toMatchObject({
      parentRefs: [{ group: '', kind: 'Service', name: 'catalog', port: 8080 }],
      rules: [{ backendRefs: [{ name: 'catalog-v1', port: 8080 }], timeouts: { request: '5s' } }],
    });
    expect(one(objects, 'GRPCRoute', 'catalog-grpc')).toMatchObject({
      apiVersion: 'gateway.networking.k8s.io/v1',
      metadata: { name: 'catalog-grpc', namespace: 'production' },
      spec: {
        parentRefs: [{ group: '', kind: 'Service', name: 'catalog', port: 9090 }],
        rules: [{ backendRefs: [{ group: '', kind: 'Service', name: 'catalog-v1', port: 9090, weight: 90 }, { group: '', kind: 'Service', name: 'catalog-v2', port: 9090, weight: 10 }] }],
      },
    });
    // AND each route's escape hatch is its own object
    expect(http.httpRoute?.name).toBe('catalog');
    expect(http.grpcRoute).toBeUndefined();
    expect(grpc.grpcRoute?.name).toBe('catalog-grpc');
    expect(grpc.httpRoute).toBeUndefined();
  });

  test('GIVEN two HTTP ports routed THEN two HTTPRoutes: catalog (8080) and catalog-http-admin (8081)', () => {
    const { chart, catalog } = given(RoutingApi.GATEWAY_API);
    new CanaryRoute(chart, 'HttpRoute', { service: catalog, defaultDestination: Destination.version('v1') });
    new CanaryRoute(chart, 'AdminRoute', { service: catalog, port: 8081, defaultDestination: Destination.version('v2') });
    const routes = synth(chart).filter((o) => o.kind === 'HTTPRoute');
    expect(routes.map((r) => [r.metadata.name, r.spec.parentRefs[0].port])).toEqual([['catalog', 8080], ['catalog-http-admin', 8081]]);
  });

  test('GIVEN a gRPC route with header, service and method matches, header modifiers and a mirror THEN the GRPCRoute carries each', () => {
    const { chart, catalog } = given(RoutingApi.GATEWAY_API);
    new CanaryRoute(chart, 'GrpcRoute', {
      service: catalog, port: 9090,
      rules: [
        { name: 'canary', match: [{ uri: StringMatch.exact('/shop.Catalog/GetItem'), headers: [HeaderMatch.exact('x-canary', 'true'), HeaderMatch.prefix('x-team', 'blue')] }], destination: Destination.version('v2') },
        { match: [{ uri: StringMatch.prefix('/shop.Admin/') }], destination: Destination.version('v2'), headers: HeaderMutation.of({ request: { set: { 'x-admin': 'yes' } }, response: { remove: ['x-debug'] } }) },
        { match: [{ headers: [HeaderMatch.regex('x-user', '^[0-9]+$')] }], destination: Destination.version('v1'), mirror: Mirror.toVersion('v2', { percent: 10 }) },
      ],
      defaultDestination: Destination.version('v1'),
    });
    expect(one(synth(chart), 'GRPCRoute', 'catalog').spec.rules).toEqual([
      {
        name: 'canary',
        matches: [{ headers: [{ name: 'x-canary', type: 'Exact', value: 'true' }, { name: 'x-team', type: 'RegularExpression', value: '^blue.*$' }], method: { type: 'Exact', service: 'shop.Catalog', method: 'GetItem' } }],
        backendRefs: [{ group: '', kind: 'Service', name: 'catalog-v2', port: 9090, weight: 100 }],
      },
      {
        matches: [{ method: { type: 'Exact', service: 'shop.Admin' } }],
        filters: [
          { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-admin', value: 'yes' }] } },
          { type: 'ResponseHeaderModifier', responseHeaderModifier: { remove: ['x-debug'] } },
        ],
        backendRefs: [{ group: '', kind: 'Service', name: 'catalog-v2', port: 9090, weight: 100 }],
      },
      {
        matches: [{ headers: [{ name: 'x-user', type: 'RegularExpression', value: '^[0-9]+$' }] }],
        filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { group: '', kind: 'Service', name: 'catalog-v2', port: 9090 }, percent: 10 } }],
        backendRefs: [{ group: '', kind: 'Service', name: 'catalog-v1', port: 9090, weight: 100 }],
      },
      { backendRefs: [{ group: '', kind: 'Service', name: 'catalog-v1', port: 9090, weight: 100 }] },
    ]);
  });

  describe('what a GRPCRoute (v1.5.1 standard) cannot express is refused, naming the alternative', () => {
    const grpcRoute = (props: Record<string, unknown>) => () => {
      const { chart, catalog } = given(RoutingApi.GATEWAY_API);
      new CanaryRoute(chart, 'GrpcRoute', { service: catalog, port: 9090, defaultDestination: Destination.version('v1'), ...props });
    };
    const getItem = [{ uri: StringMatch.exact('/shop.Catalog/GetItem') }];
    test.each([
      ['a route timeout', { timeout: Duration.seconds(2) }, /\[test\/GrpcRoute\] timeout: "2s" is invalid: a GRPCRoute \(Gateway API v1\.5\.1 standard channel\) has no timeouts.*Hint: use RoutingApi\.ISTIO for this mesh/],
      ['route retries', { retries: RetryPolicy.of({ attempts: 2 }) }, /retries: .* is invalid: a GRPCRoute .* has no retries.*Hint: use RoutingApi\.ISTIO/],
      ['a rule timeout', { rules: [{ match: getItem, destination: Destination.version('v2'), timeout: Duration.seconds(1) }] }, /rules\[0\]\.timeout: "1s" is invalid: a GRPCRoute .* has no timeout/],
      ['a fault', { rules: [{ match: getItem, destination: Destination.version('v2'), fault: Fault.abort({ grpcStatus: 'UNAVAILABLE', percent: 5 }) }] }, /rules\[0\]\.fault: .* is invalid: a GRPCRoute .* has no fault \(its filters are RequestHeaderModifier, ResponseHeaderModifier and RequestMirror\)/],
      ['a rewrite', { rules: [{ match: getItem, destination: Destination.version('v2'), rewrite: Rewrite.authority('other') }] }, /rules\[0\]\.rewrite: .* has no rewrite/],
      ['a redirect', { rules: [{ match: getItem, redirect: Redirect.to({ uri: '/shop.Catalog/Get' }) }] }, /rules\[0\]\.redirect: .* has no redirect/],
      ['CORS', { defaultEffects: { cors: Cors.of({ allowOrigins: [StringMatch.exact('https://shop.example.com')] }) } }, /rules\[0\]\.cors: .* has no cors/],
      ['an HTTP method match', { rules: [{ match: [{ method: StringMatch.exact('POST') }], destination: Destination.version('v2') }] }, /rules\[0\]\.match\[0\]\.method: "exact: POST" is invalid: a GRPCRoute matches gRPC services and methods, not HTTP methods.*Hint: match the gRPC method by its path/],
      ['a path that is no gRPC service/method', { rules: [{ match: [{ uri: StringMatch.prefix('/shop') }], destination: Destination.version('v2') }] }, /rules\[0\]\.match\[0\]\.uri: "prefix: \/shop" is invalid: a GRPCRoute matches the path of a gRPC call only as a service and method.*Hint: e\.g\. StringMatch\.exact\('\/shop\.Catalog\/GetItem'\)/],
      ['a regex path', { rules: [{ match: [{ uri: StringMatch.regex('/shop\\..*') }], destination: Destination.version('v2') }] }, /rules\[0\]\.match\[0\]\.uri: "regex: .*" is invalid: a GRPCRoute matches the path/],
    ])('%s', (_what, props, error) => {
      expect(grpcRoute(props)).toThrow(error);
    });

    test('a rule order Istio\'s precedence would change (a header-only rule before a service match)', () => {
      expect(grpcRoute({
        rules: [
          { match: [{ headers: [HeaderMatch.exact('x-canary', 'true')] }], destination: Destination.version('v2') },
          { match: [{ uri: StringMatch.prefix('/shop.Admin/') }], destination: Destination.version('v1'), headers: HeaderMutation.of({ request: { set: { 'x-admin': 'yes' } } }) },
        ],
      })).toThrow(/rules\[1\]: "rules\[1\]" is invalid: Gateway API does not try rules in list order: a service match ranks above a match without service or method/);
    });

    test('the same effects on an HTTP port of the same mesh still render (an HTTPRoute has timeouts)', () => {
      const { chart, catalog } = given(RoutingApi.GATEWAY_API);
      new CanaryRoute(chart, 'HttpRoute', { service: catalog, port: 8081, timeout: Duration.seconds(2), defaultDestination: Destination.version('v1') });
      expect(one(synth(chart), 'HTTPRoute', 'catalog').spec.rules[0].timeouts).toEqual({ request: '2s' });
    });
  });

  test('GIVEN a refusal on the second route THEN the error names that route\'s port', () => {
    const { chart, catalog } = given(RoutingApi.GATEWAY_API);
    new CanaryRoute(chart, 'HttpRoute', { service: catalog, defaultDestination: Destination.version('v1') });
    expect(() => new CanaryRoute(chart, 'GrpcRoute', { service: catalog, port: 9090, timeout: Duration.seconds(1), defaultDestination: Destination.version('v1') }))
      .toThrow(/\[test\/GrpcRoute\] timeout \(the route of port 9090\): "1s" is invalid: a GRPCRoute/);
  });

  test('GIVEN the model rendered directly THEN the selected renderer emits the same objects (pure)', () => {
    const { chart, catalog, mesh } = given(RoutingApi.GATEWAY_API);
    new CanaryRoute(chart, 'HttpRoute', { service: catalog, defaultDestination: Destination.version('v1') });
    new CanaryRoute(chart, 'GrpcRoute', { service: catalog, port: 9090, defaultDestination: Destination.version('v2') });
    const objects = selectRenderer(mesh.model.settings).render(mesh.model).objects.map((o) => `${o.manifest.kind}/${o.manifest.metadata.name}/${o.id}`);
    expect(objects).toEqual(expect.arrayContaining(['HTTPRoute/catalog/HTTPRoute', 'GRPCRoute/catalog-grpc/GRPCRoute-9090']));
  });
});

describe('validation: the per-port output is accepted without findings', () => {
  test.each([
    ['sidecar + Istio API', {}],
    ['sidecar + Gateway API', { routingApi: RoutingApi.GATEWAY_API }],
    ['ambient + Gateway API', { dataPlane: DataPlaneMode.AMBIENT, routingApi: RoutingApi.GATEWAY_API }],
  ])('GIVEN routes on the http and grpc ports (%s) WHEN validated THEN no warning and no error (IST0112 included)', (_mode, mode: { dataPlane?: DataPlaneMode; routingApi?: RoutingApi }) => {
    const g = meshChart(mode);
    const catalog = service(g.chart, g.ns, 'catalog', { versions, ports: PORTS });
    new CanaryRoute(g.chart, 'HttpRoute', { service: catalog, rules: [canary], defaultDestination: Destination.version('v1') });
    new CanaryRoute(g.chart, 'GrpcRoute', {
      service: catalog, port: 9090,
      rules: [{ match: [{ uri: StringMatch.exact('/shop.Catalog/GetItem'), headers: [HeaderMatch.exact('x-canary', 'true')] }], destination: Destination.version('v2'), mirror: Mirror.toVersion('v1', { percent: 5 }) }],
      defaultDestination: Destination.split([{ version: 'v1', percent: 90 }, { version: 'v2', percent: 10 }]),
    });
    const { manifests, findings } = MeshTesting.synth(g.chart);
    expect(manifests.some((m: any) => m.kind === (mode.routingApi ? 'GRPCRoute' : 'VirtualService'))).toBe(true);
    expect(findings.filter((f) => f.level !== 'info')).toEqual([]);
  });
});

describe('Flagger: routes on the other ports of a progressive host', () => {
  const analysis = () => CanaryAnalysis.weighted({ stepWeight: 10, maxWeight: 50, metrics: [MetricCheck.requestSuccessRate({ minPercent: 99 })] });

  test.each([
    ['Flagger owns the VirtualService', false],
    ['delegation mode: its destinations would be Services Flagger generates, absent from the output', true],
  ])('GIVEN a progressive route on the primary port WHEN another port gets a route THEN refused (%s)', (_why, progressiveDelegation) => {
    const { chart, catalog, mesh } = given();
    new CanaryRoute(chart, 'Progressive', { service: catalog, progressive: analysis(), progressiveDelegation, defaultDestination: Destination.version('v1') });
    expect(() => new CanaryRoute(chart, 'GrpcRoute', { service: catalog, port: 9090, timeout: Duration.seconds(3), defaultDestination: Destination.service() }))
      .toThrow(/\[test\/GrpcRoute\] port: 9090 is invalid: the host is delivered progressively by test\/Progressive: Flagger routes only the Canary's service\.port and owns the host's VirtualService, so a route on port 9090 would be a second VirtualService for the host \(IST0109\); in delegation mode .*\(IST0101\)\. Hint: drop this route: requests on port 9090 take Istio's default route to Flagger's primary pods/);
    expect(mesh.model.host(catalog.ref).portRoutes).toBeUndefined();
  });

  test('GIVEN delegation mode and no route on the grpc port WHEN a request goes to 9090 THEN the root VirtualService leaves it Istio\'s default route', () => {
    const { chart, catalog } = given();
    new CanaryRoute(chart, 'Progressive', { service: catalog, progressive: analysis(), progressiveDelegation: true, defaultDestination: Destination.version('v1') });
    const objects = synth(chart);
    expect(one(objects, 'VirtualService', 'catalog-root').spec.http).toEqual([{ match: [{ port: 8080 }], delegate: { name: 'catalog', namespace: 'production' } }]);
    expect(one(objects, 'Canary', 'catalog').spec.service).toMatchObject({ port: 8080, portDiscovery: true, delegation: true });
  });

  test('GIVEN a route on another port written first WHEN the progressive route follows THEN refused as well', () => {
    const { chart, catalog } = given();
    new CanaryRoute(chart, 'GrpcRoute', { service: catalog, port: 9090, defaultDestination: Destination.service() });
    expect(() => new CanaryRoute(chart, 'Progressive', { service: catalog, progressive: analysis(), progressiveDelegation: true, defaultDestination: Destination.version('v1') }))
      .toThrow(/\[test\/Progressive\] progressive: "catalog" is invalid: the host is already routed by test\/GrpcRoute on port 9090; Flagger's Canary routes one port, the primary, and owns the host's VirtualService, so a progressive host takes no route on another port/);
  });
});
