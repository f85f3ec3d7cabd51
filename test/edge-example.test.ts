/**
 * examples/edge.ts (issue 17): dist/edge/ as the issue's "Example and output" describes it, with
 * synth-time validation on (no finding of any level) and dist/edge/control-plane/ setting
 * REGISTRY_ONLY and installing the egress gateway.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildEdgeApp, SHOP_ISSUER } from '../examples/edge';
import { MeshApp, MeshChart } from '../src';
import { validateManifests } from '../src/validation';
import { readManifests } from '../src/validation/read';

const lines: string[] = [];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-example-'));
const app = new MeshApp({ outdir: dir, log: (l) => lines.push(l) });
buildEdgeApp(new MeshChart(app, 'edge', { outputDir: 'edge' }), new MeshChart(app, 'edge-control-plane', { outputDir: 'edge/control-plane' }));
app.synth();
const objects = readManifests([path.join(dir, 'edge', 'edge.k8s.yaml')]).manifests.map((m) => m.manifest as any);
const cp = readManifests([path.join(dir, 'edge', 'control-plane', 'edge-control-plane.k8s.yaml')]).manifests.map((m) => m.manifest as any);

function one(kind: string, name: string): any {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
  expect({ kind, name, count: found.length }).toEqual({ kind, name, count: 1 });
  return found[0];
}

test('GIVEN the edge example WHEN synthesized with validation THEN no warning or error is reported', () => {
  // synth logs findings of every level to `log`; an error would have thrown
  expect(lines.filter((l) => /\b(warning|error)\b/i.test(l))).toEqual([]);
  // and the written set, validated again as `lint` reads it (no construct metadata), has none either
  const findings = validateManifests(readManifests([path.join(dir, 'edge', 'edge.k8s.yaml')]).manifests);
  expect(objects.length).toBeGreaterThan(20);
  expect(findings.filter((f) => f.level !== 'info').map((f) => `${f.code} ${f.kind}/${f.namespace}/${f.name}: ${f.message}`)).toEqual([]);
});

test('GIVEN the edge example THEN shop.example.com is served on istio-system/shop-gateway: HTTPS 443 from shop-example-com-tls (a Certificate of ClusterIssuer letsencrypt in istio-system), HTTP 80 redirecting', () => {
  expect(one('Gateway', 'shop-gateway')).toMatchObject({
    metadata: { namespace: 'istio-system' },
    spec: {
      selector: { istio: 'ingressgateway' },
      servers: [
        { port: { number: 443, protocol: 'HTTPS' }, hosts: ['istio-system/shop.example.com'], tls: { mode: 'SIMPLE', credentialName: 'shop-example-com-tls' } },
        { port: { number: 80, protocol: 'HTTP' }, hosts: ['istio-system/shop.example.com'], tls: { httpsRedirect: true } },
      ],
    },
  });
  expect(one('Certificate', 'shop-example-com-tls')).toMatchObject({
    metadata: { namespace: 'istio-system' },
    spec: { secretName: 'shop-example-com-tls', dnsNames: ['shop.example.com'], issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'letsencrypt' } },
  });
});

test('GIVEN the edge example THEN /api/orders and below go to order-service with its canary rules (x-canary, even user ids, 90/10)', () => {
  const vs = one('VirtualService', 'shop-gateway-shop-example-com');
  expect(vs.spec.gateways).toEqual(['istio-system/shop-gateway']);
  expect(vs.spec.hosts).toEqual(['shop.example.com']);
  const paths = [{ exact: '/api/orders' }, { prefix: '/api/orders/' }];
  expect(vs.spec.http.map((r: any) => r.name ?? 'default')).toEqual(['canary', 'ab-even-users', 'default']);
  expect(vs.spec.http[0].match).toEqual(paths.map((uri) => ({ uri, headers: { 'x-canary': { exact: 'true' } } })));
  expect(vs.spec.http[2].match).toEqual(paths.map((uri) => ({ uri })));
  expect(vs.spec.http[2].route).toEqual([
    { destination: { host: 'order-service.production.svc.cluster.local', port: { number: 8080 }, subset: 'v1' }, weight: 90 },
    { destination: { host: 'order-service.production.svc.cluster.local', port: { number: 8080 }, subset: 'v2' }, weight: 10 },
  ]);
});

test('GIVEN the edge example THEN order-service validates the shop tokens, the gateway may GET /api/orders*, and POST /api/orders needs a valid token with scope orders:write', () => {
  expect(one('RequestAuthentication', 'order-service-jwt').spec).toEqual({
    selector: { matchLabels: { app: 'order-service' } },
    jwtRules: [{ issuer: SHOP_ISSUER, jwksUri: `${SHOP_ISSUER}/.well-known/jwks.json`, audiences: ['shop-api'] }],
  });
  const gatewayPrincipal = 'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account';
  const rules = one('AuthorizationPolicy', 'order-service-allow').spec.rules.filter((r: any) => r.from[0].source.principals.includes(gatewayPrincipal));
  expect(rules).toEqual([
    { from: [{ source: { namespaces: ['istio-system'], principals: [gatewayPrincipal] } }], to: [{ operation: { methods: ['GET'], paths: ['/api/orders', '/api/orders/*'] } }] },
    {
      from: [{ source: { namespaces: ['istio-system'], principals: [gatewayPrincipal], requestPrincipals: [`${SHOP_ISSUER}/*`] } }],
      to: [{ operation: { methods: ['POST'], paths: ['/api/orders'] } }],
      when: [{ key: 'request.auth.claims[scope]', values: ['orders:write'] }],
    },
  ]);
});

test('GIVEN the edge example THEN payment-service reaches api.stripe.com:443 through the egress gateway, which admits only payment-service, and the control plane sets REGISTRY_ONLY', () => {
  expect(one('ServiceEntry', 'stripe').spec).toMatchObject({ hosts: ['api.stripe.com'], location: 'MESH_EXTERNAL', ports: [{ number: 443, protocol: 'TLS' }] });
  expect(one('VirtualService', 'stripe-egress').spec.tls[0].route[0].destination.host).toBe('istio-egressgateway.istio-system.svc.cluster.local');
  expect(one('AuthorizationPolicy', 'production-stripe-egress')).toMatchObject({
    metadata: { namespace: 'istio-system' },
    spec: { selector: { matchLabels: { istio: 'egressgateway' } }, action: 'ALLOW', rules: [{ from: [{ source: { principals: ['cluster.local/ns/production/sa/payment-service'] } }] }] },
  });
  expect(one('Sidecar', 'payment-service').spec.egress[0].hosts).toContain('production/api.stripe.com');
  expect(one('Sidecar', 'order-service').spec.egress[0].hosts).not.toContain('production/api.stripe.com');
  const operator = cp.find((o) => o.kind === 'IstioOperator');
  expect(operator.spec).toMatchObject({ meshConfig: { outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } }, components: { egressGateways: [{ name: 'istio-egressgateway', enabled: true }] } });
});
