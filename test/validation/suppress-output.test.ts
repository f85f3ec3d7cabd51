/**
 * `Validation.suppress` reaches the YAML: synth writes the construct suppressions into the objects they cover,
 * as Istio's own `galley.istio.io/analyze-suppress` (codes; honoured by `istioctl analyze`:
 * pkg/config/analysis/local/istiod_analyze.go `filterMessages`, Istio 1.30.3) and `cdk8s-istio/suppress-reasons`
 * (the reasons), so that `MeshApp` synth, `cdk8s-istio lint` of its output and the cdk8s validation plugin report
 * the same findings. Neither annotation is an unknown `*istio.io` one (Istio's IST0108,
 * pkg/config/analysis/analyzers/annotations/annotations.go, flags those on Namespace/Service/Pod/Deployment).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import {
  GatewayTls, IngressGateway, IngressWorkload, Mesh, MeshApp, MeshChart, MeshNamespace, MeshTesting, RoutePath, TracedService, Validation,
} from '../../src';
import { MeshValidationPlugin, MeshValidationPluginContext } from '../../src/validation/plugin';
import { analyzeSuppresses } from '../../src/rules/annotations';
import { validateManifests } from '../../src/validation';
import { readManifests } from '../../src/validation/read';
import { OTEL } from '../helpers';
import { lint } from './helpers';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-suppress-'));

/** A deployed ingress gateway whose credential Secret is provided outside the app (IST0101) and whose pods run `image: auto` (IST0146). */
function gatewayApp(chart: MeshChart | ReturnType<typeof Testing.chart>, suppress: boolean) {
  const mesh = new Mesh(chart, 'Mesh', { tracing: { provider: OTEL, samplingPercentage: 10 } });
  const ns = new MeshNamespace(chart, 'Production', { mesh, name: 'production' });
  const order = new TracedService(chart, 'order-service', { namespace: ns, name: 'order-service', imageRepository: 'registry.example.com/order-service', versions: [{ name: 'v1' }] });
  const gw = new IngressGateway(chart, 'Gw', {
    mesh, name: 'shop-gateway', hosts: ['shop.example.com'], tls: GatewayTls.simple('shop-tls'),
    workload: IngressWorkload.deployed({ namespace: 'production', name: 'shop-ingress' }),
  });
  gw.expose(order, { paths: [RoutePath.prefix('/api/orders')] });
  // a kind the pinned schemas do not know: an info (CI1000) none of the suppressions covers
  new ApiObject(chart, 'Widget', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'production' } });
  if (suppress) {
    Validation.suppress(gw, 'IST0146', 'injected by the installed control plane');
    Validation.suppress(gw, 'IST0101', 'the TLS Secret is synced by external-secrets');
  }
  return gw;
}

function yamlFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true } as any) as string[]).map(String).filter((f) => f.endsWith('.yaml')).map((f) => path.join(dir, f)).sort();
}

async function pluginFindings(files: string[]): Promise<{ keys: string[]; status: string }> {
  const keys: string[] = [];
  let status = '';
  const context: MeshValidationPluginContext = {
    manifests: files,
    report: {
      addViolation: (v) => {
        const [code, level] = v.ruleName.replace(/[()]/g, '').split(' ');
        for (const r of v.violatingResources) for (const l of r.locations) keys.push(`${code} ${level} ${l.slice(0, l.indexOf(':'))}`);
      },
      submit: (s) => {
        status = s;
      },
    },
  };
  await new MeshValidationPlugin().validate(context);
  return { keys: keys.sort(), status };
}

