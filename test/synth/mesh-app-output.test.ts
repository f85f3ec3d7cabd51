import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, YamlOutputType } from 'cdk8s';
import { Construct } from 'constructs';
import * as jsyaml from 'js-yaml';
import { Artifact, MeshApp, MeshChart, MeshSynthError } from '../../src';

const tmp = (prefix = 'mesh-out-') => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

/** Every file under `dir`, relative, sorted, with its content. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const p = path.join(rel, e.name);
      if (e.isDirectory()) walk(p);
      else out[p] = fs.readFileSync(path.join(dir, p), 'utf8');
    }
  };
  walk('');
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

const cm = (scope: Construct, name: string, extra: Record<string, unknown> = {}) =>
  new ApiObject(scope, name, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, ...extra });

/** GIVEN an app with two charts in the outdir and one in a subfolder. */
function build(app: App, make: (scope: Construct, id: string, dir?: string) => Chart) {
  const a = make(app, 'alpha');
  new ApiObject(a, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
  cm(a, 'a1');
  const b = make(app, 'beta');
  cm(b, 'b1');
  new ApiObject(b, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } });
  const c = make(app, 'gamma', 'variant');
  cm(c, 'c1');
  return { a, b, c };
}

describe('MeshApp keeps cdk8s App behaviour', () => {
  test.each([
    ['FILE_PER_CHART', YamlOutputType.FILE_PER_CHART, ['alpha.k8s.yaml', 'beta.k8s.yaml', 'variant/gamma.k8s.yaml']],
    ['FILE_PER_APP', YamlOutputType.FILE_PER_APP, ['app.k8s.yaml', 'variant/app.k8s.yaml']],
    ['FILE_PER_RESOURCE', YamlOutputType.FILE_PER_RESOURCE, [
      '0000-Namespace.shop.k8s.yaml', '0001-Namespace.other.k8s.yaml', '0002-ConfigMap.a1.k8s.yaml', '0003-ConfigMap.b1.k8s.yaml', 'variant/0000-ConfigMap.c1.k8s.yaml',
    ]],
    ['FOLDER_PER_CHART_FILE_PER_RESOURCE', YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE, [
      'alpha/0000-Namespace.shop.k8s.yaml', 'alpha/0001-ConfigMap.a1.k8s.yaml', 'beta/0000-Namespace.other.k8s.yaml', 'beta/0001-ConfigMap.b1.k8s.yaml', 'variant/gamma/0000-ConfigMap.c1.k8s.yaml',
    ]],
  ])('yamlOutputType %s: the files, each in apply order', (_name, type, files) => {
    // GIVEN the same app under MeshApp and under cdk8s's App
    const outdir = tmp();
    const app = new MeshApp({ outdir, yamlOutputType: type, validation: false });
    build(app, (s, id, dir) => new MeshChart(s, id, { outputDir: dir }));
    const plainDir = tmp();
    const plain = new App({ outdir: plainDir, yamlOutputType: type });
    build(plain, (s, id) => new Chart(s, id));
    // WHEN both synthesize
    app.synth();
    plain.synth();
    // THEN MeshApp writes the expected files (cdk8s's names; per resource with an apply-order prefix) ...
    const ours = tree(outdir);
    expect(Object.keys(ours)).toEqual(files);
    // ... holding the same objects as cdk8s writes, Namespaces first in each file
    const objects = (t: Record<string, string>) => Object.values(t).flatMap((x) => jsyaml.loadAll(x)).map((o: any) => `${o.kind}/${o.metadata.name}`).sort();
    expect(objects(ours)).toEqual(objects(tree(plainDir)));
    for (const text of Object.values(ours)) {
      const kinds = jsyaml.loadAll(text).map((o: any) => o.kind);
      expect(kinds).toEqual([...kinds].sort((x, y) => (x === 'Namespace' ? -1 : 0) - (y === 'Namespace' ? -1 : 0)));
    }
  });

  test('chart dependencies: files numbered in dependency order, with the names cdk8s gives', () => {
    const make = (app: App, C: typeof Chart) => {
      const first = new C(app, 'zeta');
      cm(first, 'z');
      const second = new C(app, 'alpha');
      cm(second, 'a');
      first.addDependency(second); // zeta needs alpha: alpha comes first
    };
    const outdir = tmp();
    const app = new MeshApp({ outdir, validation: false });
    make(app, MeshChart);
    const plainDir = tmp();
    const plain = new App({ outdir: plainDir });
    make(plain, Chart);
    app.synth();
    plain.synth();
    expect(Object.keys(tree(outdir))).toEqual(['0000-alpha.k8s.yaml', '0001-zeta.k8s.yaml']);
    expect(Object.keys(tree(outdir))).toEqual(Object.keys(tree(plainDir)));
  });

  test('chart file names are cdk8s DNS labels, as cdk8s writes them', () => {
    const outdir = tmp();
    const app = new MeshApp({ outdir, validation: false });
    cm(new MeshChart(app, 'MyChart'), 'x');
    const plainDir = tmp();
    const plain = new App({ outdir: plainDir });
    cm(new Chart(plain, 'MyChart'), 'x');
    app.synth();
    plain.synth();
    expect(Object.keys(tree(outdir))).toEqual(Object.keys(tree(plainDir)));
  });

  test('recordConstructMetadata writes construct-metadata.json as cdk8s does (also from CDK8S_RECORD_CONSTRUCT_METADATA)', () => {
    const outdir = tmp();
    const app = new MeshApp({ outdir, recordConstructMetadata: true, validation: false });
    cm(new MeshChart(app, 'c'), 'x');
    app.synth();
    // cdk8s's name key, plus a Kind/namespace/name key per object (the validation plugin names same-named objects so)
    expect(JSON.parse(fs.readFileSync(path.join(outdir, 'construct-metadata.json'), 'utf8'))).toEqual({ version: '1.0.0', resources: { 'x': { path: 'c/x' }, 'ConfigMap/default/x': { path: 'c/x' } } });
    // and from the environment, as the cdk8s CLI sets it when validation plugins run
    const envDir = tmp();
    process.env.CDK8S_RECORD_CONSTRUCT_METADATA = 'true';
    try {
      const viaEnv = new MeshApp({ outdir: envDir, validation: false });
      cm(new MeshChart(viaEnv, 'c'), 'y');
      viaEnv.synth();
    } finally {
      delete process.env.CDK8S_RECORD_CONSTRUCT_METADATA;
    }
    expect(fs.existsSync(path.join(envDir, 'construct-metadata.json'))).toBe(true);
  });

  test('outputFileExtension and resolvers are honoured', () => {
    const outdir = tmp();
    const app = new MeshApp({
      outdir,
      validation: false,
      outputFileExtension: '.yml',
      resolvers: [{ resolve: (ctx) => { if (ctx.value === 'REPLACE-ME') ctx.replaceValue('replaced'); } }],
    });
    cm(new MeshChart(app, 'c'), 'x', { data: { k: 'REPLACE-ME' } });
    app.synth();
    expect(tree(outdir)).toEqual({ 'c.yml': expect.stringContaining('k: replaced') });
  });

  test('an option MeshApp does not know, or an unknown yamlOutputType, is refused rather than ignored', () => {
    expect(() => new MeshApp({ outdir: tmp(), somethingNew: true } as any)).toThrow(/\[MeshApp\] props.somethingNew: true is invalid: MeshApp does not know this option/);
    expect(() => new MeshApp({ outdir: tmp(), yamlOutputType: 7 as YamlOutputType })).toThrow(/props.yamlOutputType: 7 is invalid: not a cdk8s YamlOutputType/);
  });
});

