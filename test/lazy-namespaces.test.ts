import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/**
 * The compiled entry point loads the escape-hatch namespaces (`networking`, `security`, …: the classes
 * `cdk8s import` generated, 1.4 MB of JavaScript) on first use, not when the library is required
 * (scripts/lazy-namespaces.js, run by `prepare` and the compile task). These tests run the compiled
 * library (`npm ci` builds it) in fresh processes.
 */
const ROOT = path.join(__dirname, '..');
const INDEX = path.join(ROOT, 'lib', 'src', 'index.js');

/** The `export * as x from '../imports/…'` names of src/index.ts. */
function namespaceExports(): Map<string, string> {
  const src = fs.readFileSync(path.join(ROOT, 'src', 'index.ts'), 'utf8');
  const out = new Map<string, string>();
  for (const m of src.matchAll(/^export \* as (\w+) from '(\.\.\/imports\/[^']+)';$/gm)) out.set(m[1], m[2]);
  return out;
}

function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
}

describe('escape-hatch namespaces of the compiled library', () => {
  const names = namespaceExports();

  test('src/index.ts has the namespace exports the rewrite expects', () => {
    expect([...names.keys()].sort()).toEqual(['certManager', 'extensions', 'flagger', 'gatewayApi', 'networking', 'security', 'telemetry']);
  });

  test('requiring the library loads none of the generated classes; each namespace loads on first use, once', () => {
    // GIVEN a fresh process WHEN it requires the library THEN no lib/imports/*.js module is loaded
    const script = `
      const lib = require(${JSON.stringify(INDEX)});
      const loaded = () => Object.keys(require.cache).filter((k) => k.includes(${JSON.stringify(path.join('lib', 'imports') + path.sep)}) && k.endsWith('.js'));
      const before = loaded();
      const names = ${JSON.stringify(Object.fromEntries(names))};
      const result = {};
      for (const [name, spec] of Object.entries(names)) {
        const direct = require(require('path').join(${JSON.stringify(path.dirname(INDEX))}, spec));
        const ns = lib[name];
        const keys = Object.keys(direct).filter((k) => k !== 'default');
        result[name] = { same: keys.every((k) => ns[k] === direct[k]), count: keys.length, stable: lib[name] === ns };
      }
      console.log(JSON.stringify({ before, after: loaded().length, enumerable: Object.keys(lib).filter((k) => k in names).sort(), result }));
    `;
    const out = JSON.parse(node(['-e', script]));
    expect(out.before).toEqual([]);
    // THEN every namespace is the generated module's exports (same classes), the same object each time
    expect(out.enumerable).toEqual([...names.keys()].sort());
    for (const name of names.keys()) {
      expect(out.result[name]).toMatchObject({ same: true, stable: true });
      expect(out.result[name].count).toBeGreaterThan(0);
    }
    expect(out.after).toBe(names.size);
  });

  test('ESM consumers can import the namespaces by name', () => {
    const out = node(['--input-type=module', '-e',
      `import { networking, certManager, gatewayApi, MeshApp } from ${JSON.stringify(INDEX)}; console.log(typeof networking.VirtualService, typeof certManager.Certificate, typeof gatewayApi.HttpRoute, typeof MeshApp);`]);
    expect(out.trim()).toBe('function function function function');
  });

  test('the rewrite is idempotent and refuses an entry point without namespace exports', () => {
    const tmp = fs.mkdtempSync(path.join(require('os').tmpdir(), 'lazy-ns-'));
    try {
      const copy = path.join(tmp, 'index.js');
      fs.copyFileSync(INDEX, copy);
      node([path.join(ROOT, 'scripts', 'lazy-namespaces.js'), copy]);
      expect(fs.readFileSync(copy, 'utf8')).toBe(fs.readFileSync(INDEX, 'utf8'));
      const plain = path.join(tmp, 'plain.js');
      fs.writeFileSync(plain, 'exports.x = 1;\n');
      expect(() => execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'lazy-namespaces.js'), plain], { stdio: 'pipe' })).toThrow(/no namespace export/);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
