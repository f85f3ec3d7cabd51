/**
 * The small CEL evaluator (src/validation/cel-eval.ts) against the CEL engine (@bufbuild/cel), rule by
 * rule: for every CEL rule and message expression of every kind the library emits, over the values the
 * examples synthesize, the catalog's bad inputs and seeded values generated from each rule's schema
 * node (valid and invalid), whenever the evaluator answers (rather than deferring to the engine), its
 * answer is the engine's. And validating the examples' own output needs the engine for nothing.
 */
import * as fs from 'fs';
import * as path from 'path';
import { readManifests } from '../../src/cli/lint';
import { _celFastPath, _enginePlan, _resetCelCache, applyDefaults, celSource, checkCel, decodeCelAst, toCel, unescapeCelField } from '../../src/validation/cel';
import { compileCelAst, DEFER } from '../../src/validation/cel-eval';
import { crdSchema } from '../../src/validation/schema-data';
import { CATALOG_DIR, OTHER_KINDS, REFERENCE, synthesizedExampleManifests } from './helpers';
import { prng } from './mutations';

const ROOT = path.join(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { AOT_KINDS } = require(path.join(ROOT, 'scripts', 'compile-validators.js')) as { AOT_KINDS: string[] };
const AOT_FILE = JSON.parse(fs.readFileSync(path.join(ROOT, 'imports', 'schemas', 'validators', 'cel-ast.json'), 'utf8'));
const AOT = AOT_FILE.asts as Record<string, string>;
/** A stored AST, decoded as the validation decodes it for the engine (with ids) and for the small evaluator (without). */
const stored = (source: string): unknown => decodeCelAst(AOT[source], AOT_FILE.types, unescapeCelField);
const storedForEvaluator = (source: string): unknown => decodeCelAst(AOT[source], AOT_FILE.types, unescapeCelField, false);
/** Generated values per rule node. */
const GENERATED = Number(process.env.CEL_EVAL_SAMPLES ?? 120);

interface RuleNode {
  readonly kind: string;
  readonly schema: any;
  readonly sources: string[];
  readonly values: unknown[];
}

/** Every schema node of the emitted kinds that carries CEL rules (transition rules left out). */
function ruleNodes(): RuleNode[] {
  const out: RuleNode[] = [];
  const visit = (kind: string, s: any): void => {
    if (!s || typeof s !== 'object') return;
    const sources: string[] = [];
    for (const r of s['x-kubernetes-validations'] ?? []) {
      if (/\boldSelf\b/.test(r.rule)) continue;
      sources.push(celSource(r.rule));
      if (r.messageExpression) sources.push(celSource(r.messageExpression));
    }
    if (sources.length) out.push({ kind, schema: s, sources, values: [] });
    for (const p of Object.values<any>(s.properties ?? {})) visit(kind, p);
    if (s.items) visit(kind, s.items);
    if (typeof s.additionalProperties === 'object') visit(kind, s.additionalProperties);
  };
  for (const key of AOT_KINDS) {
    const [group, version, kind] = key.split('/');
    visit(key, crdSchema(`${group}/${version}`, kind)!.schema);
  }
  return out;
}

/** The values each rule node meets in these objects (after defaulting, as checkCel sees them). */
function collect(nodes: RuleNode[], manifests: any[]): void {
  const bySchema = new Map(nodes.map((n) => [n.schema, n]));
  const walk = (s: any, v: unknown): void => {
    if (v === undefined || v === null || !s || typeof s !== 'object') return;
    bySchema.get(s)?.values.push(v);
    if (Array.isArray(v)) return v.forEach((x) => walk(s.items, x));
    if (typeof v === 'object') {
      for (const [k, x] of Object.entries(v as object)) walk(s.properties?.[k] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined), x);
    }
  };
  for (const m of manifests) {
    const key = `${m.apiVersion}/${m.kind}`;
    if (!AOT_KINDS.includes(key)) continue;
    const schema = crdSchema(m.apiVersion, m.kind)!.schema;
    walk(schema, applyDefaults(m, schema));
  }
}

const STRINGS = [
  '', 'a', 'A', '*', '/', '/a', '/a/b', 'a/b', '/a?b', 'a b', 'foo.bar', '*.example.com', 'example.com', 'ünï', '\u{1F600}',
  '0', '1', '80', '8080', '65535', '65536', '-1', 'abc', '0s', '1s', '1.5s', '10ms', '1h30m', '5m', '-1s', '1us', '1d', '0',
  'http://a', 'https://example.com/jwks', 'ftp://x', 'HTTPS://X', '//x', 'not a url',
  'PathPrefix', 'Exact', 'RegularExpression', 'ReplacePrefixMatch', 'ReplaceFullPath', 'Service', 'Gateway', 'HTTPRoute', 'core', 'gateway.networking.k8s.io',
  'Terminate', 'Passthrough', 'HTTP', 'HTTPS', 'TLS', 'TCP', 'UDP', 'GRPC', 'ALLOW', 'DENY', 'CUSTOM', 'AUDIT', 'STRICT', 'PERMISSIVE', 'DISABLE', 'UNSET',
  'REGISTRY_ONLY', 'ALLOW_ANY', 'MESH_EXTERNAL', 'MESH_INTERNAL', 'DNS', 'STATIC', 'NONE', 'DNS_ROUND_ROBIN', 'ISTIO_MUTUAL', 'SIMPLE', 'MUTUAL',
  'UPSERT', 'REMOVE', 'RequestHeaderModifier', 'RequestRedirect', 'URLRewrite', 'RequestMirror', 'ExtensionRef',
];
const INTS = [0, 1, 2, -1, 63, 64, 100, 1000, 65535, 65536, 2147483647];

