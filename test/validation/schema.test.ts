import * as fs from 'fs';
import * as path from 'path';
import { readManifests } from '../../src/cli/lint';
import { _resetSchemaCache, checkSchema, CONVERTER_VERSION, dedupe, jsonSchemaFor, precompiledFileName, splitLargeSubtrees, toJsonSchema } from '../../src/validation/schema';
import { CATALOG_DIR, REFERENCE, synthesizedExampleManifests } from './helpers';
import { mutationsOf } from './mutations';

const ROOT = path.join(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { AOT_KINDS, sourceHash } = require(path.join(ROOT, 'scripts', 'compile-validators.js'));

function schemas(): Record<string, any> {
  const out: Record<string, any> = {};
  // every imported source (imports/schemas/index.json, written by scripts/import.js)
  for (const s of Object.keys(JSON.parse(fs.readFileSync(path.join(ROOT, 'imports', 'schemas', 'index.json'), 'utf8')))) Object.assign(out, JSON.parse(fs.readFileSync(path.join(ROOT, 'imports', 'schemas', `${s}.json`), 'utf8')));
  return out;
}

describe('structural schema conversion', () => {
  test('properties without additionalProperties become closed; preserve-unknown-fields stays open', () => {
    const s = toJsonSchema({ type: 'object', properties: { a: { type: 'object', properties: { b: { type: 'string' } } }, c: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { d: { type: 'string' } } } } });
    expect(s.additionalProperties).toBe(false);
    expect(s.properties.a.additionalProperties).toBe(false);
    expect(s.properties.c.additionalProperties).toBeUndefined();
  });

  test('int-or-string accepts both; nullable adds null', () => {
    const s = toJsonSchema({ type: 'object', properties: { p: { 'x-kubernetes-int-or-string': true }, n: { type: 'string', nullable: true } } });
    expect(s.properties.p.anyOf).toEqual([{ type: 'integer' }, { type: 'string' }]);
    expect(s.properties.n.type).toEqual(['string', 'null']);
  });

  test('dedupe replaces repeated large subtrees by one $defs entry', () => {
    const big = { type: 'object', properties: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`field${i}`, { type: 'string' }])) };
    const out = dedupe({ type: 'object', properties: { x: big, y: { type: 'array', items: big } } });
    expect(out.properties.x).toEqual({ $ref: '#/$defs/d0' });
    expect(out.properties.y.items).toEqual({ $ref: '#/$defs/d0' });
    expect(out.$defs.d0.properties.field39).toEqual({ type: 'string' });
  });
});

