/**
 * A progressively delivered service exposed on an ingress gateway (issue 22 item 6, issue 17).
 *
 * Flagger v1.44.0 (pkg/router/istio.go reconcileVirtualService) writes one VirtualService named after
 * the service, in its namespace, bound to `service.gateways` (and `mesh` only when that list is empty)
 * for `service.hosts` plus the Service name; in delegation mode it has no hosts and no gateways. Istio
 * 1.30.3 merges a root's delegate entries with the delegate's routes and lets several roots share a
 * delegate (pilot/pkg/model/virtualservice_controller.go mergeVirtualServices).
 */
import {
  CanaryAnalysis, CanaryRoute, CertificateIssuer, Destination, GatewayTls, HeaderMatch, HttpMethod, IngressGateway, MetricCheck, RoutePath, RoutingApi,
  ZeroTrustPolicy, MtlsMode, MeshSimulator, Redirect, StringMatch,
} from '../src';
import { validateManifests } from '../src/validation';
import { meshChart, one, service, synth } from './helpers';

const INGRESS = 'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account';
const LABEL = 'service.istio.io/canonical-name';

/** GIVEN order-service (v1 stable, v2 canary) in production behind a default deny, and shop-gateway. */
function shop(meshProps = {}) {
  const { chart, mesh, ns } = meshChart(meshProps);
  const order = service(chart, ns, 'order-service', { versions: [{ name: 'v1' }, { name: 'v2' }] });
  new ZeroTrustPolicy(chart, 'ZeroTrust', { mesh, meshMtls: MtlsMode.STRICT, namespaces: [{ namespace: ns, defaultDeny: true }] });
  const gw = new IngressGateway(chart, 'Gw', { mesh, name: 'shop-gateway', hosts: ['shop.example.com'], tls: GatewayTls.simple('shop-tls'),
    certificate: { issuer: CertificateIssuer.clusterIssuer('letsencrypt') } });
  return { chart, mesh, ns, order, gw };
}

function progressive(s: ReturnType<typeof shop>, extra: Record<string, unknown> = {}) {
  return new CanaryRoute(s.chart, 'OrderRoute', {
    service: s.order,
    rules: [{ name: 'canary', match: [{ headers: [HeaderMatch.exact('x-canary', 'true')] }], destination: Destination.version('v2') }],
    defaultDestination: Destination.version('v1'),
    progressive: CanaryAnalysis.abTesting({ iterations: 10, metrics: [MetricCheck.requestSuccessRate({ minPercent: 99 })] }),
    ...extra,
  });
}

function errorsOf(objects: any[]): string[] {
  return validateManifests(objects.map((manifest) => ({ manifest }))).filter((f) => f.level === 'error').map((f) => `${f.code} ${f.message}`);
}

describe('a progressive service exposed on an ingress gateway, whole host (Flagger routes the gateway)', () => {
  test.each([
    ['exposed after the progressive route', true],
    ['exposed before the progressive route', false],
  ])('GIVEN %s WHEN synthesized THEN the Canary carries the gateway and mesh, and the library renders no gateway VirtualService', (_what, routeFirst) => {
    const s = shop();
    if (routeFirst) progressive(s);
    s.gw.expose(s.order, { paths: [RoutePath.prefix('/')] });
    if (!routeFirst) progressive(s);
    const objects = synth(s.chart);
    // THEN Flagger binds its VirtualService to the gateway and the mesh, for the public host and (itself) the Service
    expect(one(objects, 'Canary', 'order-service').spec.service).toMatchObject({
      gateways: ['istio-system/shop-gateway', 'mesh'],
      hosts: ['shop.example.com'],
    });
    // AND no VirtualService of ours binds the host (Flagger's would be merged with it in no defined order)
    expect(objects.filter((o) => o.kind === 'VirtualService')).toEqual([]);
    // AND the Gateway admits routes for that host from the service's namespace, where Flagger writes its VirtualService
    expect(one(objects, 'Gateway', 'shop-gateway').spec.servers.map((x: any) => x.hosts)).toEqual([['production/shop.example.com'], ['production/shop.example.com']]);
    // AND zero trust holds for Flagger's primary and canary pods alike: the gateway identity is allowed on the shared label
    expect(one(objects, 'AuthorizationPolicy', 'order-service-allow').spec).toMatchObject({
      selector: { matchLabels: { [LABEL]: 'order-service' } },
      rules: [{ from: [{ source: { principals: [INGRESS] } }] }],
    });
    expect(errorsOf(objects)).toEqual([]);
  });

  test('GIVEN a second gateway exposing the host too WHEN synthesized THEN both gateways are listed once, sorted, then mesh', () => {
    const s = shop();
    progressive(s);
    s.gw.expose(s.order, { paths: [RoutePath.prefix('/')] });
    const other = new IngressGateway(s.chart, 'Partner', { mesh: s.mesh, name: 'partner-gateway', hosts: ['partner.example.com'], tls: GatewayTls.simple('partner-tls') });
    other.expose(s.order, { paths: [RoutePath.prefix('/')], allow: false }); // the same identity is allowed already
    expect(one(synth(s.chart), 'Canary', 'order-service').spec.service).toMatchObject({
      gateways: ['istio-system/partner-gateway', 'istio-system/shop-gateway', 'mesh'],
      hosts: ['partner.example.com', 'shop.example.com'],
    });
  });
});

