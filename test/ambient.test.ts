import { Duration } from 'cdk8s';
import {
  CanaryRoute,
  CircuitBreaker,
  Condition,
  ConnectionPool,
  DataPlaneMode,
  Destination,
  ExternalIdentity,
  HttpMethod,
  LocalRateLimit,
  MeshNamespace,
  MtlsMode,
  PathMatch,
  RoutingApi,
  TokenBucket,
  ZeroTrustPolicy,
} from '../src';
import { collectFindings } from '../src/warnings';
import { meshChart, one, service, synth } from './helpers';

const INGRESS = ExternalIdentity.serviceAccount({ namespace: 'istio-system', serviceAccount: 'istio-ingressgateway-service-account' });

/** GIVEN an ambient mesh (Gateway API routing unless told otherwise) with order and payment in `production`. */
function given(opts: { routingApi?: RoutingApi; waypoint?: boolean; defaultDeny?: boolean } = {}) {
  const { chart, mesh, ns: production } = meshChart({ dataPlane: DataPlaneMode.AMBIENT, routingApi: opts.routingApi ?? RoutingApi.GATEWAY_API });
  const ns = opts.waypoint === false ? new MeshNamespace(chart, 'Shop', { mesh, name: 'shop', waypoint: false }) : production;
  const order = service(chart, ns, 'order-service', { versions: [{ name: 'v1' }, { name: 'v2' }] });
  const payment = service(chart, ns, 'payment-service');
  const zt = opts.defaultDeny === false ? undefined : new ZeroTrustPolicy(chart, 'ZeroTrust', { mesh, namespaces: [{ namespace: ns, defaultDeny: true }] });
  return { chart, mesh, ns, order, payment, zt };
}

const policies = (objects: any[]) => objects.filter((o) => o.kind === 'AuthorizationPolicy');

describe('ambient: namespace and workloads', () => {
  test('the namespace is labelled ambient; pods carry no sidecar annotations', () => {
    const { chart } = given();
    const objects = synth(chart);
    expect(one(objects, 'Namespace', 'production').metadata.labels).toEqual({ 'istio.io/dataplane-mode': 'ambient' });
    const d = one(objects, 'Deployment', 'order-service-v1');
    expect(d.spec.template.metadata.annotations).toBeUndefined();
  });

  test('no L7 intent: no waypoint, no use-waypoint label, only the ztunnel default deny', () => {
    const { chart, ns } = given();
    const objects = synth(chart);
    expect(objects.filter((o) => o.kind === 'Gateway')).toEqual([]);
    expect(ns.waypoint).toBeUndefined();
    expect(policies(objects).map((p) => [p.metadata.name, p.spec])).toEqual([['default-deny', { action: 'ALLOW' }]]);
  });

  test('mesh membership labels, use-waypoint included, cannot be set by hand', () => {
    const { mesh, chart } = given();
    expect(() => new MeshNamespace(chart, 'X', { mesh, name: 'x', labels: { 'istio.io/use-waypoint': 'mine' } })).toThrow(/mesh membership labels/);
  });
});

