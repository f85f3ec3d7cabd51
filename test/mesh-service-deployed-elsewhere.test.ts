/**
 * A service deployed elsewhere (MeshService.fromAttributes: Helm, another repository) can be routed,
 * exposed and protected: its Service and pods are not in the set, so the objects the mesh renders for it
 * declare them (annotation validation.cdk8s-istio.io/deployed-elsewhere), and the analyzers (at synth and in
 * lint of the YAML) and the simulator count them as present. Before, any route to it failed synth with
 * IST0101 and its policies warned IST0127.
 */
import * as yaml from 'yaml';
import { CanaryRoute, CertificateIssuer, Destination, GatewayTls, IngressGateway, MeshNamespace, MeshService, MeshSimulator, MeshTesting, RoutePath, validateManifests } from '../src';
import { deployedElsewhereObjects } from '../src/manifests';
import { meshChart, service } from './helpers';

function routedElsewhere(namespace: 'declared' | 'adopted' | 'named') {
  const { chart, mesh, ns } = meshChart();
  const where = namespace === 'declared' ? ns : namespace === 'adopted' ? MeshNamespace.fromName(chart, 'Billing', 'billing', { mesh }) : 'ledger';
  const pay = MeshService.fromAttributes(chart, 'Pay', { mesh, namespace: where, name: 'pay', serviceAccount: 'pay', port: 8080, versions: ['v1', 'v2'] });
  new CanaryRoute(chart, 'PayRoute', { service: pay, defaultDestination: Destination.split([{ version: 'v1', percent: 50 }, { version: 'v2', percent: 50 }]) });
  const order = service(chart, ns, 'order-service');
  pay.allowFrom(order);
  return { chart, mesh, pay };
}

describe('a service deployed elsewhere is routed and protected without IST0101/IST0127', () => {
  test.each(['declared', 'adopted', 'named'] as const)('GIVEN a fromAttributes service in a %s namespace with a 50/50 route WHEN synthesized THEN no error and no Istio warning', (namespace) => {
    const { findings, manifests } = MeshTesting.synth(routedElsewhere(namespace).chart);
    expect(findings.filter((f) => f.level === 'error' || f.code.startsWith('IST'))).toEqual([]);
    // AND the YAML carries the declaration, so lint of the written files agrees
    const text = manifests.map((m) => yaml.stringify(m)).join('---\n');
    const reread = yaml.parseAllDocuments(text).map((d) => ({ manifest: d.toJSON() }));
    expect(validateManifests(reread).filter((f) => f.level === 'error' || f.code.startsWith('IST'))).toEqual([]);
    // AND neither a Service nor a Deployment of it is written
    expect(manifests.filter((m: any) => (m.kind === 'Service' || m.kind === 'Deployment') && m.metadata.name.startsWith('pay'))).toEqual([]);
  });

  test('GIVEN it is exposed at an ingress gateway WHEN synthesized THEN no IST0101 for the gateway route', () => {
    const { chart, mesh, pay } = routedElsewhere('declared');
    const gw = new IngressGateway(chart, 'Gw', { mesh, name: 'shop-gateway', hosts: ['shop.example.com'], tls: GatewayTls.simple('shop-tls'), certificate: { issuer: CertificateIssuer.clusterIssuer('letsencrypt') } });
    gw.expose(pay, { paths: [RoutePath.prefix('/pay')] });
    const { findings } = MeshTesting.synth(chart);
    expect(findings.filter((f) => f.level === 'error' || f.code === 'IST0101')).toEqual([]);
  });

  test('GIVEN the synthesized set WHEN simulated THEN the route splits across the two versions and the caller is allowed', () => {
    const { manifests } = MeshTesting.synth(routedElsewhere('declared').chart);
    const sim = MeshSimulator.fromManifests(manifests);
    const r = sim.route({ host: 'pay.production' });
    expect(r.destinations.map((d) => [d.subset, d.weight])).toEqual([['v1', 50], ['v2', 50]]);
    expect(sim.authorize({ to: 'pay.production', fromPrincipal: 'cluster.local/ns/production/sa/order-service' }).decision).toBe('ALLOW');
    expect(sim.authorize({ to: 'pay.production', fromPrincipal: 'cluster.local/ns/production/sa/other' }).decision).toBe('DENY');
  });

  test('GIVEN a malformed or hostile annotation THEN it is ignored, not thrown', () => {
    const bad = ['', '{', 'null', '[]', JSON.stringify({ namespace: 'x', name: 'y', serviceAccount: 'z', ports: [{ name: 'http', port: 0, targetPort: 1 }], selector: {}, versions: [], dataPlane: 'sidecar' }), 'x'.repeat(70000)];
    for (const v of bad) {
      expect(deployedElsewhereObjects([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n', annotations: { 'validation.cdk8s-istio.io/deployed-elsewhere': v } } }])).toEqual([]);
    }
  });
});
