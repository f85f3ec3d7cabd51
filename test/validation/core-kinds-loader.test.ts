/**
 * core-kinds.ts loads kubernetes-models' compiled validators with a small loader and a table of the
 * formats they use (core-formats.ts) instead of Node's `require` and `@kubernetes-models/validate`.
 * These tests check that this changes nothing: the same verdicts and errors as the package loaded by
 * Node, formats that are the package's own, and no format outside the table.
 */
import * as fs from 'fs';
import * as path from 'path';
import { readManifests } from '../../src/cli/lint';
import { _coreValidator, checkCoreKind, CORE_KINDS } from '../../src/validation/core-kinds';
import { OWN_CORE_FORMATS, SHARED_CORE_FORMATS } from '../../src/validation/core-formats';
import { CATALOG_DIR, OTHER_KINDS, REFERENCE } from './helpers';
import { prng } from './mutations';

function nodeRequire(from: string): NodeRequire {
  const mod = (process as any).getBuiltinModule?.('module') ?? require('module');
  return mod.createRequire(from);
}

const MODELS = path.dirname(nodeRequire(__filename).resolve('kubernetes-models/package.json'));
const packageFormats = nodeRequire(path.join(MODELS, 'package.json'))('@kubernetes-models/validate').formats;
const ajvFormats = nodeRequire(nodeRequire(path.join(MODELS, 'package.json')).resolve('@kubernetes-models/validate'))('ajv-formats/dist/formats.js').fullFormats;

const LEAVES: unknown[] = [-1, 0, 1, 2147483647, 2147483648, 1.5, '', 'x', '1Gi', '100m', '1.5x', '2e3', true, null, {}, [], '2024-01-01T00:00:00Z', '2024-02-30T00:00:00Z', 'AAAA', 'A===', 'Zm9v'];

/** Seeded single-field changes of an object: a leaf replaced, a field removed or added. */
function mutations(m: any, n: number, rnd: () => number): any[] {
  const out: any[] = [];
  for (let i = 0; i < n; i++) {
    const copy = structuredClone(m);
    const spots: Array<{ parent: any; key: string | number }> = [];
    const walk = (x: any): void => {
      if (!x || typeof x !== 'object') return;
      for (const k of Array.isArray(x) ? x.keys() : Object.keys(x)) {
        spots.push({ parent: x, key: k });
        walk(x[k]);
      }
    };
    walk(copy);
    const spot = spots[Math.floor(rnd() * spots.length)];
    const r = rnd();
    if (r < 0.25 && !Array.isArray(spot.parent)) delete spot.parent[spot.key];
    else if (r < 0.35 && !Array.isArray(spot.parent)) spot.parent[`unknown${i}`] = 'x';
    else spot.parent[spot.key] = structuredClone(LEAVES[Math.floor(rnd() * LEAVES.length)]);
    out.push(copy);
  }
  return out;
}

