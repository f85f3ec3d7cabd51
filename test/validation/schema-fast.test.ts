import * as fs from 'fs';
import * as path from 'path';
import { readManifests } from '../../src/cli/lint';
import { FORMATS } from '../../src/validation/formats';
import { _resetSchemaCache, _schemaFastPath, checkSchema, compiledSchemaCount, createAjv, jsonSchemaFor, precompiledFileName } from '../../src/validation/schema';
import { crdKinds, crdSchema } from '../../src/validation/schema-data';
import { INVALID, structuralVerdict, UNSURE, VALID, Verdict } from '../../src/validation/schema-fast';
import { CATALOG_DIR, REFERENCE, synthesizedExampleManifests } from './helpers';
import { mutationsOf } from './mutations';

/**
 * The structural-schema fast path (src/validation/schema-fast.ts) against ajv, differentially: for
 * every object below, a VALID from the fast path must be ajv's "valid" and an INVALID ajv's "invalid",
 * with both ajv validators the library uses (the ahead-of-time one and the lazily compiled one).
 * Objects: the examples' custom resources (synthesized in-process), the lint catalog, the mutations of
 * test/validation/mutations.ts, and schema-driven mutations generated below at every position the
 * schema describes (wrong types, null, unknown fields, missing required fields, enum misses, numbers
 * and lengths at and one past their limits, code-point lengths, patterns, formats, oneOf/anyOf/not
 * combinations, item and property counts).
 */

const ROOT = path.join(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { AOT_KINDS } = require(path.join(ROOT, 'scripts', 'compile-validators.js')) as { AOT_KINDS: string[] };

type Validate = (d: unknown) => boolean;
type Path = (string | number)[];

const keyOf = (m: any): string => `${m.apiVersion}/${m.kind}`;
const splitKey = (key: string): [string, string] => [key.slice(0, key.lastIndexOf('/')), key.slice(key.lastIndexOf('/') + 1)];
const isObj = (v: unknown): v is Record<string, any> => !!v && typeof v === 'object' && !Array.isArray(v);
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

const lazyValidators = new Map<string, Validate>();
const aotValidators = new Map<string, Validate>();
let ajvInstance: any;

/** ajv's verdicts for an object: the lazily compiled validator and, for AOT kinds, the ahead-of-time one. */
function ajvVerdicts(m: any, key: string): boolean[] {
  const [apiVersion, kind] = splitKey(key);
  let lazy = lazyValidators.get(key);
  if (!lazy) {
    ajvInstance ??= createAjv();
    lazy = ajvInstance.compile(jsonSchemaFor(crdSchema(apiVersion, kind)!.schema)) as Validate;
    lazyValidators.set(key, lazy);
  }
  const out = [lazy(m)];
  if (AOT_KINDS.includes(key)) {
    let aot = aotValidators.get(key);
    if (!aot) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      aot = require(path.join(ROOT, 'imports', 'schemas', 'validators', precompiledFileName(key))).create(FORMATS) as Validate;
      aotValidators.set(key, aot);
    }
    out.push(aot(m));
  }
  return out;
}

interface Tally {
  valid: number;
  invalid: number;
  unsure: number;
  /** Objects where the fast path's certain answer differs from ajv's (must stay empty). */
  wrong: string[];
}

const tally = (): Tally => ({ valid: 0, invalid: 0, unsure: 0, wrong: [] });

/** Compares the fast path with ajv on one object; returns the fast path's verdict. */
function compare(m: any, t: Tally, label: string, key = keyOf(m)): Verdict {
  const v = structuralVerdict(crdSchema(...splitKey(key))!.schema, m);
  if (v === UNSURE) {
    t.unsure++;
    return v;
  }
  const ajv = ajvVerdicts(m, key);
  if (v === VALID) t.valid++;
  else t.invalid++;
  if (ajv.some((ok) => ok !== (v === VALID)) && t.wrong.length < 20) t.wrong.push(`${label}: fast path ${v === VALID ? 'VALID' : 'INVALID'}, ajv ${ajv.join('/')}: ${JSON.stringify(m).slice(0, 400)}`);
  return v;
}

