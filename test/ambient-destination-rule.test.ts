/**
 * Issue 22 item 3: DestinationRules on an ambient data plane. Istio's ambient docs list DestinationRule
 * traffic policies as applied by waypoints, and HTTPRoutes as reaching versions through per-version
 * Services rather than subsets (https://istio.io/latest/docs/ambient/migrate/migrate-policies/; only
 * VirtualService at waypoints is Alpha: https://istio.io/latest/docs/ambient/usage/l7-features/). A
 * waypoint builds a cluster per Service, port and protocol with that host's DestinationRule
 * (pilot/pkg/networking/core/cluster_waypoint.go buildWaypointInboundVIP, Istio 1.30.3): it is the
 * client, so pool limits count every caller together (warning CI1091), and an HTTPRoute rule whose
 * backends are per-version Services never uses the Service host's cluster, whose DestinationRule is then
 * not rendered.
 */
import { Testing } from 'cdk8s';
import { AMBIENT_VARIANT, buildReferenceApp } from '../examples/reference-app';
import { CanaryRoute, CircuitBreaker, ConnectionPool, DataPlaneMode, Destination, HeaderMatch, RoutingApi } from '../src';
import { collectFindings } from '../src/warnings';
import { meshChart, service, synth } from './helpers';

function given(routingApi: RoutingApi, dataPlane = DataPlaneMode.AMBIENT) {
  const { chart, ns } = meshChart({ dataPlane, routingApi });
  const order = service(chart, ns, 'order-service', { versions: [{ name: 'v1' }, { name: 'v2' }] });
  return { chart, order };
}
const pool = ConnectionPool.of({ http: { http1MaxPendingRequests: 10 } });
const ci1091 = (chart: any) => (synth(chart), collectFindings(chart)).filter((f: any) => f.code === 'CI1091').map((f: any) => `${f.path}: ${f.message}`);

