import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as jsyaml from 'js-yaml';
import { main } from '../../examples/main';
import { buildLib } from '../validation/helpers';

const ROOT = path.join(__dirname, '..', '..');
const CDK8S = path.join(ROOT, 'node_modules', '.bin', 'cdk8s');
const ENV = { ...process.env, CDK8S_CHECK_UPGRADE: 'false' };
const tmp = (prefix = 'cdk8s-cli-test-') => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

/** Every document of a stream, each checked to be a complete manifest. */
function manifests(stream: string): any[] {
  const docs = jsyaml.loadAll(stream).filter((d) => d !== null);
  for (const d of docs as any[]) {
    expect(d).toMatchObject({ apiVersion: expect.any(String), kind: expect.any(String), metadata: { name: expect.any(String) } });
  }
  return docs;
}
const key = (m: any) => `${m.apiVersion}|${m.kind}|${m.metadata.namespace ?? ''}|${m.metadata.name}`;

describe('cdk8s synth --stdout', () => {
  test('in the CLI\'s temporary folder, MeshApp writes one file: the output folder\'s own objects in apply order', () => {
    // GIVEN the folder `cdk8s synth --stdout` makes (<tmpdir>/cdk8s-XXXXXX, in CDK8S_OUTDIR)
    const outdir = tmp('cdk8s-');
    const before = process.env.CDK8S_OUTDIR;
    process.env.CDK8S_OUTDIR = outdir;
    try {
      main(outdir);
    } finally {
      if (before === undefined) delete process.env.CDK8S_OUTDIR;
      else process.env.CDK8S_OUTDIR = before;
    }
    // THEN exactly one YAML file, no control-plane files, variants or report
    expect(fs.readdirSync(outdir)).toEqual(['app.k8s.yaml']);
    const docs = manifests(fs.readFileSync(path.join(outdir, 'app.k8s.yaml'), 'utf8'));
    expect(docs.map((d) => d.kind)).not.toContain('IstioOperator');
    expect(docs[0].kind).toBe('Namespace');
    // AND it is what a synth to a folder writes as dist/reference-app.k8s.yaml
    const dir = tmp();
    main(dir);
    expect(fs.readFileSync(path.join(outdir, 'app.k8s.yaml'), 'utf8')).toBe(fs.readFileSync(path.join(dir, 'reference-app.k8s.yaml'), 'utf8'));
  });

  describe('with the real cdk8s CLI', () => {
    beforeAll(() => buildLib(), 120_000);

    test('the stream parses as YAML documents that are each a complete manifest, none twice, no install files', () => {
      const r = spawnSync(CDK8S, ['synth', '--stdout'], { cwd: ROOT, encoding: 'utf8', env: ENV, timeout: 120_000 });
      expect(r.status).toBe(0);
      const docs = manifests(r.stdout);
      expect(docs.length).toBeGreaterThan(10);
      expect(docs.filter((d) => d.apiVersion.startsWith('install.istio.io'))).toEqual([]);
      expect(new Set(docs.map(key)).size).toBe(docs.length);
      expect(r.stderr).toMatch(/--stdout streams the objects of the output folder itself; not streamed: .*control-plane/);
    }, 150_000);
  });
});

