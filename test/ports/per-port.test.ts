import { Duration } from 'cdk8s';
import {
  AppProtocol, CanaryAnalysis, CanaryRoute, CircuitBreaker, ConnectionPool, DataPlaneMode, DelegateRoute, Destination, HeaderMatch, LocalRateLimit, MeshNamespace, MeshSimulator, MetricCheck,
  OutlierDetection, RoutingApi, ServicePort, StringMatch, TokenBucket,
} from '../../src';
import { meshChart, one, service, synth } from '../helpers';

/** http 8080 (primary), grpc 9090, http-admin 8081, tcp-db 5432. */
const PORTS: ServicePort[] = [
  { name: 'http', port: 8080 },
  { name: 'grpc', port: 9090 },
  { name: 'http-admin', port: 8081 },
  { name: 'tcp-db', port: 5432 },
];
const versions = [{ name: 'v1' }, { name: 'v2' }];
const canaryRule = { name: 'canary', match: [{ headers: [HeaderMatch.exact('x-canary', 'true')] }], destination: Destination.version('v2') };

/** GIVEN a mesh in a mode and the four-port `catalog` service. */
function given(mode: { dataPlane?: DataPlaneMode; routingApi?: RoutingApi } = {}) {
  const g = meshChart(mode);
  const catalog = service(g.chart, g.ns, 'catalog', { versions, ports: PORTS });
  return { ...g, catalog };
}