describe('atomic synth', () => {
  /** An app whose one ConfigMap name can be made invalid; optionally with an artifact. */
  function app(outdir: string, name: string, extra?: (chart: MeshChart) => void) {
    const a = new MeshApp({ outdir, log: () => undefined });
    const chart = new MeshChart(a, 'c');
    cm(chart, name);
    extra?.(chart);
    return a;
  }

  test('a synth that fails validation leaves the previous output byte-identical and says so', () => {
    const outdir = tmp();
    app(outdir, 'good').synth();
    const before = tree(outdir);
    expect(() => app(outdir, 'Bad_Name').synth()).toThrow(MeshSynthError);
    expect(() => app(outdir, 'Bad_Name').synth()).toThrow(/nothing was written:[\s\S]*CI1003[\s\S]*still holds the previous output/);
    expect(tree(outdir)).toEqual(before);
  });

  test('an I/O error part-way through writing leaves the previous output intact and no temporary folder', () => {
    // GIVEN a good synth, then one whose artifact cannot be written (its folder would be a file)
    const outdir = tmp();
    app(outdir, 'good', (c) => new Artifact(c, 'notes', { path: 'notes', content: () => 'x' })).synth();
    const before = tree(outdir);
    const broken = app(outdir, 'changed', (c) => {
      new Artifact(c, 'a', { path: 'clash', content: () => 'a file' });
      new Artifact(c, 'b', { path: 'clash/inside', content: () => 'needs clash to be a folder' });
    });
    // WHEN it synthesizes THEN the write fails, the output is as before, nothing is left beside it
    expect(() => broken.synth()).toThrow(/ENOTDIR|EEXIST/);
    expect(tree(outdir)).toEqual(before);
    expect(fs.readdirSync(path.dirname(outdir)).filter((n) => n.startsWith(`.${path.basename(outdir)}.`))).toEqual([]);
  });

  test('a good synth leaves nothing beside the output folder, also when another synth of it is running', () => {
    const outdir = tmp();
    app(outdir, 'good').synth();
    expect(fs.readdirSync(path.dirname(outdir)).filter((n) => n.startsWith(`.${path.basename(outdir)}.`))).toEqual([]);
    // GIVEN a live synth's half-written folder in the work folder (this process's pid: alive)
    const work = path.join(path.dirname(outdir), `.${path.basename(outdir)}.cdk8s-istio`);
    const live = path.join(work, `new-${process.pid}-zzzz`);
    fs.mkdirSync(live, { recursive: true });
    // WHEN another synth runs THEN it leaves the live one's folder alone
    app(outdir, 'changed').synth();
    expect(fs.existsSync(live)).toBe(true);
    fs.rmSync(work, { recursive: true });
  });

  test('stale files of a previous synth are gone after the next one', () => {
    const outdir = tmp();
    const first = new MeshApp({ outdir, validation: false });
    cm(new MeshChart(first, 'old-chart'), 'x');
    first.synth();
    fs.writeFileSync(path.join(outdir, 'left-by-hand.yaml'), 'x: 1\n');
    const second = new MeshApp({ outdir, validation: false });
    cm(new MeshChart(second, 'new-chart'), 'x');
    second.synth();
    expect(Object.keys(tree(outdir))).toEqual(['new-chart.k8s.yaml']);
  });

  test('a synth interrupted between setting the old output aside and moving the new one in is repaired by the next synth', () => {
    // GIVEN the state a kill between the two renames leaves: no outdir, the old one set aside by a dead process
    const outdir = tmp();
    app(outdir, 'good').synth();
    const before = tree(outdir);
    const deadPid = 2 ** 22 + 12345; // above Linux's pid_max: never a live process
    const work = path.join(path.dirname(outdir), `.${path.basename(outdir)}.cdk8s-istio`);
    const aside = path.join(work, `old-${deadPid}-abcd1234`);
    const halfWritten = path.join(work, `new-${deadPid}-abcd1234`);
    fs.mkdirSync(work);
    fs.renameSync(outdir, aside);
    fs.mkdirSync(halfWritten);
    // WHEN the next synth fails THEN the previous output is back and the half-written folder is gone
    expect(() => app(outdir, 'Bad_Name').synth()).toThrow(/still holds the previous output/);
    expect(tree(outdir)).toEqual(before);
    expect(fs.existsSync(aside) || fs.existsSync(halfWritten) || fs.existsSync(work)).toBe(false);
  });

  test('the output folder keeps its usual mode (not the 0700 of a temporary folder)', () => {
    const outdir = tmp();
    fs.rmSync(outdir, { recursive: true });
    app(outdir, 'good').synth();
    const umask = process.umask();
    expect(fs.statSync(outdir).mode & 0o777).toBe(0o777 & ~umask);
  });

  test('an outdir that is the current folder or a parent of it is refused', () => {
    for (const outdir of ['.', '..', process.cwd(), '/']) {
      expect(() => new MeshApp({ outdir })).toThrow(/outdir: .* is invalid: synth replaces the whole output folder/);
    }
  });

  test('a symbolic link as outdir is kept: the folder it points to is replaced', () => {
    const real = tmp();
    const link = path.join(tmp(), 'dist');
    fs.symlinkSync(real, link);
    app(link, 'good').synth();
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(Object.keys(tree(real))).toEqual(['c.k8s.yaml']);
  });
});
