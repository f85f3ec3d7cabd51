/**
 * With Gateway API routes, the Service host's own DestinationRule is rendered only when a request can
 * use the Service host's cluster (render/gateway-api.ts serviceHostRuleUnused): on the sidecar and the
 * ambient data plane alike. An HTTPRoute attaches to one Service port, so every other port keeps the
 * Service's default route to that cluster (Istio 1.30.3: pilot/pkg/config/kube/gateway/conversion.go
 * augmentPortMatch; core/route/route.go BuildSidecarVirtualHostWrapper for sidecars;
 * core/listener_waypoint.go buildWaypointInboundHTTPRouteConfig for waypoints). Istio's own route
 * generation confirms both cases for sidecars: test/conformance/gateway-api-host-rule.test.ts.
 */
import { CanaryRoute, CircuitBreaker, ConnectionPool, DataPlaneMode, Destination, RoutingApi, ServicePort } from '../src';
import { meshChart, service, synth } from './helpers';

const pool = ConnectionPool.of({ http: { http1MaxPendingRequests: 10 } });

/** GIVEN order-service (v1, v2) with these ports, routed 90/10 to its versions, with a host CircuitBreaker. */
function destinationRules(dataPlane: DataPlaneMode, ports: ServicePort[]): string[] {
  const { chart, ns } = meshChart({ dataPlane, routingApi: RoutingApi.GATEWAY_API });
  const order = service(chart, ns, 'order-service', { versions: [{ name: 'v1' }, { name: 'v2' }], ports });
  new CanaryRoute(chart, 'Route', { service: order, defaultDestination: Destination.split([{ version: 'v1', percent: 90 }, { version: 'v2', percent: 10 }]) });
  new CircuitBreaker(chart, 'Pool', { service: order, connectionPool: pool });
  return synth(chart).filter((o) => o.kind === 'DestinationRule').map((o) => o.metadata.name);
}

describe.each([['sidecar', DataPlaneMode.SIDECAR], ['ambient', DataPlaneMode.AMBIENT]])('Gateway API on the %s data plane: the Service host\'s DestinationRule', (_name, dataPlane) => {
  test('GIVEN one HTTP port and every rule to a version THEN it is not rendered: the per-version DestinationRules carry the policy', () => {
    expect(destinationRules(dataPlane, [{ name: 'http', port: 8080 }])).toEqual(['order-service-v1', 'order-service-v2']);
  });

  test('GIVEN a second HTTP port THEN it is rendered: requests to that port take the Service\'s default route to the Service host\'s cluster', () => {
    expect(destinationRules(dataPlane, [{ name: 'http', port: 8080 }, { name: 'http-admin', port: 8081 }])).toEqual(['order-service', 'order-service-v1', 'order-service-v2']);
  });

  test('GIVEN a TCP port beside the HTTP one THEN it is rendered: TCP is proxied to the Service host\'s cluster', () => {
    expect(destinationRules(dataPlane, [{ name: 'http', port: 8080 }, { name: 'tcp-db', port: 5432 }])).toEqual(['order-service', 'order-service-v1', 'order-service-v2']);
  });
});