describe('CI1091: DestinationRules on an ambient data plane', () => {
  test('GIVEN ambient + Gateway API, routes to versions and a host CircuitBreaker WHEN synthesized THEN the Service-host DestinationRule is not rendered, the per-version ones carry the pool, and one warning says so', () => {
    const { chart, order } = given(RoutingApi.GATEWAY_API);
    new CanaryRoute(chart, 'Route', {
      service: order,
      rules: [{ match: [{ headers: [HeaderMatch.exact('x-canary', 'true')] }], destination: Destination.version('v2') }],
      defaultDestination: Destination.version('v1'),
    });
    new CircuitBreaker(chart, 'Pool', { service: order, connectionPool: pool });
    const objects = synth(chart);
    expect(objects.filter((o) => o.kind === 'DestinationRule').map((o) => [o.metadata.name, o.spec])).toEqual([
      ['order-service-v1', { host: 'order-service-v1', trafficPolicy: { connectionPool: { http: { http1MaxPendingRequests: 10 } } } }],
      ['order-service-v2', { host: 'order-service-v2', trafficPolicy: { connectionPool: { http: { http1MaxPendingRequests: 10 } } } }],
    ]);
    const found = ci1091(chart);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^test\/order-service: .*renders DestinationRules on an ambient data plane: the namespace waypoint applies them as the client of order-service, so the connection pool limits and outlier detection count the requests of every caller together/);
    expect(found[0]).toMatch(/Also, its DestinationRule for the Service host order-service is not rendered: every HTTPRoute rule sends its requests to a per-version Service/);
  });

  test('GIVEN the same intent on the sidecar data plane WHEN synthesized THEN the Service-host DestinationRule is left out too (no sidecar request uses it), without a warning', () => {
    const { chart, order } = given(RoutingApi.GATEWAY_API, DataPlaneMode.SIDECAR);
    new CanaryRoute(chart, 'Route', { service: order, defaultDestination: Destination.version('v1') });
    new CircuitBreaker(chart, 'Pool', { service: order, connectionPool: pool });
    expect(synth(chart).filter((o) => o.kind === 'DestinationRule').map((o) => o.metadata.name)).toEqual(['order-service-v1']);
    expect(ci1091(chart)).toEqual([]);
  });

  test('GIVEN a TCP port beside the HTTP one WHEN every rule goes to a version THEN the Service-host DestinationRule stays: the waypoint\'s TCP cluster of the Service applies it', () => {
    const { chart, ns } = meshChart({ dataPlane: DataPlaneMode.AMBIENT, routingApi: RoutingApi.GATEWAY_API });
    const order = service(chart, ns, 'order-service', { versions: [{ name: 'v1' }, { name: 'v2' }], portName: 'tcp' });
    new CanaryRoute(chart, 'Route', { service: order, defaultDestination: Destination.version('v1') });
    new CircuitBreaker(chart, 'Pool', { service: order, connectionPool: pool });
    expect(synth(chart).filter((o) => o.kind === 'DestinationRule').map((o) => o.metadata.name)).toContain('order-service');
  });

  test('GIVEN a route that keeps the Service host as a destination WHEN synthesized THEN the Service-host DestinationRule is used: one warning', () => {
    const { chart, order } = given(RoutingApi.GATEWAY_API);
    new CanaryRoute(chart, 'Route', {
      service: order,
      rules: [{ match: [{ headers: [HeaderMatch.exact('x-canary', 'true')] }], destination: Destination.version('v2') }],
      defaultDestination: Destination.service(),
    });
    new CircuitBreaker(chart, 'Pool', { service: order, connectionPool: pool });
    expect(synth(chart).filter((o) => o.kind === 'DestinationRule').map((o) => o.metadata.name)).toContain('order-service');
    const found = ci1091(chart);
    expect(found).toHaveLength(1);
    expect(found[0]).not.toMatch(/not rendered/);
  });

  test('GIVEN ambient + the Istio API WHEN a CircuitBreaker renders a DestinationRule THEN the warning, and the DestinationRule stays', () => {
    const { chart, order } = given(RoutingApi.ISTIO);
    new CircuitBreaker(chart, 'Pool', { service: order, connectionPool: pool });
    const found = ci1091(chart);
    expect(found).toHaveLength(1);
    expect(found[0]).not.toMatch(/not rendered/);
    expect(synth(chart).filter((o) => o.kind === 'DestinationRule').map((o) => o.metadata.name)).toEqual(['order-service']);
  });

  test('GIVEN no traffic policy, or the sidecar data plane WHEN synthesized THEN no CI1091', () => {
    const a = given(RoutingApi.GATEWAY_API);
    new CanaryRoute(a.chart, 'Route', { service: a.order, defaultDestination: Destination.version('v1') });
    expect(ci1091(a.chart)).toEqual([]);
    const b = given(RoutingApi.GATEWAY_API, DataPlaneMode.SIDECAR);
    new CircuitBreaker(b.chart, 'Pool', { service: b.order, connectionPool: pool });
    expect(ci1091(b.chart)).toEqual([]);
  });

  test('GIVEN the reference app\'s ambient variant WHEN synthesized THEN both hosts warn, and order-service\'s Service-host DestinationRule is left out', () => {
    const chart = Testing.chart();
    buildReferenceApp(chart, { dataPlane: DataPlaneMode.AMBIENT, routingApi: RoutingApi.GATEWAY_API }, AMBIENT_VARIANT);
    const found = ci1091(chart);
    expect(found.filter((m) => /every caller together/.test(m)).map((m) => m.split(':')[0])).toEqual(['test/OrderService', 'test/PaymentService']);
    // payment-service has no route rules (timeout only in this variant: retries are off), so its Service host is used
    expect(found.filter((m) => /not rendered/.test(m)).map((m) => m.split(':')[0])).toEqual(['test/OrderService']);
  });
});