/** A seeded value for a schema node: mostly of the schema's shape, sometimes not. */
function generate(s: any, rnd: () => number, pool: readonly string[], depth = 0): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  if (!s || typeof s !== 'object' || depth > 6) return pick<unknown>(['x', 1, true, null]);
  if (Array.isArray(s.enum) && rnd() < 0.85) return pick(s.enum);
  const type = s['x-kubernetes-int-or-string'] ? pick(['integer', 'string']) : s.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const required = new Set<string>(s.required ?? []);
      for (const [k, p] of Object.entries<any>(s.properties ?? {})) {
        if (rnd() < (required.has(k) ? 0.9 : 0.45)) out[k] = generate(p, rnd, pool, depth + 1);
      }
      if (typeof s.additionalProperties === 'object' || (!s.properties && s['x-kubernetes-preserve-unknown-fields'])) {
        const n = Math.floor(rnd() * 4);
        for (let i = 0; i < n; i++) out[pick(['a', 'b', '80', '65536', '0', 'x-y', '*', 'abc'])] = generate(s.additionalProperties ?? {}, rnd, pool, depth + 1);
      }
      return out;
    }
    case 'array': {
      const n = Math.floor(rnd() * (depth < 3 ? 4 : 2));
      const items = Array.from({ length: n }, () => generate(s.items, rnd, pool, depth + 1));
      // duplicates make uniqueness rules fail
      if (items.length > 0 && rnd() < 0.25) items.push(structuredClone(items[0]));
      return items;
    }
    case 'integer':
      return pick(INTS);
    case 'number':
      return pick([0, 0.5, 1, 2.5, 100]);
    case 'boolean':
      return rnd() < 0.5;
    case 'string':
      return rnd() < 0.5 && pool.length ? pick(pool) : pick(STRINGS);
    default:
      return pick<unknown>(['x', 1, { a: 'b' }, ['a']]);
  }
}

/** Changes one field of a valid value: removed, replaced by a generated value, or a list element duplicated. */
function mutate(v: unknown, s: any, rnd: () => number, pool: readonly string[]): unknown {
  const copy = structuredClone(v);
  const spots: Array<{ parent: any; key: string | number; schema: any }> = [];
  const walk = (x: any, sc: any): void => {
    if (!x || typeof x !== 'object' || !sc) return;
    if (Array.isArray(x)) {
      x.forEach((e, i) => {
        spots.push({ parent: x, key: i, schema: sc.items });
        walk(e, sc.items);
      });
      return;
    }
    for (const k of Object.keys(x)) {
      const ps = sc.properties?.[k] ?? (typeof sc.additionalProperties === 'object' ? sc.additionalProperties : undefined);
      spots.push({ parent: x, key: k, schema: ps });
      walk(x[k], ps);
    }
  };
  walk(copy, s);
  if (spots.length === 0) return generate(s, rnd, pool);
  const spot = spots[Math.floor(rnd() * spots.length)];
  const r = rnd();
  if (r < 0.3 && !Array.isArray(spot.parent)) delete spot.parent[spot.key];
  else if (r < 0.45 && Array.isArray(spot.parent)) spot.parent.push(structuredClone(spot.parent[spot.key as number]));
  else spot.parent[spot.key] = generate(spot.schema, rnd, pool, 3);
  return copy;
}

function stringsIn(v: unknown, out: Set<string>): void {
  if (typeof v === 'string') out.add(v);
  else if (Array.isArray(v)) v.forEach((x) => stringsIn(x, out));
  else if (v && typeof v === 'object') Object.values(v).forEach((x) => stringsIn(x, out));
}

function synthesizedExamples(): any[] {
  return synthesizedExampleManifests('cel-eval-').filter((m) => m && typeof m.kind === 'string');
}

/** The engine's value as comparable data (its lists and maps are not arrays and Maps). */
function engineValue(v: unknown): unknown {
  return typeof v === 'boolean' || typeof v === 'string' || typeof v === 'bigint' ? v : { other: String((v as any)?.message ?? v) };
}

