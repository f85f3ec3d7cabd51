import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { resolveRelative } from '../src/private/package-require';
import { linkInstalledPackage } from './installed-package';

/**
 * How the package's own modules require each other under the code cache (src/private/package-require.ts):
 * relative requests between the package's compiled files skip Node's resolver. It must register
 * modules exactly as Node does. Run in child processes on the compiled library (`npm ci` builds it):
 * Jest replaces Node's module system inside tests.
 */
const ROOT = path.join(__dirname, '..');
const LIB = path.join(ROOT, 'lib', 'src', 'private', 'package-require.js');

const node = (script: string, args: string[] = [], env: NodeJS.ProcessEnv = {}, cwd = ROOT): any => {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  delete childEnv.CDK8S_ISTIO_COMPILE_CACHE;
  delete childEnv.NODE_COMPILE_CACHE;
  return JSON.parse(execFileSync(process.execPath, ['-e', script, ...args], { cwd, env: { ...childEnv, ...env }, encoding: 'utf8' }));
};

describe('requirePackageFile on a folder of modules', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'package-require-'));
    const write = (f: string, s: string) => {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.writeFileSync(path.join(dir, f), s);
    };
    // a requires b (cycle back to a), a folder, a built-in, a JSON file and a module that throws once
    write('a.js', "exports.early = 'a'; const b = require('./b'); exports.b = b; exports.sub = require('./sub'); exports.sep = require('path').sep; exports.data = require('./data.json'); try { require('./boom'); } catch (e) { exports.boom = e.message; } exports.again = require('./b') === b;");
    write('b.js', "exports.sawA = require('./a').early; exports.name = 'b';");
    write('sub/index.js', "exports.name = 'sub'; exports.up = require('../b').name;");
    write('data.json', '{"x":1}');
    write('boom.js', "globalThis.boomRuns = (globalThis.boomRuns || 0) + 1; if (globalThis.boomRuns === 1) throw new Error('first run fails');  exports.ok = true;");
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  // the same folder loaded by Node alone and through packageRequire: same exports, same module records
  const script = (fast: boolean) => `
    const Module = require('module'); const path = require('path'); const vm = require('vm');
    const dir = process.argv[1];
    const { requirePackageFile, NOT_PACKAGE_FILE } = require(${JSON.stringify(LIB)});
    const isOwn = (f) => f.startsWith(dir + path.sep) && f.endsWith('.js');
    const run = (mod, source, file) => {
      const fn = vm.runInThisContext(Module.wrap(source), { filename: file });
      const req = (id) => { const r = requirePackageFile(mod, id, isOwn, run); return r === NOT_PACKAGE_FILE ? mod.require(id) : r; };
      fn.call(mod.exports, mod.exports, req, mod, file, path.dirname(file));
    };
    let a;
    if (${fast}) {
      const entry = path.join(dir, 'a.js');
      const mod = new Module(entry, module); mod.filename = entry; mod.paths = Module._nodeModulePaths(dir);
      Module._cache[entry] = mod; run(mod, require('fs').readFileSync(entry, 'utf8'), entry); mod.loaded = true; a = mod.exports;
    } else {
      a = require(path.join(dir, 'a.js'));
    }
    const rel = (m) => m && m.filename ? path.relative(dir, m.filename) : null;
    const records = Object.keys(require.cache).filter((f) => f.startsWith(dir)).sort().map((f) => {
      const m = require.cache[f];
      return { file: path.relative(dir, f), loaded: m.loaded, parent: rel(m.parent), children: m.children.map(rel), paths0: m.paths[0] };
    });
    const boom = require(path.join(dir, 'boom.js'));
    console.log(JSON.stringify({ a, records, boomRetried: boom.ok === true && globalThis.boomRuns === 2 }));
  `;

  test('answers as Node does: cycles, folders, built-ins, JSON, a module that throws is loaded again', () => {
    const viaNode = node(script(false), [dir]);
    const viaPackage = node(script(true), [dir]);
    expect(viaPackage).toEqual(viaNode);
    expect(viaPackage.a).toEqual({ early: 'a', b: { sawA: 'a', name: 'b' }, sub: { name: 'sub', up: 'b' }, sep: path.sep, data: { x: 1 }, boom: 'first run fails', again: true });
    expect(viaPackage.boomRetried).toBe(true);
    // the records are real: b is a child of a, and sub/index.js was left to Node
    expect(viaPackage.records.find((r: any) => r.file === 'b.js')).toMatchObject({ loaded: true, parent: 'a.js' });
    expect(viaPackage.records.find((r: any) => r.file === 'a.js').children).toEqual(['b.js', path.join('sub', 'index.js'), 'data.json']);
  });
});

describe('the library under the code cache', () => {
  let app: string;
  beforeAll(() => {
    // an app with the package installed as links to this checkout's compiled files (its own cache folder)
    app = linkInstalledPackage('package-require-app-');
  });
  afterAll(() => fs.rmSync(app, { recursive: true, force: true }));

  test('registers the same modules, with the same parents and children, as Node does without it', () => {
    const script = `
      const path = require('path');
      const lib = require('cdk8s-istio');
      lib.Mesh; lib.networking; // a lazy namespace too
      const root = path.dirname(require.resolve('cdk8s-istio/package.json'));
      const rel = (m) => m && m.filename ? path.relative(root, m.filename) : null;
      const own = Object.keys(require.cache).filter((f) => f.startsWith(root + path.sep));
      console.log(JSON.stringify(own.sort().map((f) => { const m = require.cache[f]; return [rel(m), m.loaded, rel(m.parent), m.children.map(rel)]; })));
    `;
    const env = { NODE_PRESERVE_SYMLINKS: '1' };
    node(script, [], env, app); // writes the cache
    const cached = node(script, [], env, app);
    const plain = node(script, [], { ...env, CDK8S_ISTIO_COMPILE_CACHE: '0' }, app);
    expect(cached.length).toBeGreaterThan(100);
    expect(cached).toEqual(plain);
  });
});

test('resolveRelative is path.resolve(path.dirname(from), id) on every request tried', () => {
  const segs = ['.', '..', '', 'a', 'model', 'b.c', '.hidden', 'x..y'];
  let seed = 11;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const froms = ['/app/node_modules/cdk8s-istio/lib/src/index.js', '/app/node_modules/cdk8s-istio/lib/src/render/index.js', '/a.js', '/x/y.js'];
  let n = 0;
  for (let k = 0; k < 20000; k++) {
    const from = froms[Math.floor(rnd() * froms.length)];
    const steps = Array.from({ length: Math.floor(rnd() * 4) }, () => (rnd() < 0.5 ? './' : '../')).join('') || './';
    const rest = Array.from({ length: Math.floor(rnd() * 4) }, () => segs[Math.floor(rnd() * segs.length)]).join('/');
    const id = steps + rest;
    expect([from, id, resolveRelative(from, id)]).toEqual([from, id, path.resolve(path.dirname(from), id)]);
    n++;
  }
  expect(n).toBe(20000);
});
