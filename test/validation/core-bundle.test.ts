import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { linkInstalledPackage } from '../installed-package';
import * as path from 'path';
import { _coreValidator, CORE_KINDS } from '../../src/validation/core-kinds';

/**
 * The code cache's bundle of kubernetes-models' validators (src/private/compile-cache.ts ModuleBundle,
 * used by src/validation/core-kinds.ts): fresh processes run the compiled library installed in an app
 * whose kubernetes-models files are copies, so a test can change them. Every run compares the loaded
 * validators with the package loaded by Node's `require` on the same objects.
 */
const ROOT = path.join(__dirname, '..', '..');
const RACY_MS = 2000; // compile-cache.ts: files changed more recently are not bundled yet
const NPM_TIME = 499162500; // the modification time npm gives every installed file (1985-10-26T08:15:00Z)

/** A valid and an invalid object of every core kind. */
const INPUTS: Array<[string, unknown]> = CORE_KINDS.flatMap((key): Array<[string, unknown]> => {
  const [kind, ...rest] = key.split('/').reverse();
  const apiVersion = rest.reverse().join('/');
  const metadata = { name: 'x', namespace: 'ns' };
  const good: Record<string, unknown> = { apiVersion, kind, metadata };
  if (kind === 'Deployment') good.spec = { selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'x', image: 'x:1', ports: [{ containerPort: 8080 }] }] } } };
  if (kind === 'Service') good.spec = { ports: [{ port: 80 }] };
  if (kind === 'HorizontalPodAutoscaler') good.spec = { scaleTargetRef: { kind: 'Deployment', name: 'x' }, maxReplicas: 3 };
  if (kind === 'PodDisruptionBudget') good.spec = { minAvailable: 1 };
  const bad = { kind, metadata: { name: 7 }, spec: { replicas: 'many', ports: [{ port: '80' }], maxReplicas: -1.5 } };
  return [[key, good], [key, bad]];
});

const CHILD = `
  const ck = require('cdk8s-istio/lib/src/validation/core-kinds.js');
  const out = { results: [] };
  for (const [key, m] of JSON.parse(process.argv[1])) {
    const ours = ck._coreValidator(key, 'loader').validate;
    const theirs = ck._coreValidator(key, 'require').validate;
    const a = [ours(m), ours.errors ?? null];
    const b = [theirs(m), theirs.errors ?? null];
    out.results.push({ key, verdict: a[0], errors: a[1], sameAsRequire: JSON.stringify(a) === JSON.stringify(b) && ours !== theirs });
  }
  const loaded = ck._coreValidator(JSON.parse(process.argv[1])[0][0], 'loader');
  out.files = loaded.files.length;
  out.bundled = loaded.bundled.length;
  console.log(JSON.stringify(out));
`;

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