describe('Validation.suppress reaches the output', () => {
  test('GIVEN a deployed gateway with IST0101 and IST0146 suppressed WHEN MeshApp synthesizes it THEN synth, lint of the output and the cdk8s plugin report the same findings', async () => {
    // GIVEN
    const outdir = tmp();
    const lines: string[] = [];
    const app = new MeshApp({ outdir, log: (l) => lines.push(l), keepLastGoodOutput: false });
    gatewayApp(new MeshChart(app, 'shop'), true);
    // WHEN
    app.synth();
    // THEN synth's findings (the printed table: level, code, object) ...
    const synthKeys = lines.join('\n').split('\n').filter((l) => l.trim() !== '').map((l) => {
      const [level, code, where] = l.trim().split(/\s+/);
      return `${code} ${level} ${where}`;
    }).sort();
    // ... lint's of the written folder ...
    const linted = lint([outdir]);
    const lintKeys = linted.stdout.split('\n').filter((l) => l !== '').map((l) => {
      const [, where, code, level] = l.split(' ');
      return `${code} ${level} ${where}`;
    }).sort();
    // ... and the plugin's over the same files are one set, without the suppressed codes
    const plugin = await pluginFindings(yamlFiles(outdir));
    // (Role and RoleBinding are kinds the pinned schemas do not know: CI1000 is not suppressed)
    expect(synthKeys).toEqual(['CI1000 info Role/production/shop-ingress', 'CI1000 info RoleBinding/production/shop-ingress', 'CI1000 info Widget/production/w']);
    expect(lintKeys).toEqual(synthKeys);
    expect(plugin.keys).toEqual(synthKeys);
    expect(linted.code).toBe(0);
    expect(plugin.status).toBe('success');
    // AND the objects under the gateway carry Istio's annotation with the codes, and the reasons beside it
    const objects = yamlFiles(outdir).flatMap((f) => parseAllDocuments(fs.readFileSync(f, 'utf8')).map((d) => d.toJS()));
    const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'shop-ingress');
    expect(deployment.metadata.annotations).toEqual({
      'galley.istio.io/analyze-suppress': 'IST0101,IST0146',
      'cdk8s-istio/suppress-reasons': JSON.stringify({ IST0101: 'the TLS Secret is synced by external-secrets', IST0146: 'injected by the installed control plane' }),
    });
    const gateway = objects.find((o) => o.kind === 'Gateway');
    expect(gateway.metadata.annotations['galley.istio.io/analyze-suppress']).toBe('IST0101,IST0146');
    // AND objects outside the gateway construct carry nothing
    expect(objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'order-service-v1').metadata.annotations ?? {}).not.toHaveProperty('galley.istio.io/analyze-suppress');
    expect(objects.find((o) => o.kind === 'Widget').metadata.annotations).toBeUndefined();
  });

  test('GIVEN the same app without the suppressions THEN synth fails on IST0101 and lint of the objects reports IST0101 and IST0146 (the control case)', () => {
    const chart = Testing.chart();
    gatewayApp(chart, false);
    const { findings, errors } = MeshTesting.synth(chart);
    const codes = findings.filter((f) => f.kind).map((f) => f.code);
    expect(codes).toEqual(expect.arrayContaining(['IST0101', 'IST0146', 'CI1000']));
    expect(errors.map((f) => f.code)).toContain('IST0101');
  });

  test('GIVEN the suppressed app WHEN synthesized by MeshTesting, Testing.synth and a plain App THEN every path writes the same annotations', () => {
    const viaTesting = Testing.chart();
    gatewayApp(viaTesting, true);
    const testingObjects = Testing.synth(viaTesting);
    const meshTesting = Testing.chart();
    gatewayApp(meshTesting, true);
    const { manifests, findings } = MeshTesting.synth(meshTesting);
    const outdir = tmp();
    const plain = new App({ outdir });
    const plainChart = new MeshChart(plain, 'shop');
    gatewayApp(plainChart, true);
    const yaml = plain.synthYaml();
    const annotated = (objs: any[]) => objs.filter((o) => o.metadata.annotations?.['galley.istio.io/analyze-suppress']).map((o) => `${o.kind}/${o.metadata.name}`).sort();
    expect(annotated(testingObjects).length).toBeGreaterThanOrEqual(5);
    expect(annotated(manifests)).toEqual(annotated(testingObjects));
    expect(annotated(parseAllDocuments(yaml).map((d) => d.toJS()))).toEqual(annotated(testingObjects));
    expect(findings.map((f) => `${f.code} ${f.kind}`).sort()).toEqual(['CI1000 Role', 'CI1000 RoleBinding', 'CI1000 Widget']);
  });

  test('GIVEN a plain cdk8s App with raw objects and no Mesh WHEN a suppression covers one THEN Testing.synth writes it too', () => {
    const chart = Testing.chart();
    const a = new ApiObject(chart, 'a', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'default' } });
    new ApiObject(chart, 'b', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: 'default' } });
    const c = new ApiObject(chart, 'c', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' } });
    a.metadata.addAnnotation('galley.istio.io/analyze-suppress', 'IST0108');
    Validation.suppress(a, 'CI3001', 'no pods');
    // a second scope, and a code suppressed twice under one object (reasons joined)
    Validation.suppress(c, 'IST0118', 'legacy port names');
    Validation.suppress(chart, 'IST0118', 'migrating in Q3');
    const out = Testing.synth(chart);
    expect(out.find((o) => o.metadata.name === 'a').metadata.annotations).toEqual({
      'galley.istio.io/analyze-suppress': 'CI3001,IST0108,IST0118',
      'cdk8s-istio/suppress-reasons': '{"CI3001":"no pods","IST0118":"migrating in Q3"}',
    });
    expect(out.find((o) => o.metadata.name === 'b').metadata.annotations).toEqual({
      'galley.istio.io/analyze-suppress': 'IST0118',
      'cdk8s-istio/suppress-reasons': '{"IST0118":"migrating in Q3"}',
    });
    expect(out.find((o) => o.metadata.name === 'c').metadata.annotations).toEqual({
      'galley.istio.io/analyze-suppress': 'IST0118',
      'cdk8s-istio/suppress-reasons': '{"IST0118":"migrating in Q3; legacy port names"}',
    });
    // AND synthesizing again changes nothing (the step is idempotent)
    expect(Testing.synth(chart)).toEqual(out);
  });
});