/** The examples' custom resources, synthesized in-process (the dist/ objects). */
function exampleObjects(): any[] {
  return synthesizedExampleManifests('schema-fast-').filter((m) => isObj(m) && typeof m.apiVersion === 'string' && crdSchema(m.apiVersion, m.kind));
}

// ---------------------------------------------------------------------------------------------------
// Schema-driven mutations

const GENERIC: unknown[] = [null, true, false, 0, -1, 1, 1.5, NaN, Infinity, -Infinity, 2 ** 31, 2 ** 32, 2 ** 53, '', 'x', '1', [], ['x'], [1], {}, { zz: 'x' }];

const FORMAT_SAMPLES: Record<string, unknown[]> = {
  'int32': [2147483647, 2147483648, -2147483648, -2147483649, 1.5],
  'int64': [2 ** 53 - 1, 2 ** 53, -(2 ** 53)],
  'uint32': [0, -1, 4294967295, 4294967296],
  'double': [0.5, NaN, Infinity],
  'float': [0.5, NaN, -Infinity],
  'date-time': ['2024-01-02T03:04:05Z', '2024-01-02 03:04:05.123+01:00', '2024-01-02', 'yesterday'],
  'ipv4': ['10.0.0.1', '10.0.0.256', '::1'],
  'ipv6': ['::1', 'fe80::1', '10.0.0.1', 'zz::'],
  'byte': ['YWJj', 'YWI=', 'YWJ', '!!!!'],
  'url': ['https://example.com/x', 'not a url', ''],
  'string': ['anything'],
};

const PATTERN_SAMPLES = ['', 'a', 'A', 'a-b', '-a', 'a-', '1', '0', 'a.b', 'a..b', '*', '*.example.com', 'a/b', '/a', 'a:b', 'ü', '😀', 'a b', 'x'.repeat(300), '1s', '10ms', '1h', '5%', 'GET', 'Bearer'];

/** A plausible value for a schema node (valid where simple keywords decide; the rest is ajv's). */
function sample(n: any, depth = 0): unknown {
  if (!isObj(n) || depth > 14) return undefined;
  if (Array.isArray(n.enum) && n.enum.length) return n.enum[0];
  if (n['x-kubernetes-int-or-string']) return 1;
  const fmt = FORMAT_SAMPLES[n.format as string];
  switch (n.type) {
    case 'string':
      return fmt && typeof fmt[0] === 'string' ? fmt[0] : 'a'.repeat(Math.max(1, Math.min(n.minLength ?? 1, 64)));
    case 'integer':
      return typeof n.minimum === 'number' ? Math.max(n.minimum, Math.min(1, n.maximum ?? 1)) : 1;
    case 'number':
      return typeof n.minimum === 'number' ? n.minimum : 0.5;
    case 'boolean':
      return true;
    case 'array': {
      const item = sample(n.items, depth + 1);
      return item === undefined ? [] : Array.from({ length: Math.max(1, n.minItems ?? 1) }, () => clone(item));
    }
    case 'object':
    case undefined: {
      if (!n.properties) return n.additionalProperties ? { k: sample(n.additionalProperties, depth + 1) ?? 'v' } : {};
      const out: Record<string, unknown> = {};
      for (const r of (n.required as string[] | undefined) ?? []) {
        const v = sample(n.properties[r], depth + 1);
        if (v !== undefined) out[r] = v;
      }
      return out;
    }
    default:
      return undefined;
  }
}

/** Names the oneOf/anyOf/not branches of a node require (the fields whose combination they constrain). */
function branchFields(n: any): string[] {
  const out = new Set<string>();
  const visit = (b: any): void => {
    if (!isObj(b)) return;
    for (const r of (b.required as string[] | undefined) ?? []) out.add(r);
    for (const k of ['oneOf', 'anyOf', 'allOf']) for (const x of (b[k] as any[] | undefined) ?? []) visit(x);
    visit(b.not);
  };
  for (const k of ['oneOf', 'anyOf', 'allOf']) for (const x of (n[k] as any[] | undefined) ?? []) visit(x);
  visit(n.not);
  return [...out];
}

