import { Testing } from 'cdk8s';
import { AMBIENT_VARIANT, buildReferenceApp, INGRESS_GATEWAY } from '../examples/reference-app';
import { DataPlaneMode, principalOf, RoutingApi } from '../src';
import { validateManifests } from '../src/validation';

// GIVEN the ambient + Gateway API variant of the reference app, synthesized
const chart = Testing.chart();
buildReferenceApp(chart, { dataPlane: DataPlaneMode.AMBIENT, routingApi: RoutingApi.GATEWAY_API }, AMBIENT_VARIANT);
const manifests = Testing.synth(chart).map((manifest: any) => ({ manifest }));
const INGRESS = principalOf(INGRESS_GATEWAY, 'cluster.local');

describe('validation of the ambient + Gateway API variant', () => {
  test('zero findings (schemas, CEL, webhook rules, analyzers), the ingress gateway declared external', () => {
    expect(validateManifests(manifests, { externalPrincipals: [INGRESS] })).toEqual([]);
  });

  test('the waypoint identity is known from its istio-waypoint Gateway (Istio creates its ServiceAccount)', () => {
    const withoutGateway = manifests.filter((m: any) => m.manifest.kind !== 'Gateway');
    const findings = validateManifests(withoutGateway, { externalPrincipals: [INGRESS] });
    expect(findings.map((f) => `${f.code} ${f.kind}/${f.name}`)).toContain('CI3002 AuthorizationPolicy/payment-service-ztunnel-allow');
  });

  test('a Gateway of another class implies no ServiceAccount', () => {
    const other = manifests.map((m: any) => (m.manifest.kind === 'Gateway' ? { manifest: { ...m.manifest, spec: { ...m.manifest.spec, gatewayClassName: 'istio' } } } : m));
    const findings = validateManifests(other, { externalPrincipals: [INGRESS] });
    expect(findings.filter((f) => f.code === 'CI3002').map((f) => f.name)).toEqual(['order-service-ztunnel-allow', 'payment-service-ztunnel-allow']);
  });
});