describe('ambient: the waypoint', () => {
  test('a route creates the waypoint Gateway (istio-waypoint, HBONE 15008, waypoint-for service) and labels the namespace', () => {
    const { chart, order, ns } = given();
    new CanaryRoute(chart, 'Route', { service: order, timeout: Duration.seconds(10), defaultDestination: Destination.service() });
    const objects = synth(chart);
    expect(one(objects, 'Gateway', 'waypoint')).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'waypoint', namespace: 'production', labels: { 'istio.io/waypoint-for': 'service' } },
      spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
    });
    expect(one(objects, 'Namespace', 'production').metadata.labels).toEqual({ 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' });
    expect(ns.waypoint!.serviceAccountName).toBe('waypoint');
  });

  test('one waypoint per namespace, however many services need it; Services route ingress through it', () => {
    const { chart, order, payment } = given();
    new CanaryRoute(chart, 'R1', { service: order, defaultDestination: Destination.version('v1') });
    new CircuitBreaker(chart, 'Cb', { service: payment, connectionPool: ConnectionPool.of({ tcp: { maxConnections: 5 } }) });
    payment.allowFrom(order);
    const objects = synth(chart);
    expect(objects.filter((o) => o.kind === 'Gateway')).toHaveLength(1);
    for (const name of ['order-service', 'payment-service']) {
      expect(one(objects, 'Service', name).metadata.labels['istio.io/ingress-use-waypoint']).toBe('true');
    }
  });

  test('a CircuitBreaker alone needs the waypoint (DestinationRules are applied by it)', () => {
    const { chart, payment } = given({ defaultDeny: false });
    new CircuitBreaker(chart, 'Cb', { service: payment, connectionPool: ConnectionPool.of({ tcp: { maxConnections: 5 } }) });
    expect(synth(chart).filter((o) => o.kind === 'Gateway')).toHaveLength(1);
  });

  test('a service named like the waypoint fails at synth (Istio deploys the waypoint under that name)', () => {
    const { chart, order, ns } = given();
    service(chart, ns, 'waypoint');
    new CanaryRoute(chart, 'Route', { service: order, defaultDestination: Destination.service() });
    expect(() => synth(chart)).toThrow(/waypoint: "waypoint" is invalid: Istio deploys the waypoint of namespace production as Deployment, Service and ServiceAccount "waypoint", which test\/waypoint also uses/);
  });

  test('waypoint: false with a route is a clear error', () => {
    const { chart, order } = given({ waypoint: false });
    expect(() => new CanaryRoute(chart, 'Route', { service: order, defaultDestination: Destination.service() }))
      .toThrow(/\[test\/order-service\] namespace: "shop" is invalid: routes and connection policies are applied by a waypoint in ambient mode, but namespace shop has waypoint: false\. Hint: allow the waypoint/);
  });
});

