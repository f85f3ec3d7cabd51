/**
 * A construct's own check that fails at synth (cdk8s `node.addValidation`: a Pod Security opt-out in a namespace
 * that enforces "restricted", a value already set by another writer, ...) is a finding like any other error: code
 * CI0001, the construct path, the property, value, rule and hint; in the MeshSynthError under MeshApp and under a
 * plain cdk8s App, and returned by MeshTesting.synth. Nothing is written and the previous output stays.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { Mesh, MeshApp, MeshChart, MeshConfigError, MeshNamespace, MeshSynthError, MeshTesting, TracedService } from '../src';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'construct-errors-'));

/** GIVEN a namespace enforcing Pod Security "restricted" and, when `bad`, a service of it that opts out of a restricted control. */
function shop(scope: Construct, bad: boolean) {
  const mesh = new Mesh(scope, 'Mesh', { istioCni: true });
  const ns = new MeshNamespace(scope, 'Shop', { mesh, name: 'shop', podSecurity: { enforce: 'restricted' } });
  new TracedService(scope, 'Legacy', {
    namespace: ns, name: 'legacy', imageRepository: 'registry.example.com/legacy', versions: [{ name: 'v1' }], openTelemetry: { enabled: false },
    ...(bad ? { podSecurity: { allowPrivilegeEscalation: true } } : {}),
  });
}

/** The finding the restricted namespace reports for the opt-out. */
const PSS_FINDING = {
  code: 'CI0001',
  level: 'error',
  property: 'podSecurity.enforce',
  value: '"restricted"',
  rule: expect.stringMatching(/^namespace shop enforces Pod Security "restricted", but Deployment legacy-v1 of .*\/Legacy breaks it \(.*allowPrivilegeEscalation must be false.*\): the API server would reject its pods$/),
  hint: expect.stringMatching(/^drop that podSecurity opt-out of .*\/Legacy, or enforce a lower level$/),
};

