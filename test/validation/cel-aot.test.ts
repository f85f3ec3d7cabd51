import * as fs from 'fs';
import * as path from 'path';
import { parse } from '@bufbuild/cel';
import { readManifests } from '../../src/cli/lint';
import { _celSchemaInternals, _resetCelCache, applyDefaults, CEL_AST_VERSION, celSchemaIndex, celSource, checkCel, decodeCelAst, encodeCelAsts, unescapeCelField, withUnescapedFields } from '../../src/validation/cel';
import { CATALOG_DIR, OTHER_KINDS, REFERENCE } from './helpers';

const ROOT = path.join(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { AOT_KINDS, celAsts } = require(path.join(ROOT, 'scripts', 'compile-validators.js'));
const AOT_FILE = path.join(ROOT, 'imports', 'schemas', 'validators', 'cel-ast.json');

function schemaOf(key: string): any {
  for (const s of Object.keys(JSON.parse(fs.readFileSync(path.join(ROOT, 'imports', 'schemas', 'index.json'), 'utf8')))) {
    const data = JSON.parse(fs.readFileSync(path.join(ROOT, 'imports', 'schemas', `${s}.json`), 'utf8'));
    if (data[key]) return data[key].schema;
  }
  throw new Error(`${key} is not pinned`);
}

describe('ahead-of-time CEL ASTs (imports/schemas/validators/cel-ast.json)', () => {
  afterAll(() => _resetCelCache());

  test('GIVEN the pinned schemas WHEN the file is regenerated THEN it is identical (rerun scripts/compile-validators.js if not)', () => {
    // the engine's encoding from the sources under test, not from a possibly stale lib/
    const fresh = celAsts((AOT_KINDS as string[]).map((k) => [k, schemaOf(k)]), { celSource, encodeCelAsts, celSchemaIndex, CEL_AST_VERSION });
    expect(fs.readFileSync(AOT_FILE, 'utf8')).toBe(fresh);
  });

  test('GIVEN every stored AST WHEN decoded THEN it equals what the parser gives for its source today', () => {
    const data = JSON.parse(fs.readFileSync(AOT_FILE, 'utf8'));
    expect(data.version).toBe(CEL_AST_VERSION);
    const entries = Object.entries<string>(data.asts);
    expect(entries.length).toBeGreaterThan(50);
    for (const [source, encoded] of entries) expect(decodeCelAst(encoded, data.types)).toEqual(parse(source).expr);
  });

  test('GIVEN every stored AST WHEN decoded with unescaping THEN it equals the decoded AST with its field names unescaped afterwards', () => {
    const data = JSON.parse(fs.readFileSync(AOT_FILE, 'utf8'));
    let changed = 0;
    for (const text of Object.values<string>(data.asts)) {
      const plain = decodeCelAst(text, data.types);
      const fused = decodeCelAst(text, data.types, unescapeCelField);
      expect(fused).toEqual(withUnescapedFields(decodeCelAst(text, data.types)));
      if (JSON.stringify(fused, (_k, v) => (typeof v === 'bigint' ? String(v) : v)) !== JSON.stringify(plain, (_k, v) => (typeof v === 'bigint' ? String(v) : v))) changed++;
    }
    // not vacuous: Gateway API's rules select escaped names (p.__namespace__)
    expect(changed).toBeGreaterThan(0);
  });

  test('GIVEN every stored AST WHEN decoded without ids THEN it is the full AST without its expression ids', () => {
    const data = JSON.parse(fs.readFileSync(AOT_FILE, 'utf8'));
    const withoutIds = (n: any): any => {
      if (Array.isArray(n)) return n.map(withoutIds);
      if (!n || typeof n !== 'object' || n instanceof Uint8Array) return n;
      return Object.fromEntries(Object.entries(n).filter(([k, v]) => !(k === 'id' && typeof v === 'bigint')).map(([k, v]) => [k, withoutIds(v)]));
    };
    for (const text of Object.values<string>(data.asts)) {
      const light = decodeCelAst(text, data.types, undefined, false);
      expect(light).toEqual(withoutIds(decodeCelAst(text, data.types)));
      expect(JSON.stringify(light, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))).not.toContain('"id"');
    }
  });

  test('GIVEN int64, uint64, double, bytes, list and map constants WHEN encoded and decoded THEN the values come back with their types', () => {
    const exprs = {
      a: parse('self.a == 9223372036854775807 && b"\\x00\\xff" != b"" && self.c == 1u && self.d == 1.5 && [1, 2.5e300, "x"] != [] && {"k": null}.k == null').expr,
      b: parse('self.x.all(v, v > -9223372036854775808)').expr,
    };
    // through JSON, as the file is
    const data = JSON.parse(JSON.stringify(encodeCelAsts(exprs)));
    for (const [k, expr] of Object.entries(exprs)) expect(decodeCelAst(data.asts[k], data.types)).toEqual(expr);
    const back = decodeCelAst(data.asts.a, data.types);
    expect(JSON.stringify(back, (_k, v) => (typeof v === 'bigint' ? `bigint:${v}` : v instanceof Uint8Array ? `bytes:${[...v]}` : v))).toContain('bigint:9223372036854775807');
    expect(data.asts.a).toContain('[-3,"AP8="]');
    // int64 that a JSON number cannot hold exactly are decimal strings
    expect(data.asts.a).toContain('"9223372036854775807"');
    // other values and nestings have a form too
    const odd = { n: { x: NaN, y: -Infinity, z: [[1n, 2], []], w: { v: 1n } } };
    const oddData = JSON.parse(JSON.stringify(encodeCelAsts(odd)));
    expect(decodeCelAst(oddData.asts.n, oddData.types)).toEqual(odd.n);
  });

  test('GIVEN each emitted kind\'s stored schema index WHEN its CEL tree is built from it THEN it is the tree a walk of the whole schema builds', () => {
    const data = JSON.parse(fs.readFileSync(AOT_FILE, 'utf8'));
    expect(Object.keys(data.kinds).sort()).toEqual([...(AOT_KINDS as string[])].filter((k) => celSchemaIndex(schemaOf(k)) !== undefined).sort());
    let rules = 0;
    for (const key of Object.keys(data.kinds)) {
      const schema = schemaOf(key);
      const indexed = _celSchemaInternals.tree(schema, data.kinds[key]);
      expect(indexed).toEqual(_celSchemaInternals.tree(schema));
      rules += JSON.stringify(indexed, (k, v) => (k === 'schema' ? undefined : v instanceof Map ? Object.fromEntries(v) : v)).split('"rule"').length - 1;
    }
    // not vacuous
    expect(rules).toBeGreaterThan(80);
  });

  test('GIVEN each emitted kind\'s stored schema index WHEN defaults are seeded from it THEN every seeded answer is what a walk of the schema computes, and defaulting gives the same objects', () => {
    const data = JSON.parse(fs.readFileSync(AOT_FILE, 'utf8'));
    let seeded = 0;
    let withDefaults = 0;
    for (const key of Object.keys(data.kinds)) {
      // fresh copies: one seeded, one computed
      const a = structuredClone(schemaOf(key));
      const b = structuredClone(schemaOf(key));
      _celSchemaInternals.seed(a, data.kinds[key]);
      const visit = (x: any, y: any): void => {
        if (!x || typeof x !== 'object') return;
        const known = _celSchemaInternals.known(x);
        if (known !== undefined) {
          seeded++;
          if (known) withDefaults++;
          expect(known).toBe(_celSchemaInternals.hasDefaults(y));
        }
        if (x.properties) for (const k of Object.keys(x.properties)) visit(x.properties[k], y.properties[k]);
        if (x.items) visit(x.items, y.items);
        if (typeof x.additionalProperties === 'object') visit(x.additionalProperties, y.additionalProperties);
      };
      visit(a, b);
    }
    expect(withDefaults).toBeGreaterThan(10);
    expect(seeded).toBeGreaterThan(withDefaults);
    // defaulting the catalog's and the apps' objects against a seeded schema and an unseeded copy
    const files = [REFERENCE, OTHER_KINDS, ...fs.readdirSync(CATALOG_DIR).filter((f) => f.endsWith('.yaml')).map((f) => path.join(CATALOG_DIR, f))];
    const manifests = readManifests(files).manifests.map((m) => m.manifest).filter((m) => m && typeof m.kind === 'string' && data.kinds[`${m.apiVersion}/${m.kind}`]);
    expect(manifests.length).toBeGreaterThan(20);
    let changed = 0;
    for (const m of manifests) {
      const key = `${m.apiVersion}/${m.kind}`;
      const a = structuredClone(schemaOf(key));
      _celSchemaInternals.seed(a, data.kinds[key]);
      const out = applyDefaults(m, a);
      expect(out).toEqual(applyDefaults(m, structuredClone(schemaOf(key))));
      if (JSON.stringify(out) !== JSON.stringify(m)) changed++;
    }
    expect(changed).toBeGreaterThan(0);
  });

  test('GIVEN the url().getScheme() rewrite WHEN a source is derived THEN the stored key is the rewritten expression', () => {
    expect(celSource('isURL(self) && url(self).getScheme() in ["https"]')).toBe('isURL(self) && k8sUrlScheme(self) in ["https"]');
  });

  test('GIVEN the catalog, the reference app and other kinds WHEN checked with and without the stored ASTs THEN the findings are identical', () => {
    const files = [REFERENCE, OTHER_KINDS, ...fs.readdirSync(CATALOG_DIR).filter((f) => f.endsWith('.yaml')).map((f) => path.join(CATALOG_DIR, f))];
    const manifests = readManifests(files).manifests.map((m) => m.manifest).filter((m) => m && typeof m.apiVersion === 'string' && typeof m.kind === 'string');
    const run = () => manifests.map((m) => checkCel(m));
    _resetCelCache();
    const aot = run();
    _resetCelCache({ aot: false });
    const parsed = run();
    expect(aot).toEqual(parsed);
    // the comparison is not vacuous: the catalog holds CEL failures
    expect(aot.flat().filter((f) => f.code === 'CI1101').length).toBeGreaterThan(3);
  });
});
