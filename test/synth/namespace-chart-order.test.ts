import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { Mesh, MeshApp, MeshChart, MeshNamespace, MeshSynthError, MtlsMode, ZeroTrustPolicy } from '../../src';
import { OTEL, service } from '../helpers';

// `kubectl apply -f dist/` reads a folder's files in name order (kubectl's FileVisitor walks the folder
// with filepath.Walk, lexical order: k8s.io/cli-runtime pkg/resource/visitor.go), and a namespaced object
// is refused while its Namespace does not exist. cdk8s orders chart files by chart dependency only
// (cdk8s app.ts resolveDependencies + IndexedChartNamer: `0000-<chart>` in dependency order).

/** Every object of a folder in the order `kubectl apply -f <dir>` takes them: files by name, then documents. */
function applySequence(dir: string): Array<{ file: string; kind: string; namespace?: string; name: string }> {
  const out: Array<{ file: string; kind: string; namespace?: string; name: string }> = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    for (const d of parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8'))) {
      const o = d.toJS();
      if (o) out.push({ file, kind: o.kind, namespace: o.metadata?.namespace, name: o.metadata?.name });
    }
  }
  return out;
}

/** The trial's shape: chart `platform` holds the mesh, namespace shop and the ZeroTrustPolicy of shop and billing; `team-b` declares billing. */
function twoCharts(app: App, chartOf: (id: string) => Chart) {
  const platform = chartOf('platform');
  const teamB = chartOf('team-b');
  const mesh = new Mesh(platform, 'Mesh', { tracing: { provider: OTEL } });
  const shop = new MeshNamespace(platform, 'Shop', { mesh, name: 'shop' });
  const billing = new MeshNamespace(teamB, 'Billing', { mesh, name: 'billing' });
  service(platform, shop, 'catalog');
  service(teamB, billing, 'invoice');
  new ZeroTrustPolicy(platform, 'ZeroTrust', { mesh, meshMtls: MtlsMode.STRICT, namespaces: [{ namespace: shop }, { namespace: billing }] });
  void app;
  return { platform, teamB };
}

/** THEN every namespaced object comes after its Namespace in the apply sequence. */
function expectNamespacesFirst(dir: string): void {
  const seq = applySequence(dir);
  const created = new Set<string>();
  const late: string[] = [];
  for (const o of seq) {
    if (o.kind === 'Namespace') created.add(o.name);
    else if (o.namespace && ['shop', 'billing'].includes(o.namespace) && !created.has(o.namespace)) late.push(`${o.file}: ${o.kind} ${o.namespace}/${o.name}`);
  }
  expect(late).toEqual([]);
  expect(seq.some((o) => o.kind === 'AuthorizationPolicy' && o.namespace === 'billing' && o.name === 'default-deny')).toBe(true);
}

describe('a chart writing into a namespace another chart declares is applied after it', () => {
  test('MeshApp: the default deny of billing (chart platform) comes after Namespace billing (chart team-b)', () => {
    // GIVEN the trial's two charts under a MeshApp
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ns-charts-'));
    const app = new MeshApp({ outdir: dir });
    twoCharts(app, (id) => new MeshChart(app, id));
    // WHEN it synthesizes
    app.synth();
    // THEN the files are numbered in dependency order (team-b first), as cdk8s numbers dependent charts
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()).toEqual(['0000-team-b.k8s.yaml', '0001-platform.k8s.yaml']);
    expectNamespacesFirst(dir);
  });

  test('plain cdk8s App: the same dependency makes cdk8s number the chart files', () => {
    // GIVEN the same charts under a plain cdk8s App
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ns-charts-plain-'));
    const app = new App({ outdir: dir });
    twoCharts(app, (id) => new Chart(app, id));
    // WHEN it synthesizes
    app.synth();
    // THEN cdk8s writes 0000-team-b before 0001-platform, and every object follows its Namespace
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()).toEqual(['0000-team-b.k8s.yaml', '0001-platform.k8s.yaml']);
    expectNamespacesFirst(dir);
  });

  test('charts that write only into their own namespaces keep their plain file names', () => {
    // GIVEN two charts, each with its own namespace and services, the namespace policy in the declaring chart
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ns-charts-own-'));
    const app = new MeshApp({ outdir: dir });
    const a = new MeshChart(app, 'a');
    const b = new MeshChart(app, 'b');
    const mesh = new Mesh(a, 'Mesh', { tracing: { provider: OTEL } });
    service(a, new MeshNamespace(a, 'A', { mesh, name: 'a' }), 'one');
    service(b, new MeshNamespace(b, 'B', { mesh, name: 'b' }), 'two');
    // WHEN it synthesizes
    app.synth();
    // THEN no dependency was added: cdk8s's unnumbered names
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()).toEqual(['a.k8s.yaml', 'b.k8s.yaml']);
  });

  test('a chart in another output folder is another set: no dependency', () => {
    // GIVEN namespace billing declared in a chart with its own outputDir, and an object in billing at the top
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ns-charts-dirs-'));
    const app = new MeshApp({ outdir: dir });
    const top = new MeshChart(app, 'top');
    const variant = new MeshChart(app, 'variant', { outputDir: 'variant' });
    const mesh = new Mesh(variant, 'Mesh', { tracing: { provider: OTEL } });
    new MeshNamespace(variant, 'Billing', { mesh, name: 'billing' });
    new ApiObject(top, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'billing' } });
    // WHEN it synthesizes
    app.synth();
    // THEN the top chart keeps its name: kubectl applies the folders separately
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()).toEqual(['top.k8s.yaml']);
  });

  test('a cycle (each chart writes into the namespace the other declares) is a synth error naming both charts and the fix', () => {
    // GIVEN chart a declares namespace a and writes a ConfigMap into b; chart b declares b and writes into a
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ns-charts-cycle-'));
    const app = new MeshApp({ outdir: dir });
    const a = new MeshChart(app, 'a');
    const b = new MeshChart(app, 'b');
    const mesh = new Mesh(a, 'Mesh', { tracing: { provider: OTEL } });
    new MeshNamespace(a, 'A', { mesh, name: 'a' });
    new MeshNamespace(b, 'B', { mesh, name: 'b' });
    new ApiObject(a, 'into-b', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'into-b', namespace: 'b' } });
    new ApiObject(b, 'into-a', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'into-a', namespace: 'a' } });
    // WHEN it synthesizes THEN it fails before writing, naming the object, both charts and the fix
    let error: unknown;
    try {
      app.synth();
    } catch (e) {
      error = e;
    }
    expect(MeshSynthError.isMeshSynthError(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /\[b\/into-a\] metadata\.namespace: "a" is invalid: chart "b" writes ConfigMap a\/into-a into namespace a, which chart "a" declares, but "a" already depends on "b".*Hint: declare namespace a in chart "b"/,
    );
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test("a user's dependency the other way is a cycle too", () => {
    // GIVEN the trial's charts, and the app says platform must come before team-b
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ns-charts-userdep-'));
    const app = new MeshApp({ outdir: dir });
    const { platform, teamB } = twoCharts(app, (id) => new MeshChart(app, id));
    teamB.addDependency(platform);
    // WHEN it synthesizes THEN it fails naming the default deny written into billing
    expect(() => app.synth()).toThrow(/metadata\.namespace: "billing" is invalid: chart "platform" writes AuthorizationPolicy billing\/default-deny into namespace billing, which chart "team-b" declares/);
  });
});
