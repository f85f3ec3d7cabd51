/**
 * A service routed on a non-primary port and exposed at an ingress gateway: the gateway's route sends
 * to the port the host's rules were written for (the route port), in the Istio API and the Gateway API.
 */
import { CanaryRoute, CertificateIssuer, Destination, GatewayTls, IngressGateway, MeshTesting, RoutePath, RoutingApi } from '../../src';
import { meshChart, service } from '../helpers';

function exposedAdmin(routingApi: RoutingApi) {
  // GIVEN admin with gRPC 9090 (primary) and HTTP 8081, routed on 8081, exposed at a gateway
  const { chart, mesh, ns } = meshChart({ routingApi });
  const admin = service(chart, ns, 'admin', { versions: [{ name: 'v1' }], ports: [{ name: 'grpc', port: 9090 }, { name: 'http-admin', port: 8081 }] });
  new CanaryRoute(chart, 'AdminRoute', { service: admin, port: 8081, defaultDestination: Destination.version('v1') });
  const gw = new IngressGateway(chart, 'Gw', { mesh, name: 'shop-gateway', hosts: ['shop.example.com'], tls: GatewayTls.simple('shop-tls'), certificate: { issuer: CertificateIssuer.clusterIssuer('letsencrypt') } });
  gw.expose(admin, { paths: [RoutePath.prefix('/admin')] });
  return MeshTesting.synth(chart);
}

describe('ingress exposure of a host routed on a non-primary port', () => {
  test('Istio API: the gateway VirtualService sends to the route port 8081, not the primary 9090', () => {
    const { manifests, findings } = exposedAdmin(RoutingApi.ISTIO);
    expect(findings.filter((f) => f.level === 'error')).toEqual([]);
    const vs: any = manifests.find((m: any) => m.kind === 'VirtualService' && (m.spec.gateways ?? []).some((g: string) => g.includes('shop-gateway')));
    const ports = vs.spec.http.flatMap((r: any) => (r.route ?? []).map((d: any) => d.destination.port?.number));
    expect(ports.length).toBeGreaterThan(0);
    expect(new Set(ports)).toEqual(new Set([8081]));
  });

  test('Gateway API: the HTTPRoute on the gateway names the route port 8081 in its backendRefs', () => {
    const { manifests, findings } = exposedAdmin(RoutingApi.GATEWAY_API);
    expect(findings.filter((f) => f.level === 'error')).toEqual([]);
    // (the gateway's other HTTPRoute is its HTTP→HTTPS redirect, with no backends)
    const route: any = manifests.find((m: any) => m.kind === 'HTTPRoute' && m.metadata.name === 'shop-gateway-admin-shop-example-com');
    const ports = route.spec.rules.flatMap((r: any) => (r.backendRefs ?? []).map((b: any) => b.port));
    expect(ports.length).toBeGreaterThan(0);
    expect(new Set(ports)).toEqual(new Set([8081]));
  });
});
