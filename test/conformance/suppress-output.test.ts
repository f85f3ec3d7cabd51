/**
 * Istio's own analyzers honour the suppressions synth writes (`Validation.suppress` →
 * `galley.istio.io/analyze-suppress`, pkg/config/analysis/local/istiod_analyze.go `filterMessages`, Istio
 * 1.30.3), so `istioctl analyze` of the output agrees with synth, lint and the plugin
 * (test/validation/suppress-output.test.ts), and neither annotation synth writes is an unknown Istio
 * annotation (IST0108, pkg/config/analysis/analyzers/annotations/annotations.go).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { clusterContext } from './cluster';
import { AnalyzeOutput, describeConformance, runBatch, writeYaml } from './harness';
import { GatewayTls, IngressGateway, IngressWorkload, Mesh, MeshApp, MeshChart, MeshNamespace, RoutePath, TracedService, Validation } from '../../src';
import { readManifests } from '../../src/validation/read';
import { OTEL } from '../helpers';

describeConformance('Istio conformance: suppressions in the output', () => {
  test('GIVEN a deployed gateway with IST0101 and IST0146 suppressed WHEN Istio analyzes the output THEN it drops them as synth did, and reports them once the annotation is removed', () => {
    // GIVEN the app of test/validation/suppress-output.test.ts, synthesized by MeshApp
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'conformance-suppress-'));
    const app = new MeshApp({ outdir, log: () => undefined, keepLastGoodOutput: false });
    const chart = new MeshChart(app, 'shop');
    const mesh = new Mesh(chart, 'Mesh', { tracing: { provider: OTEL, samplingPercentage: 10 } });
    const ns = new MeshNamespace(chart, 'Production', { mesh, name: 'production' });
    const order = new TracedService(chart, 'order-service', { namespace: ns, name: 'order-service', imageRepository: 'registry.example.com/order-service', versions: [{ name: 'v1' }] });
    const gw = new IngressGateway(chart, 'Gw', {
      mesh, name: 'shop-gateway', hosts: ['shop.example.com'], tls: GatewayTls.simple('shop-tls'),
      workload: IngressWorkload.deployed({ namespace: 'production', name: 'shop-ingress' }),
    });
    gw.expose(order, { paths: [RoutePath.prefix('/api/orders')] });
    Validation.suppress(gw, 'IST0146', 'injected by the installed control plane');
    Validation.suppress(gw, 'IST0101', 'the TLS Secret is synced by external-secrets');
    app.synth();
    const files = fs.readdirSync(outdir).filter((f) => f.endsWith('.yaml')).map((f) => path.join(outdir, f));
    const objects = readManifests(files).manifests.map((m) => m.manifest);
    const context = writeYaml(clusterContext(objects), undefined, 'cluster-context.yaml');
    // the same objects without Istio's annotation (the control case)
    const stripped = writeYaml(objects.map((o) => {
      const copy = JSON.parse(JSON.stringify(o));
      delete copy.metadata.annotations?.['galley.istio.io/analyze-suppress'];
      return copy;
    }));
    // WHEN Istio's analyzers run over both
    const [withAnn, without] = runBatch<AnalyzeOutput>([
      { args: ['analyze', ...files, context] },
      { args: ['analyze', stripped, context] },
    ]).map((r) => {
      if (r.error !== undefined) throw new Error(r.error);
      return r.result!;
    });
    // messages on the objects synth wrote (the cluster context's Pods are the harness's stand-ins for what
    // the controllers and the injector create: cluster.ts does not model the gateway injection template,
    // which replaces `image: auto`, so Istio sees IST0147 there)
    const ours = new Set(objects.map((o) => `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`));
    const shown = (a: AnalyzeOutput) => a.messages.filter((m) => m.level !== 'Info' && ours.has(m.resource ?? '')).map((m) => `${m.code} ${m.resource}`).sort();
    // THEN with the annotation nothing of level Warning or Error is left (and no IST0108 for our annotations)
    expect(withAnn.readErrors).toEqual([]);
    expect(shown(withAnn)).toEqual([]);
    expect(withAnn.messages.filter((m) => m.code === 'IST0108')).toEqual([]);
    // AND without it Istio reports the two suppressed codes on the gateway's objects
    expect(shown(without)).toEqual(expect.arrayContaining([expect.stringMatching(/^IST0101 Gateway /), expect.stringMatching(/^IST0146 Deployment /)]));
  }, 30 * 60_000);

  test('GIVEN analyze-suppress "CI3001, IST0118" (a space after the comma) WHEN Istio analyzes it THEN IST0118 is not suppressed, as lint says (CI9002), while "CI3001,IST0118" and "IST0118," suppress it', () => {
    // test/validation/fixtures/analyze-suppress-spaces.yaml, linted in test/validation/suppress-output.test.ts
    const fixture = path.join(__dirname, '..', 'validation', 'fixtures', 'analyze-suppress-spaces.yaml');
    const [r] = runBatch<AnalyzeOutput>([{ args: ['analyze', fixture] }]);
    if (r.error !== undefined) throw new Error(r.error);
    const ist0118 = r.result!.messages.filter((m) => m.code === 'IST0118').map((m) => m.resource).sort();
    expect(ist0118).toEqual(['Service default/spaced']);
  }, 30 * 60_000);
});