describe('the small CEL evaluator against the engine', () => {
  let examples: any[] = [];
  beforeAll(() => {
    examples = synthesizedExamples();
  });
  afterAll(() => _resetCelCache());

  test('GIVEN every CEL rule of every emitted kind WHEN compiled THEN the small evaluator takes each, and the engine plans each', () => {
    const sources = new Set(ruleNodes().flatMap((n) => n.sources));
    expect(sources.size).toBeGreaterThan(80);
    const missing = [...sources].filter((s) => AOT[s] === undefined);
    expect(missing).toEqual([]);
    const notCompiled = [...sources].filter((s) => compileCelAst(storedForEvaluator(s)) === undefined);
    expect(notCompiled).toEqual([]);
    for (const s of sources) expect(() => _enginePlan(s, stored(s))).not.toThrow();
  });

  test('GIVEN examples, catalog and seeded valid and invalid values WHEN each rule is evaluated by both THEN every answer of the small evaluator is the engine\'s', () => {
    const nodes = ruleNodes();
    const catalog = readManifests([REFERENCE, OTHER_KINDS, ...fs.readdirSync(CATALOG_DIR).filter((f) => f.endsWith('.yaml')).map((f) => path.join(CATALOG_DIR, f))]).manifests.map((s) => s.manifest);
    collect(nodes, [...examples, ...catalog.filter((m) => m && typeof m.kind === 'string')]);
    const rnd = prng(20261130);
    /** Evaluations the engine answered with a boolean or string, and how many of them the small evaluator answered too. */
    let engineAnswered = 0;
    let answered = 0;
    const outcomes = new Map<string, Set<unknown>>();
    const mismatches: string[] = [];
    for (const node of nodes) {
      const poolSet = new Set<string>();
      node.values.forEach((v) => stringsIn(v, poolSet));
      const pool = [...poolSet];
      const samples = [...node.values];
      for (let i = 0; i < GENERATED; i++) {
        samples.push(node.values.length > 0 && rnd() < 0.5 ? mutate(node.values[Math.floor(rnd() * node.values.length)], node.schema, rnd, pool) : generate(node.schema, rnd, pool));
      }
      for (const source of node.sources) {
        const fast = compileCelAst(storedForEvaluator(source))!;
        const engine = _enginePlan(source, stored(source));
        for (const value of samples) {
          const self = toCel(applyDefaults(value, node.schema), node.schema);
          let theirs: unknown;
          try {
            theirs = engineValue(engine(self));
          } catch (e) {
            theirs = { thrown: String(e) };
          }
          const ours = fast(self);
          if (typeof theirs !== 'object') engineAnswered++;
          if (ours === DEFER) continue;
          answered++;
          (outcomes.get(source) ?? outcomes.set(source, new Set()).get(source)!).add(ours);
          if (theirs !== ours && mismatches.length < 10) mismatches.push(`${node.kind} ${source} on ${JSON.stringify(value)}: ours ${String(ours)}, engine ${JSON.stringify(theirs, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x))}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
    // not vacuous: of the evaluations the engine answers (not with an error), the small evaluator
    // answers nearly all, and most rules were seen both passing and failing
    expect(answered).toBeGreaterThan(engineAnswered * 0.95);
    const rules = nodes.flatMap((n) => n.sources).filter((s) => !/^['"]/.test(s));
    const both = rules.filter((s) => outcomes.get(s)?.has(true) && outcomes.get(s)?.has(false));
    expect(both.length).toBeGreaterThan(rules.length * 0.6);
  });

  test('GIVEN the examples and the catalog WHEN checked with and without the small evaluator THEN the findings are identical, and the examples never need the engine', () => {
    const catalog = readManifests([REFERENCE, OTHER_KINDS, ...fs.readdirSync(CATALOG_DIR).filter((f) => f.endsWith('.yaml')).map((f) => path.join(CATALOG_DIR, f))]).manifests.map((s) => s.manifest).filter((m) => m && typeof m.kind === 'string');
    _resetCelCache();
    const fromExamples = examples.map((m) => checkCel(m));
    expect(_celFastPath).toEqual({ deferred: 0, engineOnly: 0 });
    const fast = [...fromExamples, ...catalog.map((m) => checkCel(m))];
    _resetCelCache({ fastPath: false });
    const engine = [...examples, ...catalog].map((m) => checkCel(m));
    expect(fast).toEqual(engine);
    expect(fast.flat().filter((f) => f.code === 'CI1101').length).toBeGreaterThan(3);
  });

  test('GIVEN the catalog\'s CEL failures WHEN a kind is checked first (compiling its rules) and again later THEN both give the same findings', () => {
    const cases = fs.readdirSync(CATALOG_DIR).filter((f) => f.startsWith('cel-')).map((f) => path.join(CATALOG_DIR, f));
    const manifests = readManifests(cases).manifests.map((s) => s.manifest).filter((m) => m && typeof m.kind === 'string');
    _resetCelCache();
    const first = manifests.map((m) => checkCel(m));
    const later = manifests.map((m) => checkCel(m));
    expect(later).toEqual(first);
    expect(first.flat().filter((f) => f.code === 'CI1101').length).toBeGreaterThanOrEqual(cases.length - 1);
  });
});