describe('ahead-of-time validators', () => {
  test.each((AOT_KINDS as string[]).map((k) => [k]))('%s is up to date with imports/schemas (rerun scripts/compile-validators.js if not)', (key) => {
    const data = schemas();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(ROOT, 'imports', 'schemas', 'validators', precompiledFileName(key)));
    expect(mod.converterVersion).toBe(CONVERTER_VERSION);
    expect(mod.sourceHash).toBe(sourceHash(data[key].schema));
  });

  test('give the same findings as lazily compiled validators on every catalog file and the reference app', () => {
    const files = [REFERENCE, ...fs.readdirSync(CATALOG_DIR).filter((f) => f.endsWith('.yaml')).map((f) => path.join(CATALOG_DIR, f))];
    const manifests = readManifests(files).manifests.map((m) => m.manifest).filter((m) => m && m.apiVersion && m.kind);
    const run = () => manifests.map((m) => checkSchema(m));
    // ajv's two paths on every object (the fast path, schema-fast.ts, would answer the valid ones first)
    _resetSchemaCache({ fastPath: false });
    const aot = run();
    _resetSchemaCache({ aot: false, fastPath: false });
    const lazy = run();
    _resetSchemaCache();
    expect(aot).toEqual(lazy);
    expect(aot.flat().filter((f) => f).length).toBeGreaterThan(5);
  });

  test('give the same findings as lazily compiled validators on every mutation of the examples\' custom resources', () => {
    const objects = synthesizedExampleManifests('aot-').filter((m) => m && (AOT_KINDS as string[]).includes(`${m.apiVersion}/${m.kind}`));
    const manifests = [...objects, ...objects.flatMap((m) => mutationsOf(m).map((x) => x.manifest))];
    const run = () => manifests.map((m) => checkSchema(m));
    // ajv's two paths on every object (the fast path, schema-fast.ts, would answer the valid ones first)
    _resetSchemaCache({ fastPath: false });
    const aot = run();
    _resetSchemaCache({ aot: false, fastPath: false });
    const lazy = run();
    _resetSchemaCache();
    expect(aot).toEqual(lazy);
    // not vacuous: many kinds, many findings, enum findings naming the value
    expect(new Set(objects.map((m) => m.kind)).size).toBeGreaterThan(8);
    const found = aot.flat().filter((f) => f);
    expect(found.length).toBeGreaterThan(300);
    expect(found.filter((f) => /Unsupported value: "/.test(f!.message)).length).toBeGreaterThan(5);
  });

  test('split large subtrees into functions of their own, never from inside oneOf/anyOf/allOf/not', () => {
    const data = schemas();
    const root = splitLargeSubtrees(jsonSchemaFor(data['networking.istio.io/v1/VirtualService'].schema));
    const moved = Object.keys(root.$defs ?? {}).filter((k) => k.startsWith('s'));
    expect(moved.length).toBeGreaterThan(5);
    const refsUnder = (n: any, inBranch: boolean, out: Array<{ ref: string; inBranch: boolean }>): void => {
      if (!n || typeof n !== 'object') return;
      if (typeof n.$ref === 'string') out.push({ ref: n.$ref, inBranch });
      for (const [k, v] of Object.entries(n)) {
        if (k === '$defs') continue;
        const branch = inBranch || ['oneOf', 'anyOf', 'allOf', 'not'].includes(k);
        if (Array.isArray(v)) v.forEach((x) => refsUnder(x, branch, out));
        else refsUnder(v, branch, out);
      }
    };
    const refs: Array<{ ref: string; inBranch: boolean }> = [];
    refsUnder(root, false, refs);
    for (const name of moved) refsUnder(root.$defs[name], false, refs);
    const toMoved = refs.filter((r) => /#\/\$defs\/s\d+$/.test(r.ref));
    expect(toMoved.length).toBe(moved.length);
    expect(toMoved.filter((r) => r.inBranch)).toEqual([]);
  });
});

describe('docs/validation.md', () => {
  test.each(['docs/validation.md'])('%s lists every check code with its level (the README links to it: one table, issue 16)', (file) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { CHECKS } = require('../../src/validation/codes');
    const doc = fs.readFileSync(path.join(ROOT, file), 'utf8');
    for (const c of CHECKS) expect(doc).toContain(`| \`${c.code}\` | ${c.level} |`);
  });

  test('README.md names every construct warning code the constructs can record', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const codes = new Set<string>();
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(d)) {
        const f = path.join(d, e);
        if (fs.statSync(f).isDirectory()) {
          if (e !== 'validation') walk(f);
        } else if (f.endsWith('.ts')) {
          for (const m of fs.readFileSync(f, 'utf8').matchAll(/'(CI\d{4})'/g)) codes.add(m[1]);
        }
      }
    };
    walk(path.join(ROOT, 'src'));
    expect(codes.size).toBeGreaterThan(3);
    for (const c of codes) expect(readme).toContain(c);
  });

  test('every code the checks can emit is in the table', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { CHECKS } = require('../../src/validation/codes');
    const known = new Set(CHECKS.map((c: any) => c.code));
    const dir = path.join(ROOT, 'src', 'validation');
    const emitted = new Set<string>();
    const files = (d: string): string[] => fs.readdirSync(d).flatMap((x) => (fs.statSync(path.join(d, x)).isDirectory() ? files(path.join(d, x)) : [path.join(d, x)]));
    for (const f of [...files(dir), path.join(ROOT, 'src', 'cli', 'lint.ts')]) {
      if (f.endsWith('codes.ts')) continue;
      for (const m of fs.readFileSync(f, 'utf8').matchAll(/'((?:CI|IST)\d{4})'/g)) emitted.add(m[1]);
    }
    expect([...emitted].filter((c) => !known.has(c))).toEqual([]);
  });
});