/** Replacement values for one position with schema node `n` and current value `v`. */
function variants(n: any, v: unknown): unknown[] {
  const out: unknown[] = [...GENERIC];
  if (!isObj(n)) return out;
  if (Array.isArray(n.enum)) out.push(...n.enum.slice(0, 4), 'NOT_IN_ENUM', typeof n.enum[0] === 'string' ? n.enum[0].toLowerCase() : 'x');
  if (n['x-kubernetes-int-or-string']) out.push('50%', 5, 5.5, '5');
  if (typeof n.format === 'string') out.push(...(FORMAT_SAMPLES[n.format] ?? []));
  if (typeof n.pattern === 'string') out.push(...PATTERN_SAMPLES, ...(typeof v === 'string' ? [v + '!', v.toUpperCase(), ` ${v}`, v.slice(1)] : []));
  if (typeof n.maxLength === 'number') {
    const max = Math.min(n.maxLength, 5000);
    out.push('a'.repeat(max), 'a'.repeat(max + 1), '😀'.repeat(max), '😀'.repeat(max + 1), '\ud800'.repeat(max), '\ud800'.repeat(max + 1));
  }
  if (typeof n.minLength === 'number') out.push('a'.repeat(Math.max(0, n.minLength - 1)), 'a'.repeat(n.minLength), '😀'.repeat(n.minLength));
  for (const lim of [n.minimum, n.maximum]) if (typeof lim === 'number') out.push(lim - 1, lim, lim + 1, lim - 0.5, lim + 0.5);
  const item = Array.isArray(v) && v.length ? v[0] : sample(n.items);
  if (n.type === 'array') {
    out.push([item, item], [item, null], [undefined]);
    for (const lim of [n.minItems, n.maxItems]) if (typeof lim === 'number' && lim < 200) for (const k of [lim - 1, lim, lim + 1]) if (k >= 0) out.push(Array.from({ length: k }, () => clone(item)));
  }
  if (n.type === 'object' || n.properties) {
    const base = isObj(v) ? v : ((sample(n) ?? {}) as Record<string, unknown>);
    out.push({ ...base, unknownFieldX: 'x' }, { ...base, unknownFieldX: undefined });
    for (const r of (n.required as string[] | undefined) ?? []) {
      const copy: Record<string, unknown> = { ...base };
      delete copy[r];
      out.push(copy);
    }
    const fields = branchFields(n);
    if (fields.length) {
      // each branch field alone, all of them together, none of them, and every pair
      const withField = (o: Record<string, unknown>, f: string) => ({ ...o, [f]: sample(n.properties?.[f]) ?? 'x' });
      const none: Record<string, unknown> = { ...base };
      for (const f of fields) delete none[f];
      out.push(none, fields.reduce(withField, { ...none }));
      for (const f of fields) out.push(withField(none, f), withField(base, f));
      for (let i = 0; i < fields.length; i++) for (let j = i + 1; j < fields.length; j++) out.push(withField(withField(none, fields[i]), fields[j]));
    }
    if (n.properties) {
      for (const [k, child] of Object.entries(n.properties).slice(0, 40)) {
        if (isObj(base) && base[k] === undefined) {
          const s = sample(child);
          if (s !== undefined) out.push({ ...base, [k]: s });
        }
      }
    }
    for (const lim of [n.minProperties, n.maxProperties]) {
      if (typeof lim === 'number' && lim < 200) for (const k of [lim - 1, lim, lim + 1]) if (k >= 0) out.push(Object.fromEntries(Array.from({ length: k }, (_, i) => [`k${i}`, sample(n.additionalProperties) ?? 'v'])));
    }
  }
  return out;
}

