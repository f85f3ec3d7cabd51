/**
 * Issue 17 leftovers: the gateway credential rule under the Gateway API (CI3006, the rule IST0101
 * applies to an Istio Gateway's credentialName; Istio 1.30.3 pilot/pkg/config/kube/gateway/conversion.go
 * buildTLS), checked at synth; and the `requestPrincipals: ["*"]` trap (a token without `sub` carries no
 * request principal: `*` matches issuer `.+` and subject `.+`, Istio 1.30.3
 * pilot/pkg/security/authz/model/generator.go requestPrincipalGenerator.extendedPrincipal; istio/istio#22540).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  CertificateIssuer, GatewayTls, IngressGateway, JwtRule, Mesh, MeshApp, MeshChart, MeshNamespace, MeshProps, MeshSimulator, RequestAuthentication, RequestPrincipal,
  RoutePath, RoutingApi, Validation,
} from '../src';
import { meshChart, one, OTEL, service, synth } from './helpers';
import { Testing } from 'cdk8s';

function setup(meshProps: MeshProps = {}) {
  const app = new MeshApp({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'edge-credentials-')), log: () => undefined });
  const chart = new MeshChart(app, 'app');
  const mesh = new Mesh(chart, 'Mesh', { tracing: { provider: OTEL, samplingPercentage: 10 }, ...meshProps });
  const ns = new MeshNamespace(chart, 'Production', { mesh, name: 'production' });
  const order = service(chart, ns, 'order-service');
  return { app, chart, mesh, ns, order };
}

describe('Gateway API: the listener certificateRefs must be served (CI3006)', () => {
  test('GIVEN a Gateway API gateway with TLS and no Certificate WHEN synthesized THEN CI3006 fails synth, as IST0101 does for credentialName', () => {
    const s = setup({ routingApi: RoutingApi.GATEWAY_API });
    new IngressGateway(s.chart, 'Gw', { mesh: s.mesh, namespace: 'production', hosts: ['shop.example.com'], tls: GatewayTls.simple('shop-tls') });
    expect(() => s.app.synth()).toThrow(/CI3006 .*Gateway\/production\/gw .*spec\.listeners\[0\]\.tls\.certificateRefs\[0\]: Secret "production\/shop-tls" is neither in the set nor written there by a Certificate of the set/);
  });

  test('GIVEN the same gateway with a certificate WHEN synthesized THEN the Certificate is written into the Gateway\'s namespace and synth passes', () => {
    const s = setup({ routingApi: RoutingApi.GATEWAY_API });
    const gw = new IngressGateway(s.chart, 'Gw', {
      mesh: s.mesh, namespace: 'production', hosts: ['shop.example.com'], tls: GatewayTls.simple('shop-tls'),
      certificate: { issuer: CertificateIssuer.clusterIssuer('letsencrypt') },
    });
    gw.expose(s.order, { paths: [RoutePath.prefix('/api/orders')] });
    expect(() => s.app.synth()).not.toThrow();
    const objects = Testing.synth(s.chart);
    expect(one(objects, 'Certificate', 'shop-tls').metadata.namespace).toBe('production');
    expect(one(objects, 'Gateway', 'gw').spec.listeners[0].tls.certificateRefs).toEqual([{ group: '', kind: 'Secret', name: 'shop-tls' }]);
  });

  test('GIVEN a Secret provided outside the app WHEN suppressed with a reason THEN synth passes', () => {
    const s = setup({ routingApi: RoutingApi.GATEWAY_API });
    const gw = new IngressGateway(s.chart, 'Gw', { mesh: s.mesh, namespace: 'production', hosts: ['shop.example.com'], tls: GatewayTls.simple('shop-tls') });
    Validation.suppress(gw, 'CI3006', 'the TLS Secret is synced by external-secrets');
    expect(() => s.app.synth()).not.toThrow();
  });
});

describe('requestPrincipals ["*"] needs a token with a non-empty sub', () => {
  test('GIVEN an allow rule with RequestPrincipal.anyIssuer() WHEN a valid token without sub is sent THEN it is denied; with a sub THEN allowed', () => {
    const { chart, ns } = meshChart();
    const order = service(chart, ns, 'order-service');
    const caller = service(chart, ns, 'web');
    new RequestAuthentication(chart, 'Jwt', { target: order, jwtRules: [JwtRule.of({ issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/jwks.json' })] });
    order.allowFrom(caller, { requestPrincipals: [RequestPrincipal.anyIssuer()] });
    const objects = synth(chart);
    expect(one(objects, 'AuthorizationPolicy', 'order-service-allow').spec.rules[0].from[0].source.requestPrincipals).toEqual(['*']);
    const sim = MeshSimulator.fromManifests(objects);
    const from = 'cluster.local/ns/production/sa/web';
    expect(sim.authorize({ to: 'order-service.production', fromPrincipal: from, method: 'GET', path: '/', claims: { iss: 'https://auth.example.com', aud: 'x' } }).decision).toBe('DENY');
    expect(sim.authorize({ to: 'order-service.production', fromPrincipal: from, method: 'GET', path: '/', claims: { iss: 'https://auth.example.com', sub: 'u1' } }).decision).toBe('ALLOW');
  });
});