describe('kubernetes-models validators loaded by core-kinds.ts', () => {
  const files = [REFERENCE, OTHER_KINDS, ...fs.readdirSync(CATALOG_DIR).filter((f) => f.startsWith('core-')).map((f) => path.join(CATALOG_DIR, f))];
  const core = readManifests(files).manifests.map((s) => s.manifest).filter((m) => m && CORE_KINDS.includes(`${m.apiVersion}/${m.kind}`));

  test('GIVEN core objects and seeded mutations of them WHEN validated by the loaded validator and by the package required by Node THEN verdicts and errors are identical', () => {
    const rnd = prng(1130);
    const kinds = new Set<string>();
    let rejected = 0;
    let total = 0;
    for (const m of core) {
      const key = `${m.apiVersion}/${m.kind}`;
      kinds.add(key);
      const ours = _coreValidator(key, 'loader').validate;
      const theirs = _coreValidator(key, 'require').validate;
      expect(ours).not.toBe(theirs);
      for (const x of [m, ...mutations(m, 60, rnd)]) {
        const a = ours(x);
        const aErrors = structuredClone(ours.errors);
        const b = theirs(x);
        expect({ verdict: a, errors: aErrors }).toEqual({ verdict: b, errors: structuredClone(theirs.errors) });
        total++;
        if (!a) rejected++;
      }
    }
    // every core kind the fixtures hold, and both verdicts, many times
    expect([...kinds].sort()).toEqual(expect.arrayContaining(['apps/v1/Deployment', 'v1/Namespace', 'v1/Service', 'v1/ServiceAccount']));
    expect(rejected).toBeGreaterThan(total / 4);
    expect(total - rejected).toBeGreaterThan(total / 10);
  });

  test('GIVEN the format table WHEN compared with the package\'s THEN shared formats are the same objects and byte and quantity accept the same strings', () => {
    for (const name of SHARED_CORE_FORMATS) {
      expect(packageFormats[name]).toBeDefined();
      expect(packageFormats[name]).toBe(ajvFormats[name]);
    }
    const numbers = ['', '0', '1', '12', '1.', '.5', '1.5', '+1', '-1', '--1', '1..2', '.', '+.5', '-0.25'];
    const suffixes = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'ki', 'Zi', 'k', 'M', 'G', 'T', 'P', 'E', 'm', 'u', 'n', 'h', 'd', 'da', 'c', 'Y', 'Z', 'y', 'z', 'a', 'f', 'p', 'e3', 'E-2', 'e+1.5', 'e', 'E', 'x', 'mm', ' ', 'Kib'];
    const strings = numbers.flatMap((n) => suffixes.map((s) => n + s));
    const run = (f: any, s: string) => (typeof f.validate === 'function' ? f.validate(s) : f.validate.test(s));
    for (const s of strings) expect([s, run(OWN_CORE_FORMATS.quantity, s)]).toEqual([s, run(packageFormats.quantity, s)]);
    expect(strings.filter((s) => run(OWN_CORE_FORMATS.quantity, s)).length).toBeGreaterThan(100);
    const b64 = ['', 'A', 'AA', 'AAA', 'AAAA', 'AA==', 'AAA=', 'A===', 'Zm9v', 'Zm9vYg==', 'Zm9vYmE=', 'Zm9vYmFy', 'Zm9 v', 'Zm9v\n', '+/+/', '-_-_', 'Zm9vYg=', '====', 'ab=c', 'QUJD\nREVG'];
    for (const s of b64) expect([s, run(OWN_CORE_FORMATS.byte, s)]).toEqual([s, run(packageFormats.byte, s)]);
    for (const name of Object.keys(OWN_CORE_FORMATS)) expect((OWN_CORE_FORMATS as any)[name].type).toBe(packageFormats[name].type);
  });

  test('GIVEN every core kind WHEN its validator is loaded THEN the modules it loads use no format outside the table', () => {
    let loaded: string[] = [];
    for (const key of CORE_KINDS) loaded = _coreValidator(key, 'loader').files;
    expect(loaded.length).toBeGreaterThan(100);
    const used = new Set<string>();
    for (const f of loaded) {
      const text = fs.readFileSync(f, 'utf8');
      for (const m of text.matchAll(/_validate\.formats(?:\.([A-Za-z0-9_$]+)|\["([^"]+)"\])/g)) used.add(m[1] ?? m[2]);
      // the validators reach the module only as `_validate`
      expect(text.match(/require\("@kubernetes-models\/validate"\)/g)?.length ?? 0).toBeLessThanOrEqual(1);
    }
    expect([...used].sort()).toEqual([...new Set([...SHARED_CORE_FORMATS, ...Object.keys(OWN_CORE_FORMATS)])].filter((n) => used.has(n)).sort());
    expect(used.has('quantity') && used.has('int32') && used.has('date-time')).toBe(true);
  });

  test('GIVEN a core kind WHEN checked first (loading its validator) and again later THEN both give the same findings', () => {
    const bad = core.flatMap((m) => mutations(m, 5, prng(7)));
    const first = bad.map((m) => checkCoreKind(m));
    const later = bad.map((m) => checkCoreKind(m));
    expect(later).toEqual(first);
    expect(first.flat().filter((f) => f?.code === 'CI1201').length).toBeGreaterThan(5);
  });
});