describe('ambient: authorization', () => {
  test('L7 allow rules attach with targetRefs to the Service, never selector', () => {
    const { chart, order, payment } = given();
    payment.allowFrom(order, { methods: [HttpMethod.POST], paths: [PathMatch.prefix('/api/payments/')], when: [Condition.requestHeader('x-user-role').notValues('guest')] });
    const p = one(synth(chart), 'AuthorizationPolicy', 'payment-service-allow');
    expect(p.spec.selector).toBeUndefined();
    expect(p.spec).toEqual({
      action: 'ALLOW',
      rules: [{
        from: [{ source: { principals: ['cluster.local/ns/production/sa/order-service'], namespaces: ['production'] } }],
        to: [{ operation: { methods: ['POST'], paths: ['/api/payments/*'] } }],
        when: [{ key: 'request.headers[x-user-role]', notValues: ['guest'] }],
      }],
      targetRefs: [{ group: '', kind: 'Service', name: 'payment-service' }],
    });
  });

  test('DENY rules attach with targetRefs too', () => {
    const { chart, order, payment } = given();
    payment.security.denyFrom(order, { methods: [HttpMethod.DELETE] });
    const p = one(synth(chart), 'AuthorizationPolicy', 'payment-service-deny');
    expect(p.spec.targetRefs).toEqual([{ group: '', kind: 'Service', name: 'payment-service' }]);
    expect(p.spec.selector).toBeUndefined();
  });

  test('default deny stays real: ztunnel ALLOW-nothing, ztunnel admits the waypoint per workload, the waypoint denies by default', () => {
    const { chart, order } = given();
    order.allowFrom(INGRESS, { methods: [HttpMethod.GET] });
    const objects = synth(chart);
    expect(one(objects, 'AuthorizationPolicy', 'default-deny').spec).toEqual({ action: 'ALLOW' });
    expect(one(objects, 'AuthorizationPolicy', 'order-service-ztunnel-allow').spec).toEqual({
      selector: { matchLabels: { app: 'order-service' } },
      action: 'ALLOW',
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/production/sa/waypoint'] } }] }],
    });
    expect(one(objects, 'AuthorizationPolicy', 'waypoint-default-deny').spec).toEqual({
      action: 'ALLOW',
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint' }],
    });
    // The rules themselves are enforced at the waypoint; only the ztunnel exception selects pods.
    expect(policies(objects).filter((p) => p.spec.selector).map((p) => p.metadata.name)).toEqual(['order-service-ztunnel-allow']);
  });

  test('the waypoint exception follows the trust domain', () => {
    const { chart, mesh, ns } = meshChart({ dataPlane: DataPlaneMode.AMBIENT, trustDomain: 'example.org' });
    new ZeroTrustPolicy(chart, 'Zt', { mesh, namespaces: [{ namespace: ns }] });
    service(chart, ns, 'a').allowFrom(INGRESS);
    expect(one(synth(chart), 'AuthorizationPolicy', 'a-ztunnel-allow').spec.rules[0].from[0].source.principals).toEqual(['example.org/ns/production/sa/waypoint']);
  });

  test('an L7 policy without a waypoint is a clear error; an L4-only one is enforced by ztunnel with selector', () => {
    const { chart, order, payment } = given({ waypoint: false });
    expect(() => payment.allowFrom(order, { methods: [HttpMethod.POST] }))
      .toThrow(/\[test\/payment-service\] allowFrom\(shop\/order-service\): .* is invalid: this ALLOW rule uses attributes ztunnel cannot enforce \(methods\)/);
    expect(() => payment.allowFrom(order, { paths: [PathMatch.exact('/x')] }))
      .toThrow(/cannot enforce \(paths\); in ambient mode only a waypoint can, and namespace shop has waypoint: false/);
    expect(() => payment.allowFrom(order, { when: [Condition.requestHeader('x-a').values('1')] })).toThrow(/cannot enforce \(request.headers\[x-a\]\).*it would drop this rule, denying its callers/);
    payment.allowFrom(order, { ports: [8080] });
    const objects = synth(chart);
    expect(one(objects, 'AuthorizationPolicy', 'payment-service-allow').spec.selector).toEqual({ matchLabels: { app: 'payment-service' } });
    expect(objects.filter((o) => o.kind === 'Gateway')).toEqual([]);
  });

  test('STRICT PeerAuthentication keeps its selector (L4, enforced by ztunnel)', () => {
    const { chart, payment, zt } = given();
    zt!.requireMtls(payment, MtlsMode.STRICT);
    expect(one(synth(chart), 'PeerAuthentication', 'payment-service').spec).toEqual({ selector: { matchLabels: { app: 'payment-service' } }, mtls: { mode: 'STRICT' } });
  });

  test('the sidecar data plane still selects pods (no targetRefs, no waypoint objects)', () => {
    const { chart, mesh, ns } = meshChart();
    const a = service(chart, ns, 'a');
    new ZeroTrustPolicy(chart, 'Zt', { mesh, namespaces: [{ namespace: ns }] });
    a.allowFrom(INGRESS, { methods: [HttpMethod.GET] });
    const objects = synth(chart);
    expect(one(objects, 'AuthorizationPolicy', 'a-allow').spec.selector).toEqual({ matchLabels: { app: 'a' } });
    expect(one(objects, 'AuthorizationPolicy', 'a-allow').spec.targetRefs).toBeUndefined();
    expect(policies(objects).map((p) => p.metadata.name)).toEqual(['a-allow', 'default-deny']);
  });
});

describe('ambient: sidecar-only features', () => {
  test('LocalRateLimit is refused with a hint', () => {
    const { chart, payment } = given();
    expect(() => new LocalRateLimit(chart, 'Rl', { service: payment, tokenBucket: TokenBucket.of({ maxTokens: 1, fillInterval: Duration.seconds(1) }) }))
      .toThrow(/ambient workloads have no sidecar\. Hint: use the sidecar data plane for this service, or rate limit at a waypoint or gateway/);
  });

  test('ambient with the Istio routing API renders a VirtualService through the waypoint and warns CI1090', () => {
    const { chart, order } = given({ routingApi: RoutingApi.ISTIO });
    new CanaryRoute(chart, 'Route', { service: order, defaultDestination: Destination.version('v1') });
    const objects = synth(chart);
    expect(one(objects, 'VirtualService', 'order-service')).toBeDefined();
    expect(objects.filter((o) => o.kind === 'Gateway')).toHaveLength(1);
    expect(collectFindings(chart).filter((f) => f.code === 'CI1090').map((f) => f.path)).toEqual(['test/order-service']);
  });
});