describe('a progressive service exposed on some paths', () => {
  test('GIVEN a path-restricted exposure of a progressive service (no delegation mode) THEN refused, naming delegation mode', () => {
    const s = shop();
    progressive(s);
    expect(() => s.gw.expose(s.order, { paths: [RoutePath.prefix('/api/orders')] }))
      .toThrow(/\[.*Gw\] paths: "prefix \/api\/orders" is invalid: order-service is delivered progressively by Flagger .*would be widened to every path\. Hint: set progressiveDelegation: true/);
  });

  test('GIVEN a path-restricted exposure WHEN the route becomes progressive afterwards THEN refused the same way', () => {
    const s = shop();
    s.gw.expose(s.order, { paths: [RoutePath.prefix('/api/orders')] });
    expect(() => progressive(s)).toThrow(/paths: "prefix \/api\/orders" is invalid: .*would be widened to every path/);
  });

  test('GIVEN Flagger\'s delegation mode WHEN exposed on a prefix THEN the gateway VirtualService keeps the paths and delegates to Flagger\'s VirtualService', () => {
    const s = shop();
    progressive(s, { progressiveDelegation: true });
    s.gw.expose(s.order, { paths: [RoutePath.prefix('/api/orders')], methods: [HttpMethod.GET] });
    const objects = synth(s.chart);
    // THEN the Canary is a delegate (Flagger refuses hosts or gateways in delegation mode)
    const svc = one(objects, 'Canary', 'order-service').spec.service;
    expect(svc).toMatchObject({ delegation: true });
    expect(svc.gateways).toBeUndefined();
    expect(svc.hosts).toBeUndefined();
    // AND our gateway root keeps the path restriction and hands matching requests to Flagger's routes (the A/B rule is Flagger's)
    expect(one(objects, 'VirtualService', 'shop-gateway-shop-example-com').spec).toEqual({
      hosts: ['shop.example.com'],
      gateways: ['istio-system/shop-gateway'],
      http: [{ match: [{ uri: { exact: '/api/orders' } }, { uri: { prefix: '/api/orders/' } }], delegate: { name: 'order-service', namespace: 'production' } }],
    });
    expect(one(objects, 'Gateway', 'shop-gateway').spec.servers[0].hosts).toEqual(['istio-system/shop.example.com']);
    expect(errorsOf(objects)).toEqual([]);
  });
});

