import * as fs from 'fs';
import * as path from 'path';
import { parse } from '@bufbuild/cel';
import { readManifests } from '../../src/cli/lint';
import { _resetCelCache, CEL_AST_VERSION, celSource, checkCel, decodeCelAst, encodeCelAsts, unescapeCelField, withUnescapedFields } from '../../src/validation/cel';
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
    const fresh = celAsts((AOT_KINDS as string[]).map(schemaOf), { celSource, encodeCelAsts, CEL_AST_VERSION });
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
