import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { addWarning, MeshApp, MeshChart, MeshValidator, Suppressions, Validation } from '../../src';
import { loadYaml, REFERENCE } from './helpers';

function tmpdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-app-validation-'));
}

/** GIVEN a MeshApp whose chart holds the reference app as raw ApiObjects (one construct per object). */
function referenceApp(props: ConstructorParameters<typeof MeshApp>[0] = {}) {
  const lines: string[] = [];
  const outdir = tmpdir();
  const app = new MeshApp({ outdir, log: (l) => lines.push(l), validation: { externalPrincipals: ['cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account'] }, ...props });
  const chart = new MeshChart(app, 'ref');
  const objects = new Construct(chart, 'Objects');
  loadYaml(REFERENCE).forEach((m, i) => new ApiObject(objects, `o${i}-${m.manifest.kind}`, m.manifest));
  return { app, chart, objects, outdir, lines };
}

function vsOf(chart: Construct): ApiObject {
  return chart.node.findAll().find((c): c is ApiObject => c instanceof ApiObject && c.kind === 'VirtualService')!;
}

describe('MeshApp validates by default', () => {
  test('the reference app synthesizes and is written', () => {
    const { app, outdir, lines } = referenceApp();
    app.synth();
    expect(fs.existsSync(path.join(outdir, 'ref.k8s.yaml'))).toBe(true);
    expect(lines).toEqual([]);
  });

  test('an error fails synth, names the construct path, and nothing is written', () => {
    // GIVEN an escape-hatch edit that puts a space in retryOn
    const { app, chart, outdir } = referenceApp();
    vsOf(chart).addJsonPatch(JsonPatch.replace('/spec/http/0/retries/retryOn', '5xx, reset'));
    // WHEN synthesized THEN it throws with the code, the field and the construct path
    expect(() => app.synth()).toThrow(/CI2118\s+VirtualService\/production\/order-service\s+spec\.http\[0\]\.retries\.retryOn: "5xx, reset" is invalid.*\[ref\/Objects\/o\d+-VirtualService\]/);
    expect(fs.readdirSync(outdir)).toEqual([]);
  });

  test('validation: false turns it off', () => {
    const { app, chart, outdir } = referenceApp({ validation: false });
    vsOf(chart).addJsonPatch(JsonPatch.replace('/spec/http/0/retries/retryOn', '5xx, reset'));
    app.synth();
    expect(fs.existsSync(path.join(outdir, 'ref.k8s.yaml'))).toBe(true);
  });

  test('explicit validators replace the default', () => {
    const { app, chart } = referenceApp({ validators: [new MeshValidator({ checks: { webhook: false }, externalPrincipals: ['cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account'] })] });
    vsOf(chart).addJsonPatch(JsonPatch.replace('/spec/http/0/retries/retryOn', '5xx, reset'));
    expect(() => app.synth()).not.toThrow();
  });
});

describe('warnings and suppressions', () => {
  /** A Service port named `web` gives an IST0118 info. */
  function withUnprefixedPort() {
    const r = referenceApp();
    const svc = r.chart.node.findAll().find((c): c is ApiObject => c instanceof ApiObject && c.kind === 'Service')!;
    svc.addJsonPatch(JsonPatch.replace('/spec/ports/0/name', 'web'), JsonPatch.remove('/spec/ports/0/appProtocol'));
    return { ...r, svc };
  }

  test('infos are printed once as a table and do not fail synth', () => {
    const { app, lines } = withUnprefixedPort();
    app.synth();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^info\s+IST0118\s+Service\/production\/order-service\s+spec\.ports\[0\]: port "web"/);
  });

  test('Validation.suppress on a construct turns the code off for objects under it', () => {
    const { app, svc, lines } = withUnprefixedPort();
    Validation.suppress(svc, 'IST0118', 'legacy clients depend on the port name');
    app.synth();
    expect(lines).toEqual([]);
  });

  test('a suppression elsewhere in the tree does not apply', () => {
    const { app, chart, lines } = withUnprefixedPort();
    Suppressions.of(new Construct(chart, 'Elsewhere')).suppress('IST0118', 'not here');
    app.synth();
    expect(lines.join('\n')).toContain('IST0118');
  });

  test('a suppression without a reason fails synth', () => {
    const { app, svc } = withUnprefixedPort();
    Validation.suppress(svc, 'IST0118', '');
    expect(() => app.synth()).toThrow(/CI9001.*suppression of IST0118 has no reason/);
  });

  test('construct warnings can be suppressed the same way', () => {
    const { app, objects, lines } = referenceApp();
    addWarning(objects, 'CI9999', 'a construct warning');
    app.synth();
    expect(lines.join('\n')).toContain('CI9999');
    const second = referenceApp();
    addWarning(second.objects, 'CI9999', 'a construct warning');
    Validation.suppress(second.chart, 'CI9999', 'known and accepted');
    second.app.synth();
    expect(second.lines).toEqual([]);
  });
});

describe('external principals declared on constructs', () => {
  test('Validation.declareExternalPrincipal lets a policy name a caller outside the app', () => {
    // GIVEN the reference app without the option, so the ingress gateway principal is unknown
    const bare = referenceApp({ validation: true });
    expect(() => bare.app.synth()).toThrow(/CI3002/);
    // WHEN a construct declares it THEN synth passes
    const declared = referenceApp({ validation: true });
    Validation.declareExternalPrincipal(declared.objects, 'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account');
    expect(() => declared.app.synth()).not.toThrow();
  });
});

describe('callers declared outside the app', () => {
  test.each([
    ['monitoring', 'prometheus'],
    ['istio-system', 'istio-ingressgateway-service-account'],
  ])('an ExternalIdentity in %s (no object of the app lives there) never yields IST0101', (namespace, serviceAccount) => {
    // GIVEN a service that allows a caller from a namespace the synthesized set does not contain
    const { Mesh, MeshNamespace, TracedService, ExternalIdentity, HttpMethod } = require('../../src');
    const lines: string[] = [];
    const app = new MeshApp({ outdir: tmpdir(), log: (l: string) => lines.push(l) });
    const chart = new MeshChart(app, 'c');
    const mesh = new Mesh(chart, 'Mesh');
    const shop = new MeshNamespace(chart, 'Shop', { mesh, name: 'shop' });
    const cart = new TracedService(chart, 'Cart', { namespace: shop, imageRepository: 'registry.example.com/cart', versions: [{ name: 'v1' }], openTelemetry: { enabled: false } });
    cart.allowFrom(ExternalIdentity.serviceAccount({ namespace, serviceAccount }), { methods: [HttpMethod.GET] });
    // WHEN synthesized THEN validation passes and nothing about the caller's namespace is reported
    expect(() => app.synth()).not.toThrow();
    expect(lines.join('\n')).not.toMatch(/IST0101/);
  });
});