function thrownBy(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

function tree(dir: string): Record<string, string> {
  return Object.fromEntries((fs.readdirSync(dir, { recursive: true } as any) as string[]).map(String).sort()
    .filter((f) => fs.statSync(path.join(dir, f)).isFile()).map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

describe('construct errors at synth are findings', () => {
  let stderr: jest.SpyInstance;
  beforeEach(() => {
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => stderr.mockRestore());

  test('GIVEN MeshApp WHEN a construct check fails at synth THEN MeshSynthError carries it as a finding, in the house message format, and the previous output stays', () => {
    // GIVEN a good synth into outdir
    const outdir = tmp();
    const good = new MeshApp({ outdir, log: () => undefined });
    shop(new MeshChart(good, 'shop'), false);
    good.synth();
    const before = tree(outdir);
    expect(Object.keys(before)).toEqual(['shop.k8s.yaml']);
    // WHEN the same app with the opt-out synthesizes
    const bad = new MeshApp({ outdir, log: () => undefined });
    shop(new MeshChart(bad, 'shop'), true);
    const e = thrownBy(() => bad.synth()) as MeshSynthError;
    // THEN
    expect(MeshSynthError.isMeshSynthError(e)).toBe(true);
    expect(e.findings).toEqual([{ ...PSS_FINDING, path: 'shop/Shop', message: expect.stringMatching(/^podSecurity\.enforce: "restricted" is invalid: namespace shop enforces .*\. Hint: drop that podSecurity opt-out/) }]);
    expect(e.message).toMatch(/^Synth failed with 1 construct error\(s\); nothing was written:\n\[shop\/Shop\] podSecurity\.enforce: "restricted" is invalid: namespace shop enforces Pod Security "restricted", .*\. Hint: drop that podSecurity opt-out of shop\/Legacy, or enforce a lower level\n/);
    expect(e.message).toMatch(/still holds the previous output\.$/);
    expect(tree(outdir)).toEqual(before);
  });

  test('GIVEN a plain cdk8s App WHEN a construct check fails at synth THEN app.synth() throws the same MeshSynthError and writes nothing, with validation on or off', () => {
    for (const validation of [true, false]) {
      const outdir = tmp();
      const app = new App({ outdir });
      const chart = new Chart(app, 'shop');
      const mesh = new Mesh(chart, 'Mesh', { istioCni: true, validation });
      const ns = new MeshNamespace(chart, 'Shop', { mesh, name: 'shop', podSecurity: { enforce: 'restricted' } });
      new TracedService(chart, 'Legacy', {
        namespace: ns, name: 'legacy', imageRepository: 'registry.example.com/legacy', versions: [{ name: 'v1' }], openTelemetry: { enabled: false },
        podSecurity: { allowPrivilegeEscalation: true },
      });
      const e = thrownBy(() => app.synth()) as MeshSynthError;
      expect(MeshSynthError.isMeshSynthError(e)).toBe(true);
      expect(e.findings).toMatchObject([{ ...PSS_FINDING, path: 'shop/Shop' }]);
      expect(e.message).toMatch(/^Synth failed with 1 construct error\(s\); nothing was written:\n\[shop\/Shop\] podSecurity\.enforce: "restricted" is invalid: /);
      expect(fs.readdirSync(outdir)).toEqual([]);
      expect(() => app.synthYaml()).toThrow(MeshSynthError);
    }
  });

  test('GIVEN MeshTesting.synth WHEN a construct check fails THEN it returns the finding (no manifests) instead of throwing', () => {
    const chart = Testing.chart();
    shop(chart, true);
    const { manifests, findings, errors } = MeshTesting.synth(chart);
    expect(manifests).toEqual([]);
    expect(findings).toMatchObject([{ ...PSS_FINDING, path: 'test/Shop' }]);
    expect(errors).toEqual(findings);
    // AND without the opt-out there is no such finding and the manifests are there
    const ok = Testing.chart();
    shop(ok, false);
    const r = MeshTesting.synth(ok);
    expect(r.errors).toEqual([]);
    expect(r.manifests.length).toBeGreaterThan(3);
  });

  test('GIVEN checks that return a free-form message or throw a MeshConfigError THEN each is a finding; only house-format parts are filled in', () => {
    const outdir = tmp();
    const app = new MeshApp({ outdir, log: () => undefined });
    const chart = new MeshChart(app, 'c');
    const a = new ApiObject(chart, 'a', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'default' } });
    a.node.addValidation({ validate: () => ['broken on purpose'] });
    const b = new ApiObject(chart, 'b', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: 'default' } });
    b.node.addValidation({ validate: () => { throw new MeshConfigError('c/b', 'props.replicas', 3, 'it must be even', 'use 4'); } });
    const e = thrownBy(() => app.synth()) as MeshSynthError;
    expect(e.findings).toEqual([
      { code: 'CI0001', level: 'error', path: 'c/a', message: 'broken on purpose' },
      { code: 'CI0001', level: 'error', path: 'c/b', message: 'props.replicas: 3 is invalid: it must be even. Hint: use 4', property: 'props.replicas', value: '3', rule: 'it must be even', hint: 'use 4' },
    ]);
    expect(e.message).toMatch(/^Synth failed with 2 construct error\(s\); nothing was written:\n\[c\/a\] broken on purpose\n\[c\/b\] props\.replicas: 3 is invalid: it must be even\. Hint: use 4\n/);
    expect(fs.readdirSync(outdir)).toEqual([]);
  });

  test('GIVEN a chart dependency (cdk8s\'s resolution path) THEN construct errors are findings there too', () => {
    const app = new MeshApp({ outdir: tmp(), log: () => undefined });
    const first = new MeshChart(app, 'first');
    const second = new MeshChart(app, 'second');
    second.addDependency(first);
    const o = new ApiObject(second, 'o', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'o', namespace: 'default' } });
    o.node.addValidation({ validate: () => ['props.x: 1 is invalid: it must be 2.'] });
    const e = thrownBy(() => app.synth()) as MeshSynthError;
    expect(e.findings).toEqual([{ code: 'CI0001', level: 'error', path: 'second/o', message: 'props.x: 1 is invalid: it must be 2.', property: 'props.x', value: '1', rule: 'it must be 2' }]);
  });
});
