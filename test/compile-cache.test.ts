import { execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { compileCacheDir, isPackageFile } from '../src/private/compile-cache';
import { linkInstalledPackage } from './installed-package';

/**
 * The V8 code cache of the package's own compiled files (src/private/compile-cache.ts). The unit
 * tests check what is cached and where; the process tests run the compiled library (`npm ci` builds
 * it) against a copy of its files with their own cache folder, so they never touch the repository's.
 */
const ROOT = path.join(__dirname, '..');

describe('which files are cached, and where', () => {
  const root = '/app/node_modules/cdk8s-istio';

  test('only the package\'s own compiled JavaScript', () => {
    expect(isPackageFile(`${root}/lib/src/index.js`, root)).toBe(true);
    expect(isPackageFile(`${root}/lib/imports/networking.istio.io.js`, root)).toBe(true);
    expect(isPackageFile(`${root}/imports/schemas/validators/networking_istio_io_v1_VirtualService.js`, root)).toBe(true);
    expect(isPackageFile(`${root}/imports/networking.istio.io.js`, root)).toBe(false);
    expect(isPackageFile(`${root}/lib/src/index.d.ts`, root)).toBe(false);
    expect(isPackageFile(`${root}/node_modules/cdk8s/lib/index.js`, root)).toBe(false);
    expect(isPackageFile(`${root}/lib/node_modules/x/index.js`, root)).toBe(false);
    expect(isPackageFile('/app/node_modules/cdk8s/lib/index.js', root)).toBe(false);
    expect(isPackageFile('/app/lib/main.js', root)).toBe(false);
  });

  describe('the cache folder', () => {
    const saved = { flag: process.env.CDK8S_ISTIO_COMPILE_CACHE, node: process.env.NODE_COMPILE_CACHE };
    let tmp: string;
    beforeEach(() => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'compile-cache-'));
      delete process.env.CDK8S_ISTIO_COMPILE_CACHE;
      delete process.env.NODE_COMPILE_CACHE;
    });
    afterEach(() => {
      fs.rmSync(tmp, { recursive: true, force: true });
      for (const [k, v] of [['CDK8S_ISTIO_COMPILE_CACHE', saved.flag], ['NODE_COMPILE_CACHE', saved.node]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    });

    test('installed: the node_modules folder the package sits in', () => {
      const pkg = path.join(tmp, 'node_modules', 'cdk8s-istio');
      fs.mkdirSync(pkg, { recursive: true });
      expect(compileCacheDir(pkg)).toBe(path.join(tmp, 'node_modules', '.cache', 'cdk8s-istio', `v8-${process.version}-${process.arch}`));
    });

    test('a checkout: its own node_modules; none without one', () => {
      expect(compileCacheDir(tmp)).toBeUndefined();
      fs.mkdirSync(path.join(tmp, 'node_modules'));
      expect(compileCacheDir(tmp)).toBe(path.join(tmp, 'node_modules', '.cache', 'cdk8s-istio', `v8-${process.version}-${process.arch}`));
    });

    test('off when asked, and when Node caches itself', () => {
      fs.mkdirSync(path.join(tmp, 'node_modules'));
      for (const off of ['0', 'false', 'OFF']) {
        process.env.CDK8S_ISTIO_COMPILE_CACHE = off;
        expect(compileCacheDir(tmp)).toBeUndefined();
      }
      process.env.CDK8S_ISTIO_COMPILE_CACHE = '1';
      expect(compileCacheDir(tmp)).toBeDefined();
      process.env.NODE_COMPILE_CACHE = path.join(tmp, 'node-cache');
      expect(compileCacheDir(tmp)).toBeUndefined();
    });
  });
});

test('re2js loaded through the cache is the instance require gives everywhere in the process', () => {
  const out = execFileSync(process.execPath, ['-e', `
    const { re2 } = require(${JSON.stringify(path.join(ROOT, 'lib', 'src', 'private', 're2.js'))});
    const mine = re2();
    console.log(JSON.stringify({ same: mine === require('re2js').RE2JS, full: mine.compile('^a+$').matches('aaa'), rejects: (() => { try { mine.compile('(?=a)'); return false; } catch { return true; } })() }));
  `], { cwd: ROOT, encoding: 'utf8' });
  expect(JSON.parse(out)).toEqual({ same: true, full: true, rejects: true });
});

