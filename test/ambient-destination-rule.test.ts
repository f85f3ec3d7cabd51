/**
 * Issue 22 item 3: DestinationRules on an ambient data plane. Istio documents the classic networking
 * APIs at waypoints as Alpha and mixing them with Gateway API routes as unsupported
 * (https://istio.io/latest/docs/ambient/usage/l7-features/); a waypoint applies a DestinationRule to
 * the clusters of the host it names (pilot/pkg/networking/core/cluster_waypoint.go, Istio 1.30.3), and
 * an HTTPRoute rule whose backends are per-version Services never uses the Service host's cluster.
 * Warning CI1091, never an error: the policy may be what the user wants to try.
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
  test('GIVEN ambient + Gateway API, routes to versions and a host CircuitBreaker WHEN synthesized THEN one warning: alpha/unsupported, and the dead Service-host DestinationRule', () => {
    const { chart, order } = given(RoutingApi.GATEWAY_API);
    new CanaryRoute(chart, 'Route', {
      service: order,
      rules: [{ match: [{ headers: [HeaderMatch.exact('x-canary', 'true')] }], destination: Destination.version('v2') }],
      defaultDestination: Destination.version('v1'),
    });
    new CircuitBreaker(chart, 'Pool', { service: order, connectionPool: pool });
    const found = ci1091(chart);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^test\/order-service: .*renders DestinationRules on an ambient data plane: Istio supports DestinationRule at waypoints as Alpha only, and documents mixing it with Gateway API routes as unsupported/);
    expect(found[0]).toMatch(/Also, its DestinationRule for the Service host order-service is never used: every HTTPRoute rule sends its requests to a per-version Service/);
  });

  test('GIVEN a route that keeps the Service host as a destination WHEN synthesized THEN the Service-host DestinationRule is used: one warning', () => {
    const { chart, order } = given(RoutingApi.GATEWAY_API);
    new CanaryRoute(chart, 'Route', {
      service: order,
      rules: [{ match: [{ headers: [HeaderMatch.exact('x-canary', 'true')] }], destination: Destination.version('v2') }],
      defaultDestination: Destination.service(),
    });
    new CircuitBreaker(chart, 'Pool', { service: order, connectionPool: pool });
    const found = ci1091(chart);
    expect(found).toHaveLength(1);
    expect(found[0]).not.toMatch(/never used/);
  });

  test('GIVEN ambient + the Istio API WHEN a CircuitBreaker renders a DestinationRule THEN the Alpha warning, without the Gateway API clause', () => {
    const { chart, order } = given(RoutingApi.ISTIO);
    new CircuitBreaker(chart, 'Pool', { service: order, connectionPool: pool });
    const found = ci1091(chart);
    expect(found).toHaveLength(1);
    expect(found[0]).not.toMatch(/Gateway API/);
  });

  test('GIVEN no traffic policy, or the sidecar data plane WHEN synthesized THEN no CI1091', () => {
    const a = given(RoutingApi.GATEWAY_API);
    new CanaryRoute(a.chart, 'Route', { service: a.order, defaultDestination: Destination.version('v1') });
    expect(ci1091(a.chart)).toEqual([]);
    const b = given(RoutingApi.GATEWAY_API, DataPlaneMode.SIDECAR);
    new CircuitBreaker(b.chart, 'Pool', { service: b.order, connectionPool: pool });
    expect(ci1091(b.chart)).toEqual([]);
  });

  test('GIVEN the reference app\'s ambient variant WHEN synthesized THEN both hosts warn, and order-service\'s Service-host DestinationRule is named dead', () => {
    const chart = Testing.chart();
    buildReferenceApp(chart, { dataPlane: DataPlaneMode.AMBIENT, routingApi: RoutingApi.GATEWAY_API }, AMBIENT_VARIANT);
    const found = ci1091(chart);
    expect(found.filter((m) => /Alpha only/.test(m)).map((m) => m.split(':')[0])).toEqual(['test/OrderService', 'test/PaymentService']);
    // payment-service has no route rules (timeout only in this variant: retries are off), so its Service host is used
    expect(found.filter((m) => /never used/.test(m)).map((m) => m.split(':')[0])).toEqual(['test/OrderService']);
  });
});