describe('CanaryRoute on one port of a several-port service', () => {
  test('GIVEN a route on the grpc port WHEN synthesized (sidecar, Istio API) THEN every match carries the port and every destination names it', () => {
    const { chart, catalog } = given();
    new CanaryRoute(chart, 'Route', { service: catalog, port: 9090, rules: [canaryRule], defaultDestination: Destination.version('v1') });
    expect(one(synth(chart), 'VirtualService', 'catalog').spec.http).toEqual([
      { name: 'canary', match: [{ headers: { 'x-canary': { exact: 'true' } }, port: 9090 }], route: [{ destination: { host: 'catalog', subset: 'v2', port: { number: 9090 } }, weight: 100 }] },
      { match: [{ port: 9090 }], route: [{ destination: { host: 'catalog', subset: 'v1', port: { number: 9090 } }, weight: 100 }] },
    ]);
  });

  test('GIVEN a route without port WHEN synthesized THEN it is the primary port\'s, named', () => {
    const { chart, catalog } = given();
    new CanaryRoute(chart, 'Route', { service: catalog, defaultDestination: Destination.version('v1') });
    expect(one(synth(chart), 'VirtualService', 'catalog').spec.http).toEqual([
      { match: [{ port: 8080 }], route: [{ destination: { host: 'catalog', subset: 'v1', port: { number: 8080 } }, weight: 100 }] },
    ]);
  });

  test('GIVEN ambient with the Istio API THEN the waypoint\'s VirtualService names the port the same way', () => {
    const { chart, catalog } = given({ dataPlane: DataPlaneMode.AMBIENT, routingApi: RoutingApi.ISTIO });
    new CanaryRoute(chart, 'Route', { service: catalog, port: 8081, defaultDestination: Destination.version('v2') });
    expect(one(synth(chart), 'VirtualService', 'catalog').spec.http[0]).toEqual({ match: [{ port: 8081 }], route: [{ destination: { host: 'catalog', subset: 'v2', port: { number: 8081 } }, weight: 100 }] });
  });

  test.each([
    ['sidecar', DataPlaneMode.SIDECAR],
    ['ambient', DataPlaneMode.AMBIENT],
  ])('GIVEN the Gateway API (%s) and a route on the http-admin port THEN the HTTPRoute attaches to that port and its backendRefs carry it', (_n, dataPlane) => {
    const { chart, catalog } = given({ dataPlane, routingApi: RoutingApi.GATEWAY_API });
    new CanaryRoute(chart, 'Route', { service: catalog, port: 8081, defaultDestination: Destination.split([{ version: 'v1', percent: 90 }, { version: 'v2', percent: 10 }]) });
    const objects = synth(chart);
    expect(one(objects, 'HTTPRoute', 'catalog').spec).toMatchObject({
      parentRefs: [{ group: '', kind: 'Service', name: 'catalog', port: 8081 }],
      rules: [{ backendRefs: [{ name: 'catalog-v1', port: 8081, weight: 90 }, { name: 'catalog-v2', port: 8081, weight: 10 }] }],
    });
    // AND the per-version Services carry every port
    expect(one(objects, 'Service', 'catalog-v1').spec.ports.map((p: any) => p.port)).toEqual([8080, 9090, 8081, 5432]);
  });

  describe('refusals', () => {
    test('GIVEN a port the service does not declare THEN refused, naming its ports', () => {
      const { chart, catalog } = given();
      expect(() => new CanaryRoute(chart, 'Route', { service: catalog, port: 7070, defaultDestination: Destination.version('v1') }))
        .toThrow(/\[test\/Route\] props\.port: 7070 is invalid: port 7070 is not a port of catalog \(it has http 8080, grpc 9090, http-admin 8081, tcp-db 5432\)\. Hint: name a Service port/);
    });

    test.each([0, 65536])('GIVEN port %d (outside 1..65535) THEN refused with the port rule', (port) => {
      const { chart, catalog } = given();
      expect(() => new CanaryRoute(chart, 'Route', { service: catalog, port, defaultDestination: Destination.version('v1') }))
        .toThrow(new RegExp(`props\\.port: ${port} is invalid: a port must be an integer in 1\\.\\.65535`));
    });

    test('GIVEN a TCP port THEN refused: HTTP rules never apply there', () => {
      const { chart, catalog } = given();
      expect(() => new CanaryRoute(chart, 'Route', { service: catalog, port: 5432, defaultDestination: Destination.version('v1') }))
        .toThrow(/props\.port: 5432 is invalid: port tcp-db 5432 is TCP to Istio, which proxies it as TCP: a CanaryRoute's HTTP rules never apply there.*Hint: route an HTTP port of catalog \(http 8080, grpc 9090, http-admin 8081\)/);
    });

    test('GIVEN a several-port service whose primary port is TCP and a route without port THEN refused', () => {
      const { chart, ns } = meshChart();
      const db = service(chart, ns, 'db', { ports: [{ name: 'tcp', port: 5432 }, { name: 'http-metrics', port: 9102 }] });
      expect(() => new CanaryRoute(chart, 'Route', { service: db, defaultDestination: Destination.version('v1') }))
        .toThrow(/props\.service: "db" is invalid: port tcp 5432 is TCP to Istio/);
    });

    test('GIVEN the Gateway API and a route on the gRPC port THEN it renders a GRPCRoute attached to that port, not an HTTPRoute', () => {
      const { chart, catalog } = given({ routingApi: RoutingApi.GATEWAY_API });
      new CanaryRoute(chart, 'Route', { service: catalog, port: 9090, defaultDestination: Destination.version('v1') });
      const objects = synth(chart);
      expect(objects.filter((o) => o.kind === 'HTTPRoute')).toEqual([]);
      expect(one(objects, 'GRPCRoute', 'catalog').spec).toEqual({
        parentRefs: [{ group: '', kind: 'Service', name: 'catalog', port: 9090 }],
        rules: [{ backendRefs: [{ group: '', kind: 'Service', name: 'catalog-v1', port: 9090, weight: 100 }] }],
      });
    });

    test('GIVEN the Gateway API and a gRPC port declared by appProtocol THEN a GRPCRoute too; a GRPC-Web port is refused, naming the alternative', () => {
      const { chart, ns } = meshChart({ routingApi: RoutingApi.GATEWAY_API });
      const api = service(chart, ns, 'api', { ports: [{ name: 'api', port: 9090, protocol: AppProtocol.GRPC }, { name: 'http', port: 8080 }] });
      new CanaryRoute(chart, 'Route', { service: api, defaultDestination: Destination.version('v1') });
      expect(one(synth(chart), 'GRPCRoute', 'api').spec.parentRefs).toEqual([{ group: '', kind: 'Service', name: 'api', port: 9090 }]);
      const web = service(chart, ns, 'web', { ports: [{ name: 'grpc-web', port: 9091 }, { name: 'http', port: 8080 }] });
      expect(() => new CanaryRoute(chart, 'WebRoute', { service: web, defaultDestination: Destination.version('v1') }))
        .toThrow(/port: "grpc-web 9091" is invalid: the route is for a GRPC-Web port.*Hint: use RoutingApi\.ISTIO for this mesh/);
    });
  });
});

describe('progressive delivery (Flagger) of a several-port service', () => {
  const analysis = () => CanaryAnalysis.weighted({ interval: Duration.minutes(1), threshold: 5, stepWeight: 10, maxWeight: 50, metrics: [MetricCheck.requestSuccessRate({ minPercent: 99 })] });

  test('GIVEN a progressive route on the primary port THEN the Canary routes that port and discovers the others', () => {
    const { chart, catalog } = given();
    new CanaryRoute(chart, 'Route', { service: catalog, defaultDestination: Destination.version('v1'), progressive: analysis() });
    expect(one(synth(chart), 'Canary', 'catalog').spec.service).toEqual({ name: 'catalog', port: 8080, targetPort: 8080, portName: 'http', portDiscovery: true });
  });

  test('GIVEN a one-port service THEN no port discovery (the Canary is unchanged)', () => {
    const { chart, ns } = meshChart();
    const one1 = service(chart, ns, 'reviews', { versions });
    new CanaryRoute(chart, 'Route', { service: one1, defaultDestination: Destination.version('v1'), progressive: analysis() });
    expect(one(synth(chart), 'Canary', 'reviews').spec.service).toEqual({ name: 'reviews', port: 8080, targetPort: 8080, portName: 'http' });
  });

  test('GIVEN a progressive route on a non-primary port THEN refused: Flagger routes one port, its service.port', () => {
    const { chart, catalog } = given();
    expect(() => new CanaryRoute(chart, 'Route', { service: catalog, port: 8081, defaultDestination: Destination.version('v1'), progressive: analysis() }))
      .toThrow(/props\.port: 8081 is invalid: Flagger's Canary routes one port, its service\.port.*primary port \(http 8080\).*Hint: deliver the primary port progressively/);
  });

  test('GIVEN a progressive host and a CircuitBreaker on one port THEN refused: Flagger has no portLevelSettings', () => {
    const { chart, catalog } = given();
    new CanaryRoute(chart, 'Route', { service: catalog, defaultDestination: Destination.version('v1'), progressive: analysis() });
    expect(() => new CircuitBreaker(chart, 'Pool', { service: catalog, port: 9090, outlierDetection: OutlierDetection.of({ consecutive5xxErrors: 5 }) }))
      .toThrow(/props\.port: 9090 is invalid: the host is delivered progressively .* no portLevelSettings/);
  });
});

describe('CircuitBreaker on one port', () => {
  const grpcPool = () => ConnectionPool.of({ http: { http2MaxRequests: 200 } });

  test('GIVEN a pool for the grpc port and outlier detection for the host THEN the DestinationRule has both, the pool under portLevelSettings with the host\'s outlier detection (Istio does not inherit it into a port entry: util.go GetPortLevelTrafficPolicy)', () => {
    const { chart, catalog } = given();
    new CircuitBreaker(chart, 'GrpcPool', { service: catalog, port: 9090, connectionPool: grpcPool() });
    new CircuitBreaker(chart, 'Host', { service: catalog, outlierDetection: OutlierDetection.of({ consecutive5xxErrors: 5 }) });
    expect(one(synth(chart), 'DestinationRule', 'catalog').spec.trafficPolicy).toEqual({
      outlierDetection: { consecutive5xxErrors: 5 },
      portLevelSettings: [{ port: { number: 9090 }, connectionPool: { http: { http2MaxRequests: 200 } }, outlierDetection: { consecutive5xxErrors: 5 } }],
    });
  });

  test('GIVEN the Gateway API THEN the Service host\'s and every per-version Service\'s DestinationRule carry the port settings', () => {
    const { chart, catalog } = given({ routingApi: RoutingApi.GATEWAY_API });
    new CanaryRoute(chart, 'Route', { service: catalog, defaultDestination: Destination.split([{ version: 'v1', percent: 50 }, { version: 'v2', percent: 50 }]) });
    new CircuitBreaker(chart, 'GrpcPool', { service: catalog, port: 9090, connectionPool: grpcPool() });
    const objects = synth(chart);
    for (const name of ['catalog', 'catalog-v1', 'catalog-v2']) {
      expect(one(objects, 'DestinationRule', name).spec.trafficPolicy).toEqual({ portLevelSettings: [{ port: { number: 9090 }, connectionPool: { http: { http2MaxRequests: 200 } } }] });
    }
  });

  test('GIVEN a port the service does not declare THEN refused', () => {
    const { chart, catalog } = given();
    expect(() => new CircuitBreaker(chart, 'Pool', { service: catalog, port: 7070, connectionPool: grpcPool() }))
      .toThrow(/\[test\/Pool\] props\.port: 7070 is invalid: port 7070 is not a port of catalog/);
  });

  test('GIVEN port and version together THEN refused', () => {
    const { chart, catalog } = given();
    expect(() => new CircuitBreaker(chart, 'Pool', { service: catalog, port: 9090, version: 'v2', connectionPool: grpcPool() }))
      .toThrow(/props\.port: 9090 is invalid: a policy is either for one port of the whole host or for one version, not both/);
  });

  test('GIVEN a TCP port THEN a TCP pool is accepted (a policy applies to any port)', () => {
    const { chart, catalog } = given();
    new CircuitBreaker(chart, 'DbPool', { service: catalog, port: 5432, connectionPool: ConnectionPool.of({ tcp: { maxConnections: 20 } }) });
    expect(one(synth(chart), 'DestinationRule', 'catalog').spec.trafficPolicy.portLevelSettings).toEqual([{ port: { number: 5432 }, connectionPool: { tcp: { maxConnections: 20 } } }]);
  });
});

describe('LocalRateLimit on one port', () => {
  const bucket = () => TokenBucket.of({ maxTokens: 10, tokensPerFill: 10, fillInterval: Duration.seconds(1) });

  test('GIVEN a limit on the http-admin port (container port 9081) THEN the EnvoyFilter matches that inbound port', () => {
    const { chart, ns } = meshChart();
    const svc = service(chart, ns, 'catalog', { ports: [{ name: 'http', port: 8080 }, { name: 'http-admin', port: 8081, targetPort: 9081 }] });
    new LocalRateLimit(chart, 'Limit', { service: svc, port: 8081, tokenBucket: bucket() });
    const filter = one(synth(chart), 'EnvoyFilter', 'catalog-local-ratelimit');
    expect(JSON.stringify(filter.spec)).toContain('"portNumber":9081');
    expect(JSON.stringify(filter.spec)).not.toContain('"portNumber":8080');
  });

  test('GIVEN a limit on a TCP port THEN refused: the limit is an HTTP filter', () => {
    const { chart, catalog } = given();
    expect(() => new LocalRateLimit(chart, 'Limit', { service: catalog, port: 5432, tokenBucket: bucket() }))
      .toThrow(/props\.port: 5432 is invalid: port tcp-db is TCP to Istio, and the local rate limit is an HTTP filter/);
  });

  test('GIVEN a port the service does not declare THEN refused', () => {
    const { chart, catalog } = given();
    expect(() => new LocalRateLimit(chart, 'Limit', { service: catalog, port: 7070, tokenBucket: bucket() })).toThrow(/props\.port: 7070 is invalid: port 7070 is not a port of catalog/);
  });
});

describe('allowFrom ports are the service\'s container ports', () => {
  test('GIVEN a declared container port THEN the rule carries it', () => {
    const { chart, ns, catalog } = given();
    catalog.allowFrom(service(chart, ns, 'caller'), { ports: [9090] });
    expect(one(synth(chart), 'AuthorizationPolicy', 'catalog-allow').spec.rules[0].to[0].operation.ports).toEqual(['9090']);
  });

  test('GIVEN a port the service does not declare THEN refused', () => {
    const { chart, ns, catalog } = given();
    expect(() => catalog.allowFrom(service(chart, ns, 'caller'), { ports: [7070] }))
      .toThrow(/allowFrom\.options\.ports\[0\]: 7070 is invalid: port 7070 is not a container port of catalog .*the policy would never match/);
  });

  test('GIVEN the Service port of a port with another targetPort THEN refused, hinting the container port', () => {
    const { chart, ns } = meshChart();
    const svc = service(chart, ns, 'catalog', { ports: [{ name: 'http', port: 80, targetPort: 8080 }] });
    expect(() => svc.allowFrom(service(chart, ns, 'caller'), { ports: [80] }))
      .toThrow(/ports\[0\]: 80 is invalid: port 80 is not a container port of catalog \(it has http 8080\).*Hint: AuthorizationPolicy ports are the pod's ports: use targetPort 8080 of Service port 80/);
  });
});

describe('simulator: per-port routes', () => {
  test('GIVEN a route on the grpc port WHEN requests go to each port THEN the grpc port follows the route, the others take the default route, and answers name the port', () => {
    const { chart, catalog } = given();
    new CanaryRoute(chart, 'Route', { service: catalog, port: 9090, rules: [canaryRule], defaultDestination: Destination.version('v1') });
    const sim = MeshSimulator.fromManifests(synth(chart));
    const canary = { 'x-canary': 'true' };
    expect(sim.route({ host: 'catalog.production', port: 9090, headers: canary })).toMatchObject({
      rule: 0, port: 9090, routedBy: 'VirtualService/production/catalog', destinations: [{ subset: 'v2', port: 9090, weight: 100 }],
    });
    expect(sim.route({ host: 'catalog.production', port: 9090 })).toMatchObject({ rule: 1, port: 9090, destinations: [{ subset: 'v1', port: 9090 }] });
    // the http port (and a request naming no port: the Service's first port) is not routed by the grpc route
    for (const request of [{ port: 8080 }, {}]) {
      expect(sim.route({ host: 'catalog.production', headers: canary, ...request })).toMatchObject({ defaultRoute: true, port: 8080, routedBy: null });
    }
  });

  test('GIVEN a route on the primary port WHEN a request names no port THEN it is routed as on the primary port', () => {
    const { chart, catalog } = given();
    new CanaryRoute(chart, 'Route', { service: catalog, rules: [canaryRule], defaultDestination: Destination.version('v1') });
    const sim = MeshSimulator.fromManifests(synth(chart));
    expect(sim.route({ host: 'catalog.production', headers: { 'x-canary': 'true' } })).toMatchObject({ rule: 0, port: 8080, destinations: [{ subset: 'v2', port: 8080 }] });
    expect(sim.route({ host: 'catalog.production', port: 8081, headers: { 'x-canary': 'true' } })).toMatchObject({ defaultRoute: true, port: 8081 });
  });

  test('GIVEN a one-port service WHEN a request names no port THEN the answer names none (unchanged)', () => {
    const { chart, ns } = meshChart();
    const svc = service(chart, ns, 'reviews', { versions });
    new CanaryRoute(chart, 'Route', { service: svc, defaultDestination: Destination.version('v1') });
    const answer = MeshSimulator.fromManifests(synth(chart)).route({ host: 'reviews.production' });
    expect(answer.port).toBeUndefined();
    expect(answer.destinations).toEqual([{ host: 'reviews.production.svc.cluster.local', subset: 'v1', weight: 100 }]);
  });
});

describe('one route per port', () => {
  test('GIVEN a route on the http port WHEN a second CanaryRoute routes the same port THEN refused, naming the first writer', () => {
    const { chart, catalog } = given();
    new CanaryRoute(chart, 'HttpRoute', { service: catalog, defaultDestination: Destination.version('v1') });
    expect(() => new CanaryRoute(chart, 'Again', { service: catalog, port: 8080, defaultDestination: Destination.version('v2') }))
      .toThrow(/\[test\/Again\] port: 8080 is invalid: port 8080 of host "catalog" is already routed by test\/HttpRoute; a host has one route per port/);
  });
});

describe('delegation on one port', () => {
  test('GIVEN a root route on the http-admin port delegating /cart/ WHEN synthesized THEN the root entries carry the port, the delegate names it, and the simulator follows it on that port only', () => {
    const { chart, mesh, catalog } = given();
    const team = new MeshNamespace(chart, 'Team', { mesh, name: 'team' });
    new CanaryRoute(chart, 'Root', { service: catalog, port: 8081, delegates: [{ name: 'catalog-cart', namespace: team, match: [{ uri: StringMatch.prefix('/cart/') }] }], defaultDestination: Destination.version('v1') });
    new DelegateRoute(chart, 'Cart', { service: catalog, name: 'catalog-cart', namespace: team, defaultDestination: Destination.version('v2') });
    const objects = synth(chart);
    expect(one(objects, 'VirtualService', 'catalog').spec.http[0]).toEqual({ match: [{ uri: { prefix: '/cart/' }, port: 8081 }], delegate: { name: 'catalog-cart', namespace: 'team' } });
    expect(one(objects, 'VirtualService', 'catalog-cart').spec.http).toEqual([
      { route: [{ destination: { host: 'catalog.production.svc.cluster.local', subset: 'v2', port: { number: 8081 } }, weight: 100 }] },
    ]);
    const sim = MeshSimulator.fromManifests(objects);
    expect(sim.route({ host: 'catalog.production', port: 8081, path: '/cart/1' })).toMatchObject({ port: 8081, delegate: 'VirtualService/team/catalog-cart', destinations: [{ subset: 'v2', port: 8081 }] });
    expect(sim.route({ host: 'catalog.production', port: 8080, path: '/cart/1' })).toMatchObject({ port: 8080, defaultRoute: true });
  });
});