describe('a fresh process with the cache (compiled library)', () => {
  let app: string;
  let cache: string;
  const script = `
    const lib = require('cdk8s-istio');
    const app = new lib.MeshApp({ outdir: process.argv[1], log: () => undefined });
    const chart = new lib.MeshChart(app, 'shop');
    const mesh = new lib.Mesh(chart, 'Mesh');
    const ns = new lib.MeshNamespace(chart, 'Ns', { mesh, name: 'shop' });
    const web = new lib.TracedService(chart, 'Web', { namespace: ns, imageRepository: 'registry.example.com/web', versions: [{ name: 'v1' }, { name: 'v2' }], openTelemetry: { enabled: false } });
    new lib.CanaryRoute(chart, 'Route', { service: web, defaultDestination: lib.Destination.split([{ version: 'v1', percent: 90 }, { version: 'v2', percent: 10 }]) });
    new lib.ZeroTrustPolicy(chart, 'ZeroTrust', { mesh, namespaces: [{ namespace: ns }] });
    app.synth();
  `;
  const run = (outdir: string, env: Record<string, string> = {}) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
    delete childEnv.CDK8S_ISTIO_COMPILE_CACHE;
    delete childEnv.NODE_COMPILE_CACHE;
    Object.assign(childEnv, env);
    execFileSync(process.execPath, ['-e', script, outdir], { cwd: app, env: childEnv, stdio: 'pipe' });
    const out: Record<string, string> = {};
    for (const f of fs.readdirSync(outdir)) out[f] = fs.readFileSync(path.join(outdir, f), 'utf8');
    return out;
  };
  /** The check an entry was written with, and the same check computed over its data now. */
  const checkOf = (b: Buffer) => {
    const newline = b.indexOf(0x0a);
    const written = b.toString('latin1', 0, newline).split(' ')[3];
    const data = b.subarray(newline + 1);
    const actual = written.startsWith('crc32-') ? `crc32-${(zlib as any).crc32(data).toString(16).padStart(8, '0')}` : `sha1-${crypto.createHash('sha1').update(data).digest('hex')}`;
    return { written, actual };
  };
  const entries = () => (fs.existsSync(cache) ? fs.readdirSync(cache).filter((f) => f.endsWith('.bin')).sort() : []);

  beforeAll(() => {
    // an app with the package installed as links to this checkout's compiled files and dependencies
    app = linkInstalledPackage('compile-cache-app-');
    cache = path.join(app, 'node_modules', '.cache', 'cdk8s-istio', `v8-${process.version}-${process.arch}`);
  });
  afterAll(() => fs.rmSync(app, { recursive: true, force: true }));

  test('the first run writes entries; later runs and a run without the cache write the same manifests', () => {
    // NODE_PRESERVE_SYMLINKS: the package's files keep their installed paths, so its root (and cache
    // folder) is the app's, not this checkout's
    const first = run(path.join(app, 'out1'), { NODE_PRESERVE_SYMLINKS: '1' });
    const written = entries();
    expect(written).toEqual(expect.arrayContaining(['lib__src__mesh.js.bin', 'lib__src__mesh-app.js.bin']));
    // the ahead-of-time ajv validators load only for objects the structural fast path does not find valid (schema-fast.ts)
    expect(written.filter((f) => f.startsWith('imports__schemas__validators__'))).toEqual([]);
    expect(written.some((f) => f.startsWith('kubernetes-models__'))).toBe(true);
    const header = fs.readFileSync(path.join(cache, 'lib__src__mesh.js.bin')).toString('latin1', 0, 120).split('\n')[0];
    expect(header).toMatch(/^cdk8s-istio-v8-cache 2 [0-9a-f]{40} (crc32-[0-9a-f]{8}|sha1-[0-9a-f]{40})$/);
    const before = Object.fromEntries(written.map((f) => [f, fs.statSync(path.join(cache, f)).mtimeMs]));
    const second = run(path.join(app, 'out2'), { NODE_PRESERVE_SYMLINKS: '1' });
    const off = run(path.join(app, 'out3'), { NODE_PRESERVE_SYMLINKS: '1', CDK8S_ISTIO_COMPILE_CACHE: '0' });
    expect(second).toEqual(first);
    expect(off).toEqual(first);
    expect(Object.keys(first).length).toBeGreaterThan(0);
    // a run that found every entry rewrites none
    expect(Object.fromEntries(entries().map((f) => [f, fs.statSync(path.join(cache, f)).mtimeMs]))).toEqual(before);
  });

  test('a damaged entry or one for other content is not used, and is rewritten', () => {
    const entry = path.join(cache, 'lib__src__mesh.js.bin');
    const good = fs.readFileSync(entry);
    const newline = good.indexOf(0x0a);
    // GIVEN the same header with damaged data (V8's release builds would not notice)
    const damaged = Buffer.from(good);
    for (let i = newline + 200; i < damaged.length; i += 97) damaged[i] ^= 0xff;
    fs.writeFileSync(entry, damaged);
    // WHEN a process loads the library THEN it works as without a cache and the entry is good again
    const expected = run(path.join(app, 'ref'), { NODE_PRESERVE_SYMLINKS: '1', CDK8S_ISTIO_COMPILE_CACHE: '0' });
    expect(run(path.join(app, 'out4'), { NODE_PRESERVE_SYMLINKS: '1' })).toEqual(expected);
    const sourceKey = (b: Buffer) => b.toString('latin1', 0, newline).split(' ').slice(0, 3).join(' ');
    const rewritten = fs.readFileSync(entry);
    expect(sourceKey(rewritten)).toBe(sourceKey(good));
    expect(rewritten.equals(damaged)).toBe(false);
    expect(checkOf(rewritten)).toEqual({ written: expect.stringMatching(/^(crc32|sha1)-/), actual: expect.any(String) });
    expect(checkOf(rewritten).actual).toBe(checkOf(rewritten).written);
    expect(checkOf(damaged).actual).not.toBe(checkOf(damaged).written);
    // GIVEN an entry written for other content (another version of the file)
    const other = Buffer.concat([Buffer.from(`cdk8s-istio-v8-cache 2 ${'0'.repeat(40)} `, 'latin1'), good.subarray(good.indexOf(' ', 'cdk8s-istio-v8-cache 2 '.length + 40) + 1)]);
    fs.writeFileSync(entry, other);
    expect(run(path.join(app, 'out5'), { NODE_PRESERVE_SYMLINKS: '1' })).toEqual(expected);
    expect(sourceKey(fs.readFileSync(entry))).toBe(sourceKey(good));
  });
});
