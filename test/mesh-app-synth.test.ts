import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, Chart } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { MeshApp, MeshChart } from '../src';
import { main } from '../examples/main';
import { buildReferenceApp } from '../examples/reference-app';
import { applyRank } from '../src/synth/apply-order';

/** cdk8s's order re-sorted by kind rank, stable (so ties keep cdk8s's order). */
function inApplyOrder(objects: any[]): any[] {
  return objects.map((o, i) => ({ o, i })).sort((a, b) => applyRank(a.o) - applyRank(b.o) || a.i - b.i).map((x) => x.o);
}

describe('MeshApp synth', () => {
  test('resolves every chart to exactly what cdk8s resolves, in apply order', () => {
    // GIVEN the reference app in a MeshApp
    const app = new MeshApp({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-app-')) });
    buildReferenceApp(new MeshChart(app, 'reference-app'));
    // WHEN MeshApp resolves it (single walk) and cdk8s resolves each chart on its own
    const ours = app.synthFiles().map((f) => f.manifests.map((m) => m.manifest));
    const theirs = app.charts.map((c) => c.toJson());
    // THEN both give the same objects; ours in apply order (kind rank, then cdk8s's position)
    expect(ours).toEqual(theirs.map(inApplyOrder));
    expect(ours[0].length).toBeGreaterThan(10);
  });

  test('falls back to cdk8s ordering when a construct declares a dependency', () => {
    const app = new MeshApp({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-app-')) });
    const chart = new MeshChart(app, 'c');
    const a = new ApiObject(chart, 'a', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } });
    const b = new ApiObject(chart, 'b', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } });
    a.addDependency(b); // b must come first
    expect(app.synthFiles()[0].manifests.map((m) => m.manifest.metadata.name)).toEqual(['b', 'a']);
    expect(app.synthFiles()[0].manifests.map((m) => m.manifest)).toEqual((chart as Chart).toJson());
  });

  test('construct validation errors fail synth with the construct path, as in cdk8s', () => {
    const app = new MeshApp({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-app-')) });
    const chart = new MeshChart(app, 'c');
    const o = new ApiObject(chart, 'o', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'o' } });
    o.node.addValidation({ validate: () => ['broken on purpose'] });
    expect(() => app.synth()).toThrow(/\[c\/o\] broken on purpose/);
  });

  test('the reference app synthesizes byte-identical files twice, and they parse to what cdk8s resolves', () => {
    // GIVEN the same code synthesized twice into the same folder
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-ref-'));
    const list = (d: string): string[] =>
      fs.readdirSync(d, { recursive: true } as any).map(String).filter((f) => fs.statSync(path.join(d, f)).isFile()).sort();
    const snapshot = (): Record<string, string> => {
      fs.rmSync(dir, { recursive: true, force: true });
      main(dir);
      return Object.fromEntries(list(dir).map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
    };
    const first = snapshot();
    const second = snapshot();
    // THEN the files are byte-identical
    expect(Object.keys(first).length).toBeGreaterThanOrEqual(5);
    expect(second).toEqual(first);
    const outs = [dir];
    const app = new MeshApp({ outdir: outs[0] });
    buildReferenceApp(new MeshChart(app, 'reference-app'));
    const parsed = parseAllDocuments(fs.readFileSync(path.join(outs[0], 'reference-app.k8s.yaml'), 'utf8')).map((d) => d.toJS());
    expect(parsed).toEqual(inApplyOrder(app.charts[0].toJson()));
  });
});

describe('cdk8s-istio lint of the synthesized reference app', () => {
  test('every output folder is its own deployable set and lints clean', () => {
    // GIVEN the reference app synthesized to a folder
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-lint-'));
    main(dir);
    // WHEN linted as a folder
    const { run } = require('../src/cli/lint');
    let out = '';
    let err = '';
    const code = run([dir], { out: (s: string) => (out += s), err: (s: string) => (err += s) });
    // THEN no error in any of the sets (dist/, ambient/, control-plane/, progressive/, edge/, edge/control-plane/, features/)
    expect(out).not.toMatch(/ error /);
    expect(err).toMatch(/0 error\(s\).* in 7 set\(s\)/);
    expect(code).toBe(0);
  });
});