describe('a failing synth under node and under cdk8s synth', () => {
  beforeAll(() => buildLib(), 120_000);

  /** GIVEN a cdk8s project whose app fails validation when BAD is set. */
  function project(): string {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), 'app: node app.js\n');
    fs.writeFileSync(path.join(dir, 'app.js'), `
const { ApiObject } = require(${JSON.stringify(path.join(ROOT, 'node_modules', 'cdk8s'))});
const { MeshApp, MeshChart } = require(${JSON.stringify(path.join(ROOT, 'lib', 'src'))});
MeshApp.run(() => {
  const app = new MeshApp();
  const chart = new MeshChart(app, 'app');
  if (process.env.BAD === 'construct') new MeshChart(app, 'escape', { outputDir: '../elsewhere' });
  const cm = new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: process.env.BAD && process.env.BAD !== 'synth-construct' ? 'Bad_Name' : 'good', namespace: 'default' } });
  // a construct's own check that fails at synth (cdk8s node validation), in the house format
  if (process.env.BAD === 'synth-construct') cm.node.addValidation({ validate: () => ['props.replicas: 3 is invalid: it must be even. Hint: use 4'] });
  app.synth();
});
`);
    return dir;
  }
  const read = (dir: string) => fs.readFileSync(path.join(dir, 'dist', 'app.k8s.yaml'), 'utf8');

  test('node app.js: the findings without a stack trace, exit 1, the previous output untouched', () => {
    const dir = project();
    expect(spawnSync(process.execPath, ['app.js'], { cwd: dir, encoding: 'utf8' }).status).toBe(0);
    const good = read(dir);
    const r = spawnSync(process.execPath, ['app.js'], { cwd: dir, encoding: 'utf8', env: { ...process.env, BAD: '1' } });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^Synth failed with 1 validation error\(s\); nothing was written:\nerror +CI1003 +ConfigMap\/default\/Bad_Name/);
    expect(r.stderr).toMatch(/dist\/ still holds the previous output\.\n$/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(read(dir)).toBe(good);
  });

  test('npx cdk8s synth: the CLI removes dist/ first; the failed synth puts the last good output back and says so', () => {
    const dir = project();
    expect(spawnSync(CDK8S, ['synth'], { cwd: dir, encoding: 'utf8', env: ENV }).status).toBe(0);
    const good = read(dir);
    const r = spawnSync(CDK8S, ['synth'], { cwd: dir, encoding: 'utf8', env: { ...ENV, BAD: '1' } });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Synth failed with 1 validation error\(s\); nothing was written:\nerror +CI1003/);
    expect(r.stderr).toMatch(/dist\/ was missing \(the cdk8s CLI removes it before running the app\) and holds the last good output again\./);
    // our part has no stack trace (the CLI then reports the exit code in its own words)
    const ours = r.stderr.slice(0, r.stderr.indexOf('holds the last good output again.'));
    expect(ours).not.toMatch(/\n\s+at /);
    expect(read(dir)).toBe(good);
  });

  test('npx cdk8s synth: a construct error before synth also leaves the last good output in dist/', () => {
    const dir = project();
    expect(spawnSync(CDK8S, ['synth'], { cwd: dir, encoding: 'utf8', env: ENV }).status).toBe(0);
    const good = read(dir);
    const r = spawnSync(CDK8S, ['synth'], { cwd: dir, encoding: 'utf8', env: { ...ENV, BAD: 'construct' } });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^\[escape\] props.outputDir: "..\/elsewhere" is invalid: it must be a relative folder inside the app outdir\. Hint: e\.g\. outputDir: 'mesh' \(written under the app's outdir\)\n/m);
    expect(r.stderr.slice(0, r.stderr.indexOf('Error: command'))).not.toMatch(/\n\s+at /);
    expect(read(dir)).toBe(good);
  });

  test('node app.js and npx cdk8s synth: a construct check failing at synth is a finding; the previous output stays', () => {
    const dir = project();
    expect(spawnSync(CDK8S, ['synth'], { cwd: dir, encoding: 'utf8', env: ENV }).status).toBe(0);
    const good = read(dir);
    const expected = /^Synth failed with 1 construct error\(s\); nothing was written:\n\[app\/cm\] props\.replicas: 3 is invalid: it must be even\. Hint: use 4\n/m;
    // under node: the previous output is kept
    const n = spawnSync(process.execPath, ['app.js'], { cwd: dir, encoding: 'utf8', env: { ...process.env, BAD: 'synth-construct' } });
    expect(n.status).toBe(1);
    expect(n.stderr).toMatch(expected);
    expect(n.stderr).toMatch(/dist\/ still holds the previous output\.\n$/);
    expect(n.stderr).not.toMatch(/\n\s+at /);
    expect(read(dir)).toBe(good);
    // under the cdk8s CLI, which removes dist/ first: the last good output is put back
    const r = spawnSync(CDK8S, ['synth'], { cwd: dir, encoding: 'utf8', env: { ...ENV, BAD: 'synth-construct' } });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(expected);
    expect(r.stderr).toMatch(/dist\/ was missing \(the cdk8s CLI removes it before running the app\) and holds the last good output again\./);
    expect(r.stderr.slice(0, r.stderr.indexOf('holds the last good output again.'))).not.toMatch(/\n\s+at /);
    expect(read(dir)).toBe(good);
  });

  describe('a plain cdk8s App with a Mesh', () => {
    /** GIVEN a cdk8s project with a plain App (what `cdk8s init` gives) and a Mesh in it. */
    function plainProject(): string {
      const dir = tmp();
      fs.mkdirSync(path.join(dir, 'node_modules'));
      fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), 'app: node app.js\n');
      fs.writeFileSync(path.join(dir, 'app.js'), `
const { App, Chart, ApiObject } = require(${JSON.stringify(path.join(ROOT, 'node_modules', 'cdk8s'))});
const { Mesh } = require(${JSON.stringify(path.join(ROOT, 'lib', 'src'))});
const app = new App();
const chart = new Chart(app, process.env.CHART || 'app');
new Mesh(chart, 'Mesh');
new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: process.env.BAD ? 'Bad_Name' : 'good', namespace: 'default' } });
if (process.env.BAD === 'construct') throw new Error('a construct error while the app is built');
app.synth();
`);
      return dir;
    }
    const files = (dir: string) => fs.readdirSync(path.join(dir, 'dist')).sort();

    test('npx cdk8s synth: a failed synth leaves the last good output in dist/ (the CLI removed it) and says so', () => {
      const dir = plainProject();
      expect(spawnSync(CDK8S, ['synth'], { cwd: dir, encoding: 'utf8', env: ENV }).status).toBe(0);
      const good = read(dir);
      const r = spawnSync(CDK8S, ['synth'], { cwd: dir, encoding: 'utf8', env: { ...ENV, BAD: '1' } });
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/Synth failed with 1 validation error\(s\); nothing was written:\nerror +CI1003/);
      expect(r.stderr).toMatch(/dist\/ was missing \(the cdk8s CLI removes it before running the app\) and holds the last good output again\./);
      expect(read(dir)).toBe(good);
      // an error thrown while the app is still being built (after the Mesh): the last good output too
      expect(spawnSync(CDK8S, ['synth'], { cwd: dir, encoding: 'utf8', env: { ...ENV, BAD: 'construct' } }).status).not.toBe(0);
      expect(read(dir)).toBe(good);
    });

    test('npx cdk8s synth after a restore: the next good synth writes a fresh folder (no file of the restored output left)', () => {
      const dir = plainProject();
      expect(spawnSync(CDK8S, ['synth'], { cwd: dir, encoding: 'utf8', env: ENV }).status).toBe(0);
      expect(files(dir)).toEqual(['app.k8s.yaml']);
      expect(spawnSync(CDK8S, ['synth'], { cwd: dir, encoding: 'utf8', env: { ...ENV, BAD: '1' } }).status).not.toBe(0);
      // WHEN the chart is renamed and the synth succeeds THEN only the new chart's file is there
      expect(spawnSync(CDK8S, ['synth'], { cwd: dir, encoding: 'utf8', env: { ...ENV, CHART: 'renamed' } }).status).toBe(0);
      expect(files(dir)).toEqual(['renamed.k8s.yaml']);
      // and that is the last good output from now on
      expect(spawnSync(CDK8S, ['synth'], { cwd: dir, encoding: 'utf8', env: { ...ENV, BAD: '1' } }).status).not.toBe(0);
      expect(files(dir)).toEqual(['renamed.k8s.yaml']);
    });
  });

  test('node lib/examples/main.js: a bad outdir is reported without a stack trace, exit 1', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'lib', 'examples', 'main.js')], { cwd: tmp(), encoding: 'utf8', env: { ...process.env, CDK8S_OUTDIR: '.' } });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('[MeshApp] outdir: "." is invalid: synth replaces the whole output folder, so it cannot be the current folder, one of its parents or the file-system root. Hint: use a folder of its own, e.g. "dist"\n');
  });
});