describe('galley.istio.io/analyze-suppress, as istioctl analyze reads it', () => {
  // pkg/config/analysis/local/istiod_analyze.go filterMessages: strings.Split(value, ","), exact compare, "*" any
  test.each([
    ['IST0101,IST0146', 'IST0146', true],
    ['IST0101', 'IST0146', false],
    ['*', 'CI3001', true],
    ['IST0101, IST0146', 'IST0146', false],
    ['', 'IST0101', false],
  ])('value %j suppresses %s: %s', (value, code, expected) => {
    expect(analyzeSuppresses(value, code)).toBe(expected);
  });

  test('GIVEN hand-written YAML with the annotation WHEN linted THEN the listed codes on that object are dropped, others kept', () => {
    // a Service whose port name Istio cannot read: IST0118
    const svc = (name: string, ann?: string) => ({
      apiVersion: 'v1', kind: 'Service',
      metadata: { name, namespace: 'default', ...(ann ? { annotations: { 'galley.istio.io/analyze-suppress': ann } } : {}) },
      spec: { selector: { app: name }, ports: [{ name: 'web', port: 80 }] },
    });
    const findings = validateManifests([svc('a', 'IST0118'), svc('b'), svc('c', '*')].map((manifest) => ({ manifest })));
    const ist0118 = findings.filter((f) => f.code === 'IST0118').map((f) => f.name);
    expect(ist0118).toEqual(['b']);
    // AND Istio knows the annotation: no IST0108 for it on a Service
    expect(findings.filter((f) => f.code === 'IST0108')).toEqual([]);
  });
});

describe('galley.istio.io/analyze-suppress entries with spaces (Istio does not trim them)', () => {
  // pkg/config/analysis/local/istiod_analyze.go filterMessages (Istio 1.30.3):
  //   for _, code := range strings.Split(annotations[GalleyAnalyzeSuppress], ",") { if code == "*" || m.Type.Code() == code ...
  // no strings.TrimSpace: "IST0101, IST0146" suppresses IST0101 only.
  const fixture = () => path.join(__dirname, 'fixtures', 'analyze-suppress-spaces.yaml');

  test('GIVEN a Service annotated "CI3001, IST0118" WHEN linted THEN IST0118 is still reported (as istioctl analyze does) AND CI9002 names the entry and the fix', () => {
    const { manifests } = readManifests([fixture()]);
    const findings = validateManifests(manifests);
    const spaced = findings.filter((f) => f.name === 'spaced');
    expect(spaced.map((f) => f.code).sort()).toEqual(['CI9002', 'IST0118']);
    expect(spaced.find((f) => f.code === 'CI9002')).toMatchObject({
      level: 'warning', kind: 'Service', namespace: 'default',
      message: expect.stringMatching(/^metadata\.annotations\["galley\.istio\.io\/analyze-suppress"\]: entry " IST0118" of "CI3001, IST0118" has spaces around IST0118: .* so IST0118 is not suppressed\. Hint: write "CI3001,IST0118"$/),
    });
    // the same codes without the space: both suppressed, no CI9002
    expect(findings.filter((f) => f.name === 'tight')).toEqual([]);
    // a trailing comma is an empty entry: harmless, no warning
    expect(findings.filter((f) => f.name === 'trailing')).toEqual([]);
  });

  test('GIVEN the warning itself is suppressed on the object THEN it is dropped like any finding', () => {
    const m = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'default', annotations: { 'galley.istio.io/analyze-suppress': 'CI9002, IST0118' } }, spec: { selector: { app: 's' }, ports: [{ name: 'web', port: 80 }] } };
    // "CI9002" (first entry, no space) is honoured; " IST0118" is not
    expect(validateManifests([{ manifest: m }]).map((f) => f.code)).toEqual(['IST0118']);
  });

  test('GIVEN Validation.suppress with a code with a space or a comma THEN refused at the call (synth would write it into Istio\'s annotation)', () => {
    const chart = Testing.chart();
    expect(() => Validation.suppress(chart, ' IST0118', 'legacy')).toThrow(/suppress\.code: " IST0118" is invalid: a finding code has no spaces or commas .*Hint: write "IST0118"/);
    expect(() => Validation.suppress(chart, 'IST0118,CI3001', 'legacy')).toThrow(/suppress\.code: "IST0118,CI3001" is invalid: .*Hint: suppress one code per call/);
    expect(() => Validation.suppress(chart, 'IST0118', 'legacy')).not.toThrow();
  });
});
