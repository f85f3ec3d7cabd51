/**
 * Which clusters istiod's own route generation sends a sidecar's requests to, for a service routed by a
 * Gateway API HTTPRoute (GAMMA, sidecar data plane): the evidence behind render/gateway-api.ts
 * serviceHostRuleUnused. On the routed port every request goes to a per-version Service's cluster (so
 * the Service host's DestinationRule would apply to nothing there); on another port of the Service the
 * HTTPRoute has no route (conversion.go augmentPortMatch), so the Service keeps its default route to
 * its own cluster (route/route.go BuildSidecarVirtualHostWrapper), where its DestinationRule applies.
 */
import { Testing } from 'cdk8s';
import { CanaryRoute, CircuitBreaker, ConnectionPool, Destination, RoutingApi, ServicePort } from '../../src';
import { meshChart, service } from '../helpers';
import { describeConformance, IstioRouteAnswer, runBatch, SKIP, writeYaml } from './harness';

const FQDN = (name: string) => `${name}.production.svc.cluster.local`;

/** The sidecar + Gateway API objects of order-service (v1, v2) with these ports, routed 90/10, with a host CircuitBreaker, and a client. */
function objects(ports: ServicePort[]): any[] {
  const { chart, ns } = meshChart({ routingApi: RoutingApi.GATEWAY_API });
  const order = service(chart, ns, 'order-service', { versions: [{ name: 'v1' }, { name: 'v2' }], ports });
  service(chart, ns, 'client');
  new CanaryRoute(chart, 'Route', { service: order, defaultDestination: Destination.split([{ version: 'v1', percent: 90 }, { version: 'v2', percent: 10 }]) });
  new CircuitBreaker(chart, 'Pool', { service: order, connectionPool: ConnectionPool.of({ http: { http1MaxPendingRequests: 10 } }) });
  return Testing.synth(chart);
}

describeConformance('Istio conformance: the Service host\'s DestinationRule with Gateway API routes (sidecar)', () => {
  const cases = {
    onePort: objects([{ name: 'http', port: 8080 }]),
    twoPorts: objects([{ name: 'http', port: 8080 }, { name: 'http-admin', port: 8081 }]),
  };
  let answers: { onePort: IstioRouteAnswer[]; twoPorts: IstioRouteAnswer[] } | undefined;

  beforeAll(() => {
    if (SKIP) return;
    const request = (port: number) => ({ source: { namespace: 'production', workload: 'client-v1' }, host: FQDN('order-service'), port, method: 'GET', path: '/api/orders' });
    const [one, two] = runBatch<{ answers: IstioRouteAnswer[] }>([
      { args: ['route', writeYaml(cases.onePort)], input: [request(8080)] },
      { args: ['route', writeYaml(cases.twoPorts)], input: [request(8080), request(8081)] },
    ]);
    if (one.error !== undefined || two.error !== undefined) throw new Error(`istio-conformance route: ${one.error ?? two.error}`);
    answers = { onePort: one.result!.answers, twoPorts: two.result!.answers };
  }, 10 * 60_000);

  test('GIVEN one HTTP port THEN pilot sends every request to the per-version Services, never to the Service host: its DestinationRule is not rendered', () => {
    const hosts = answers!.onePort[0].clusters.map((c) => c.host);
    expect(hosts.sort()).toEqual([FQDN('order-service-v1'), FQDN('order-service-v2')]);
    expect(cases.onePort.filter((o) => o.kind === 'DestinationRule').map((o) => o.metadata.name)).toEqual(['order-service-v1', 'order-service-v2']);
  });

  test('GIVEN a second HTTP port THEN pilot routes that port to the Service host\'s own cluster (the routed port still to the versions): its DestinationRule is rendered', () => {
    const [routed, other] = answers!.twoPorts;
    expect(routed.clusters.map((c) => c.host).sort()).toEqual([FQDN('order-service-v1'), FQDN('order-service-v2')]);
    expect(other.clusters).toEqual([expect.objectContaining({ host: FQDN('order-service'), port: 8081 })]);
    expect(cases.twoPorts.filter((o) => o.kind === 'DestinationRule').map((o) => o.metadata.name)).toContain('order-service');
  });
});
