/**
 * Istio's own code on the edge in the other mode (issue 17): the shop's ingress (a Gateway API Gateway of
 * class istio with a cert-manager Certificate, an HTTPRoute per exposure) and end-user JWT
 * (RequestAuthentication and the token-requiring rule at the waypoint) on an ambient mesh with
 * RoutingApi.GATEWAY_API. istiod's webhook and the CRD schemas accept every object, and Istio's
 * analyzers report no Warning or Error. (Egress through the egress gateway is refused on ambient.)
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { clusterContext } from './cluster';
import { AnalyzeOutput, crdFiles, describeConformance, runBatch, SKIP, ValidateOutput, writeYaml } from './harness';
import {
  CertificateIssuer, DataPlaneMode, GatewayTls, HttpMethod, IngressGateway, JwtRule, Mesh, MeshApp, MeshChart, MeshNamespace, MtlsMode,
  RequestAuthentication, RequestPrincipal, RoutePath, RoutingApi, ZeroTrustPolicy,
} from '../../src';
import { readManifests } from '../../src/validation/read';
import { OTEL, service } from '../helpers';

describeConformance('Istio conformance: the edge on ambient + Gateway API', () => {
  let validated: ValidateOutput | undefined;
  let analyzed: AnalyzeOutput | undefined;
  let kinds: string[] = [];

  beforeAll(() => {
    if (SKIP) return;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-ambient-'));
    const app = new MeshApp({ outdir: dir, log: () => undefined });
    const chart = new MeshChart(app, 'edge-ambient');
    const mesh = new Mesh(chart, 'Mesh', { tracing: { provider: OTEL, samplingPercentage: 10 }, dataPlane: DataPlaneMode.AMBIENT, routingApi: RoutingApi.GATEWAY_API });
    const ns = new MeshNamespace(chart, 'Production', { mesh, name: 'production' });
    const order = service(chart, ns, 'order-service', { versions: [{ name: 'v1' }, { name: 'v2' }] });
    new ZeroTrustPolicy(chart, 'ZeroTrust', { mesh, meshMtls: MtlsMode.STRICT, namespaces: [{ namespace: ns, defaultDeny: true }] });
    const gw = new IngressGateway(chart, 'Shop', {
      mesh, name: 'shop', namespace: 'production', hosts: ['shop.example.com'],
      tls: GatewayTls.simple('shop-example-com-tls'), certificate: { issuer: CertificateIssuer.clusterIssuer('letsencrypt') },
    });
    gw.expose(order, { paths: [RoutePath.prefix('/api/orders')], methods: [HttpMethod.GET] });
    new RequestAuthentication(chart, 'ShopJwt', { target: order, jwtRules: [JwtRule.of({ issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/.well-known/jwks.json', audiences: ['shop-api'] })] });
    order.allowFrom(gw, { methods: [HttpMethod.POST], requestPrincipals: [RequestPrincipal.fromIssuer('https://auth.example.com')] });
    app.synth();
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => path.join(dir, f));
    const objects = readManifests(files).manifests.map((m) => m.manifest);
    kinds = objects.map((o: any) => o.kind);
    const context = writeYaml(clusterContext(objects), undefined, 'cluster-context.yaml');
    const crds = crdFiles().flatMap((f) => ['--crds', f]);
    const [v, a] = runBatch([{ args: ['validate', ...crds, ...files] }, { args: ['analyze', ...files, context] }]);
    if (v.error || a.error) throw new Error(`istio-conformance failed: ${v.error ?? a.error}`);
    validated = v.result;
    analyzed = a.result;
  }, 20 * 60_000);

  test('GIVEN the set THEN it has the Gateway API Gateway, HTTPRoutes, Certificate and RequestAuthentication', () => {
    expect(kinds).toEqual(expect.arrayContaining(['Gateway', 'HTTPRoute', 'Certificate', 'RequestAuthentication', 'AuthorizationPolicy']));
  });

  test('GIVEN the set WHEN checked by istiod\'s webhook and the CRD schemas THEN nothing is rejected', () => {
    const problems = validated!.objects.flatMap((o) => o.errors.map((e) => `${o.kind} ${o.namespace ?? ''}/${o.name} [${e.source}] ${e.message}`));
    expect(problems).toEqual([]);
    expect(validated!.objects.filter((o) => o.webhook).map((o) => o.kind)).toEqual(expect.arrayContaining(['RequestAuthentication', 'AuthorizationPolicy']));
  });

  test('GIVEN the set WHEN Istio\'s analyzers run THEN they report no Warning or Error', () => {
    expect(analyzed!.executed.length).toBeGreaterThan(20);
    expect(analyzed!.readErrors).toEqual([]);
    expect(analyzed!.messages.filter((m) => m.level === 'Error' || m.level === 'Warning').map((m) => `${m.code} ${m.resource ?? ''} ${m.message ?? ''}`)).toEqual([]);
  });
});