/** Every position of `value` that schema node `n` describes, with its node (first two items of a list). */
function positions(n: any, value: unknown, p: Path, out: Array<{ path: Path; node: any; value: unknown }>, depth = 0): void {
  if (!isObj(n) || depth > 30) return;
  out.push({ path: p, node: n, value });
  if (Array.isArray(value) && isObj(n.items)) {
    value.slice(0, 2).forEach((x, i) => positions(n.items, x, [...p, i], out, depth + 1));
  } else if (isObj(value)) {
    for (const [k, x] of Object.entries(value)) {
      const child = n.properties?.[k] ?? (isObj(n.additionalProperties) ? n.additionalProperties : undefined);
      if (child) positions(child, x, [...p, k], out, depth + 1);
    }
  }
}

/** Applies `value` at `p` of `root` (in place), runs `f`, and puts the old value back. */
function withValue(root: any, p: Path, value: unknown, f: () => void): void {
  if (!p.length) return;
  let parent = root;
  for (const k of p.slice(0, -1)) parent = parent[k];
  const last = p[p.length - 1];
  const had = Object.prototype.hasOwnProperty.call(parent, last);
  const old = parent[last];
  parent[last] = value;
  try {
    f();
  } finally {
    if (had) parent[last] = old;
    else delete parent[last];
  }
}

/** Runs every schema-driven mutation of `m` through {@link compare}; returns how many it ran. */
function mutateAndCompare(m: any, t: Tally): number {
  const key = keyOf(m);
  const schema = crdSchema(m.apiVersion, m.kind)!.schema;
  const spots: Array<{ path: Path; node: any; value: unknown }> = [];
  positions(schema, m, [], spots);
  let n = 0;
  for (const s of spots) {
    for (const v of variants(s.node, s.value)) {
      withValue(m, s.path, v, () => {
        compare(m, t, `${key} ${s.path.join('.')}`, key);
        n++;
      });
    }
  }
  // removing each top-level field, and the whole object replaced by a sample
  for (const k of Object.keys(m)) {
    const copy = { ...m };
    delete copy[k];
    compare(copy, t, `${key} without ${k}`, key);
    n++;
  }
  return n;
}