describe('kubernetes-models validators from the code cache\'s bundle (fresh processes, compiled library)', () => {
  let app: string;
  let bundleFile: string;
  let namespaceFile: string;
  const run = (env: Record<string, string> = {}, inputs = INPUTS) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env };
    delete childEnv.CDK8S_ISTIO_COMPILE_CACHE;
    delete childEnv.NODE_COMPILE_CACHE;
    // the package's files keep their installed paths, so its cache folder and kubernetes-models are the app's
    Object.assign(childEnv, { NODE_PRESERVE_SYMLINKS: '1' }, env);
    return JSON.parse(execFileSync(process.execPath, ['-e', CHILD, JSON.stringify(inputs)], { cwd: app, env: childEnv, encoding: 'utf8' }));
  };
  const state = () => (fs.existsSync(bundleFile) ? fs.readFileSync(bundleFile).toString('latin1', 0, 60).split(' ')[2] : undefined);
  const everyResult = (out: any) => out.results.map((r: any) => r.sameAsRequire);

  beforeAll(() => {
    // every dependency linked, except kubernetes-models' schema packages: copies of the files the core kinds load
    const copied = ['kubernetes-models', path.join('@kubernetes-models', 'apimachinery')];
    app = linkInstalledPackage('core-bundle-app-', (dep) => dep === 'kubernetes-models' || dep === '@kubernetes-models');
    const modules = path.join(app, 'node_modules');
    fs.mkdirSync(path.join(modules, '@kubernetes-models'));
    for (const dep of fs.readdirSync(path.join(ROOT, 'node_modules', '@kubernetes-models'))) {
      if (dep !== 'apimachinery') fs.symlinkSync(path.join(ROOT, 'node_modules', '@kubernetes-models', dep), path.join(modules, '@kubernetes-models', dep));
    }
    let files: string[] = [];
    for (const key of CORE_KINDS) files = _coreValidator(key, 'loader').files;
    for (const dir of copied) {
      fs.mkdirSync(path.join(modules, dir, '_schemas'), { recursive: true });
      fs.copyFileSync(path.join(ROOT, 'node_modules', dir, 'package.json'), path.join(modules, dir, 'package.json'));
    }
    for (const f of files) {
      const rel = path.relative(path.join(ROOT, 'node_modules'), f);
      expect(copied.some((d) => rel.startsWith(d + path.sep))).toBe(true);
      fs.copyFileSync(f, path.join(modules, rel));
      // as npm installs them: one fixed modification time
      fs.utimesSync(path.join(modules, rel), NPM_TIME, NPM_TIME);
    }
    namespaceFile = path.join(modules, 'kubernetes-models', '_schemas', 'IoK8sApiCoreV1Namespace.js');
    bundleFile = path.join(modules, '.cache', 'cdk8s-istio', `v8-${process.version}-${process.arch}`, 'kubernetes-models.bundle');
    // files changed within RACY_MS are not bundled yet
    sleep(RACY_MS + 200);
  });
  afterAll(() => fs.rmSync(app, { recursive: true, force: true }));

  test('GIVEN no bundle WHEN processes load every core kind THEN the first loads file by file and writes a bundle, later ones compile every module from it, with the verdicts and errors of require', () => {
    const first = run();
    expect(first.bundled).toBe(0);
    expect(first.files).toBeGreaterThan(100);
    expect(everyResult(first).every(Boolean)).toBe(true);
    expect(first.results.filter((r: any) => r.verdict).length).toBe(CORE_KINDS.length);
    expect(state()).toBe('cold');
    // THEN the next process runs the bundle and rewrites its code cache after the code ran
    const second = run();
    expect(second).toEqual({ ...first, bundled: first.files });
    expect(state()).toBe('warm');
    const written = fs.statSync(bundleFile).mtimeMs;
    const third = run();
    expect(third).toEqual(second);
    expect(fs.statSync(bundleFile).mtimeMs).toBe(written);
  });

  test('GIVEN a bundle WHEN a bundled file is rewritten in place with its size and modification time kept THEN the bundle is not used, the new code runs, and the next bundle holds it', () => {
    run();
    run();
    expect(state()).toBe('warm');
    // GIVEN a same-length change, with npm's fixed modification time set back
    const before = fs.statSync(namespaceFile);
    const text = fs.readFileSync(namespaceFile, 'utf8');
    expect(text).toContain('missingProperty:"apiVersion"');
    const changed = text.replace(/missingProperty:"apiVersion"/g, 'missingProperty:"APIVERSION"');
    const fd = fs.openSync(namespaceFile, 'r+');
    fs.writeSync(fd, changed, 0, 'utf8');
    fs.closeSync(fd);
    fs.utimesSync(namespaceFile, NPM_TIME, NPM_TIME);
    const after = fs.statSync(namespaceFile);
    expect([after.size, after.mtimeMs, after.ino]).toEqual([before.size, NPM_TIME * 1000, before.ino]);
    expect(before.mtimeMs).toBe(NPM_TIME * 1000);
    sleep(RACY_MS + 200);
    // WHEN a process loads the validators THEN none comes from the stale bundle, and Namespace's has the new text
    const namespaceErrors = (out: any) => JSON.stringify(out.results.filter((r: any) => r.key === 'v1/Namespace').map((r: any) => r.errors));
    const stale = run();
    expect(stale.bundled).toBe(0);
    expect(everyResult(stale).every(Boolean)).toBe(true);
    expect(namespaceErrors(stale)).toContain('APIVERSION');
    // THEN the rewritten bundle holds the new code
    const next = run();
    expect(next.bundled).toBe(next.files);
    expect(next.results).toEqual(stale.results);
  });

  test('GIVEN a bundle damaged in its code cache or its source WHEN a process loads the validators THEN it is not used and is rewritten', () => {
    run();
    const good = fs.readFileSync(bundleFile);
    const expected = run();
    expect(expected.bundled).toBe(expected.files);
    const header = good.toString('latin1', 0, good.indexOf(0x0a)).split(' ');
    const sourceStart = good.indexOf(0x0a) + 1 + Number(header[3]);
    const dataStart = sourceStart + Number(header[4]);
    for (const [from, to] of [[dataStart + 100, good.length], [sourceStart + 1000, sourceStart + 1001]]) {
      const damaged = Buffer.from(good);
      for (let i = from; i < to; i += 97) damaged[i] ^= 0x01;
      fs.writeFileSync(bundleFile, damaged);
      const out = run();
      expect(out).toEqual({ ...expected, bundled: 0 });
      expect(fs.readFileSync(bundleFile).equals(damaged)).toBe(false);
      expect(run()).toEqual(expected);
    }
  });

  test('GIVEN a bundle of the modules of one kind WHEN a process needs more kinds THEN it loads the others file by file, and the next bundle holds them all', () => {
    fs.rmSync(bundleFile, { force: true });
    const namespaceOnly = INPUTS.filter(([key]) => key === 'v1/Namespace');
    const few = run({}, namespaceOnly);
    expect(run({}, namespaceOnly)).toEqual({ ...few, bundled: few.files });
    expect(state()).toBe('warm');
    // WHEN every kind is needed (the first input a Namespace, so the counts are of every module loaded)
    const all: Array<[string, unknown]> = [...namespaceOnly, ...INPUTS];
    const more = run({}, all);
    expect(more.files).toBeGreaterThan(few.files * 5);
    expect(more.bundled).toBe(few.files);
    expect(everyResult(more).every(Boolean)).toBe(true);
    expect(state()).toBe('cold');
    const next = run({}, all);
    expect(next).toEqual({ ...more, bundled: more.files });
    expect(state()).toBe('warm');
  });

  test('GIVEN CDK8S_ISTIO_COMPILE_CACHE=0 WHEN a process loads the validators THEN no bundle is read or written, with the same results', () => {
    const expected = run();
    expect(expected.bundled).toBe(expected.files);
    fs.rmSync(bundleFile);
    const off = run({ CDK8S_ISTIO_COMPILE_CACHE: '0' });
    expect(off).toEqual({ ...expected, bundled: 0 });
    expect(fs.existsSync(bundleFile)).toBe(false);
  });
});