describe('Gateway API', () => {
  test('GIVEN RoutingApi.GATEWAY_API WHEN a progressive route is added to an exposed service THEN refused (Flagger\'s Istio provider writes VirtualServices)', () => {
    const s = shop({ routingApi: RoutingApi.GATEWAY_API });
    s.gw.expose(s.order, { paths: [RoutePath.prefix('/')] });
    expect(() => progressive(s)).toThrow(/props\.progressive: "Gateway API routing" is invalid: Flagger's Istio provider creates VirtualServices/);
  });
});

describe('the simulator routes gateway traffic of a progressive service by Flagger\'s VirtualService', () => {
  // Flagger's objects come from the Canary (src/manifests/flagger-objects.ts, after Flagger v1.44.0
  // pkg/router/istio.go and kubernetes_default.go), at rest: everything to the primary.
  const PRIMARY = 'order-service-primary.production.svc.cluster.local';
  const CANARY = 'order-service-canary.production.svc.cluster.local';

  test('GIVEN a whole-host exposure WHEN routed at the gateway THEN Flagger\'s VirtualService answers: the A/B match first, then the primary', () => {
    const s = shop();
    progressive(s);
    s.gw.expose(s.order, { paths: [RoutePath.prefix('/')] });
    const sim = MeshSimulator.fromManifests(synth(s.chart));
    // THEN a request with the A/B header takes Flagger's A/B route (an analysis moves its weight to the canary)
    expect(sim.route({ host: 'shop.example.com', gateway: 'istio-system/shop-gateway', path: '/api/orders', headers: { 'x-canary': 'true' } })).toMatchObject({
      routedBy: 'VirtualService/production/order-service',
      rule: 0,
      destinations: [{ host: PRIMARY, weight: 100 }, { host: CANARY, weight: 0 }],
    });
    // AND any other path of the host reaches the primary through the default route
    expect(sim.route({ host: 'shop.example.com', gateway: 'istio-system/shop-gateway', path: '/anything' })).toMatchObject({
      routedBy: 'VirtualService/production/order-service',
      rule: 1,
      destinations: [{ host: PRIMARY, weight: 100 }],
    });
    // AND mesh traffic follows the same VirtualService
    expect(sim.route({ host: 'order-service.production', headers: { 'x-canary': 'true' } })).toMatchObject({ routedBy: 'VirtualService/production/order-service', rule: 0 });
    // AND the gateway identity may call the primary and the canary pods alike
    for (const to of ['order-service-primary.production', 'order-service-canary.production']) {
      expect(sim.authorize({ to, fromPrincipal: INGRESS, method: 'GET', path: '/api/orders' })).toMatchObject({ decision: 'ALLOW', policy: 'production/order-service-allow' });
    }
  });

  test('GIVEN delegation mode and a prefix exposure WHEN routed at the gateway THEN the gateway root keeps the paths and Flagger\'s delegate routes', () => {
    const s = shop();
    progressive(s, { progressiveDelegation: true });
    s.gw.expose(s.order, { paths: [RoutePath.prefix('/api/orders')] });
    const sim = MeshSimulator.fromManifests(synth(s.chart));
    const r = sim.route({ host: 'shop.example.com', gateway: 'istio-system/shop-gateway', path: '/api/orders/7', headers: { 'x-canary': 'true' } });
    expect(r.destinations).toEqual([{ host: PRIMARY, weight: 100 }, { host: CANARY, weight: 0 }]);
    expect(r.routedBy).toContain('VirtualService/istio-system/shop-gateway-shop-example-com');
    expect(sim.route({ host: 'shop.example.com', gateway: 'istio-system/shop-gateway', path: '/api/ordersX' }).noRoute).toBe(true);
  });
});

describe('an exposed rule keeps its effects at the gateway', () => {
  test('GIVEN a redirect rule under an exposed prefix WHEN synthesized THEN the gateway VirtualService redirects too (it rendered an empty route before)', () => {
    const { chart, mesh, ns } = meshChart();
    const order = service(chart, ns, 'order-service');
    new CanaryRoute(chart, 'R', {
      service: order,
      rules: [{ name: 'moved', match: [{ uri: StringMatch.exact('/api/orders/old') }], redirect: Redirect.to({ uri: '/api/orders/new' }) }],
      defaultDestination: Destination.version('v1'),
    });
    const gw = new IngressGateway(chart, 'Gw', { mesh, hosts: ['shop.example.com'], tls: GatewayTls.simple('x') });
    gw.expose(order, { paths: [RoutePath.prefix('/api/orders')] });
    const objects = synth(chart);
    expect(one(objects, 'VirtualService', 'gw-shop-example-com').spec.http[0]).toEqual({
      name: 'moved', match: [{ uri: { exact: '/api/orders/old' } }], redirect: { uri: '/api/orders/new', redirectCode: 301 },
    });
    expect(MeshSimulator.fromManifests(objects).route({ host: 'shop.example.com', gateway: 'istio-system/gw', path: '/api/orders/old' })).toMatchObject({ rule: 0 });
  });
});