describe('structural schema fast path (schema-fast.ts) agrees with ajv', () => {
  let examples: any[];
  beforeAll(() => {
    examples = exampleObjects();
  });

  test('every custom resource of the examples is VALID (the fast path spares loading ajv\'s validators)', () => {
    expect(new Set(examples.map(keyOf)).size).toBeGreaterThanOrEqual(12);
    const t = tally();
    const notValid = examples.filter((m) => compare(m, t, keyOf(m)) !== VALID).map((m) => `${keyOf(m)} ${m.metadata?.name}`);
    expect(t.wrong).toEqual([]);
    expect(notValid).toEqual([]);
    // and checkSchema then never loads an ajv validator for them
    _resetSchemaCache();
    try {
      expect(examples.map((m) => checkSchema(m))).toEqual(examples.map(() => []));
      expect(_schemaFastPath.valid).toBe(examples.length);
      expect(compiledSchemaCount()).toBe(0);
    } finally {
      _resetSchemaCache();
    }
  });

  test('every ahead-of-time kind is covered by the examples', () => {
    expect(AOT_KINDS.filter((k) => !examples.some((m) => keyOf(m) === k))).toEqual([]);
  });

  test('on schema-driven mutations of every example object: VALID and INVALID are always ajv\'s verdict', () => {
    const t = tally();
    let n = 0;
    for (const m of examples) n += mutateAndCompare(clone(m), t);
    expect(t.wrong).toEqual([]);
    console.log('schema-driven mutations of the examples', n, t);
    // not vacuous: many mutations, most of them decided, both ways
    expect(n).toBeGreaterThan(20000);
    expect(t.invalid).toBeGreaterThan(n / 2);
    expect(t.valid).toBeGreaterThan(1000);
    // UNSURE only where a list holds `undefined` (the fast path leaves undefined values to ajv)
    expect(t.unsure).toBeLessThan(n / 100);
  });

  test('on the mutations of test/validation/mutations.ts, the lint catalog and the reference app', () => {
    const t = tally();
    const files = [REFERENCE, ...fs.readdirSync(CATALOG_DIR).filter((f) => f.endsWith('.yaml')).map((f) => path.join(CATALOG_DIR, f))];
    const catalog = readManifests(files).manifests.map((x) => x.manifest).filter((m) => isObj(m) && typeof m.apiVersion === 'string' && typeof m.kind === 'string' && crdSchema(m.apiVersion, m.kind));
    const mutated = examples.flatMap((m) => mutationsOf(m).map((x) => x.manifest));
    for (const m of [...catalog, ...mutated]) compare(m, t, `${keyOf(m)} ${m.metadata?.name}`);
    expect(t.wrong).toEqual([]);
    expect(catalog.length + mutated.length).toBeGreaterThan(1000);
    expect(t.valid).toBeGreaterThan(100);
    expect(t.invalid).toBeGreaterThan(100);
  });

  test('on generated objects and their mutations for every pinned kind (not only the ahead-of-time ones)', () => {
    const t = tally();
    let n = 0;
    for (const key of crdKinds()) {
      const [apiVersion, kind] = splitKey(key);
      const spec = sample(crdSchema(apiVersion, kind)!.schema.properties?.spec) ?? {};
      const m = { apiVersion, kind, metadata: { name: 'x', namespace: 'default' }, spec };
      compare(m, t, key);
      n += mutateAndCompare(m, t);
    }
    expect(t.wrong).toEqual([]);
    console.log('generated objects of every kind', n, t);
    expect(n).toBeGreaterThan(4000);
    expect(t.valid).toBeGreaterThan(500);
    expect(t.invalid).toBeGreaterThan(n / 2);
  });

  test('answers UNSURE, never VALID, for a keyword or keyword value it does not implement', () => {
    const m = { apiVersion: 'x/v1', kind: 'X', spec: { a: 'b' } };
    const unknownInBranch = [{ not: { const: 'x' } }, { anyOf: [{ const: 1 }] }, { allOf: [{ const: 1 }] }, { oneOf: [{ const: 1 }, { required: ['a'] }] }];
    for (const extra of [{ patternProperties: { '^a$': { type: 'string' } } }, { const: 'b' }, { exclusiveMinimum: 1 }, { uniqueItems: true }, { format: 'no-such-format' }, { pattern: '(' }, { enum: [{ a: 1 }] }, { type: 'strange' }, { items: [{ type: 'string' }] }, ...unknownInBranch]) {
      const schema = { type: 'object', properties: { spec: { type: 'object', properties: { a: { type: 'string' } }, ...extra } } };
      expect([extra, structuralVerdict(schema, m)]).toEqual([extra, UNSURE]);
    }
    // while a plain schema is decided
    expect(structuralVerdict({ type: 'object', properties: { spec: { type: 'object', properties: { a: { type: 'string' } } } } }, m)).toBe(VALID);
    expect(structuralVerdict({ type: 'object', properties: { spec: { type: 'object', properties: { a: { type: 'integer' } } } } }, m)).toBe(INVALID);
  });

  test('on edge cases of ajv\'s semantics (strictNumbers off, code points, unicode patterns, null, undefined)', () => {
    const node = (props: Record<string, any>, extra: Record<string, any> = {}) => ({ type: 'object', properties: { spec: { type: 'object', properties: props, ...extra } } });
    const cases: Array<[any, Record<string, unknown>]> = [
      [{ i: { type: 'integer' } }, { i: Infinity }],
      [{ i: { type: 'integer' } }, { i: NaN }],
      [{ i: { type: 'integer' } }, { i: -0 }],
      [{ i: { type: 'integer' } }, { i: 2 ** 60 }],
      [{ i: { type: 'number', maximum: 5 } }, { i: NaN }],
      [{ i: { type: 'number', minimum: 0 } }, { i: -Infinity }],
      [{ i: { type: 'integer', format: 'int32' } }, { i: 2 ** 31 }],
      [{ i: { type: 'integer', format: 'int64' } }, { i: Infinity }],
      [{ i: { type: 'number', format: 'double' } }, { i: NaN }],
      [{ s: { type: 'string', pattern: '^.$' } }, { s: '😀' }],
      [{ s: { type: 'string', pattern: '^.$' } }, { s: '\ud83d' }],
      [{ s: { type: 'string', pattern: '^\\p{L}+$' } }, { s: 'été' }],
      [{ s: { type: 'string', maxLength: 1 } }, { s: '😀' }],
      [{ s: { type: 'string', maxLength: 1 } }, { s: '\ud83d\ud83d' }],
      [{ s: { type: 'string', minLength: 2 } }, { s: '\ude00\ud83d' }],
      [{ s: { type: 'string', nullable: true } }, { s: null }],
      [{ s: { type: 'string' } }, { s: null }],
      [{ s: { type: 'string', enum: ['a', null] } }, { s: null }],
      [{ s: { 'x-kubernetes-int-or-string': true } }, { s: 1.5 }],
      [{ s: { 'x-kubernetes-int-or-string': true, format: 'int32' } }, { s: 2 ** 40 }],
      [{ s: { type: 'string', format: 'int32' } }, { s: 'x' }],
      [{ s: { type: 'string', format: 'date-time' } }, { s: 3 }],
      [{ m: { type: 'object', additionalProperties: { type: 'string' }, maxProperties: 1 } }, { m: { a: 'x', b: undefined } }],
      [{ m: { type: 'object', additionalProperties: { type: 'string' } } }, { m: { a: undefined } }],
      [{ m: { type: 'object', properties: { a: { type: 'string' } } } }, { m: { a: undefined } }],
      [{ m: { type: 'object', properties: { a: { type: 'string' } } } }, { m: { b: undefined } }],
      [{ m: { type: 'object', required: ['a'], properties: { a: { type: 'string' } } } }, { m: { a: undefined } }],
      [{ l: { type: 'array', items: { type: 'string' } } }, { l: [, 'a'] }],
      [{ l: { type: 'array', items: { type: 'string' }, maxItems: 1 } }, { l: new Array(2) }],
    ];
    const t = tally();
    for (const [props, spec] of cases) {
      const schema = node(props);
      const m = { apiVersion: 'x/v1', kind: 'X', metadata: {}, spec };
      const v = structuralVerdict(schema, m);
      const ok = (ajvInstance ??= createAjv()).compile(jsonSchemaFor(schema))(m);
      if (v !== UNSURE) expect([props, spec, v === VALID]).toEqual([props, spec, ok]);
      t[v === VALID ? 'valid' : v === INVALID ? 'invalid' : 'unsure']++;
    }
    expect(t.valid).toBeGreaterThan(8);
    expect(t.invalid).toBeGreaterThan(8);
  });

  test('stays bounded on hostile input: deep nesting and huge lists', () => {
    const ef = examples.find((m) => m.kind === 'EnvoyFilter')!;
    const t = tally();
    let deep: any = 'leaf';
    for (let i = 0; i < 20000; i++) deep = { a: deep };
    let deepList: any = [];
    for (let i = 0; i < 20000; i++) deepList = [deepList];
    const hostile = [
      { ...ef, metadata: { ...ef.metadata, labels: deep } },
      { ...ef, spec: { ...ef.spec, configPatches: ef.spec.configPatches.map((p: any) => ({ ...p, patch: { ...p.patch, value: deep } })) } },
      { ...ef, spec: { ...ef.spec, configPatches: ef.spec.configPatches.map((p: any) => ({ ...p, patch: { ...p.patch, value: { list: deepList } } })) } },
      { ...ef, spec: { ...ef.spec, configPatches: Array.from({ length: 50000 }, () => ef.spec.configPatches[0]) } },
      { ...ef, spec: { ...ef.spec, configPatches: [...Array.from({ length: 20000 }, () => ef.spec.configPatches[0]), 7] } },
    ];
    const verdicts = hostile.map((m) => structuralVerdict(crdSchema(m.apiVersion, m.kind)!.schema, m));
    // deep values under free-form fields are never walked; a huge list is walked in a loop
    expect(verdicts).toEqual([VALID, VALID, VALID, VALID, INVALID]);
    for (const m of hostile.slice(3)) compare(m, t, 'hostile');
    expect(t.wrong).toEqual([]);
  });
});
