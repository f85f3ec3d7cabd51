/**
 * `x-kubernetes-validations` CEL rules, evaluated as the API server does on create: each rule runs
 * with `self` bound to the value at its schema node. Transition rules (those using `oldSelf`) only
 * apply to updates, so they are skipped and counted. Any non-boolean result (an error value from
 * the engine, an unknown function) is reported as "not evaluated", never as a pass.
 *
 * Rules are compiled the first time a value reaches them, then cached. The rules of the kinds the
 * library emits come parsed ahead of time and run on a small evaluator (cel-eval.ts), so validating
 * the library's own output does not load the CEL engine; the engine answers whenever that evaluator
 * defers, and evaluates every other rule.
 */
import { re2 } from '../private/re2';
import { compileCelAst, k8sUrl } from './cel-eval';
import { RawFinding } from './report';
import { crdKinds, crdSchema } from './schema-data';

interface Rule {
  readonly rule: string;
  readonly message?: string;
  readonly messageExpression?: string;
  readonly fieldPath?: string;
  readonly reason?: string;
}

interface CompiledRule extends Rule {
  /** Undefined for transition rules (skipped) and rules that failed to compile. */
  readonly run?: (self: unknown) => unknown;
  readonly runMessage?: (self: unknown) => unknown;
  readonly transition: boolean;
  readonly compileError?: string;
}

interface CelNode {
  readonly schema: any;
  /** Raw rules; each is parsed and planned the first time a value reaches it (see compiledRules). */
  readonly raw: Rule[];
  compiled?: CompiledRule[];
  readonly props?: Map<string, CelNode>;
  readonly items?: CelNode;
  readonly additional?: CelNode;
}

/** Counters of rule evaluations since the process started (or {@link resetCelCounters}). */
export interface CelRuntimeCounters {
  /** Rule evaluations that returned true. */
  passed: number;
  /** Rule evaluations that returned false (reported as errors). */
  failed: number;
  /** Rule evaluations that returned a non-boolean or error value (reported as not evaluated). */
  notEvaluated: number;
  /** Transition rules (using oldSelf) skipped because there is no old object at create. */
  skippedTransition: number;
}

/** Static coverage of the CEL rules in the pinned CRDs. */
export interface CelCoverage {
  /** Rule occurrences across every served version of every pinned CRD. */
  readonly total: number;
  /** Distinct rule texts. */
  readonly distinct: number;
  /** Occurrences our engine compiles and evaluates. */
  readonly evaluable: number;
  /** Occurrences that are transition rules (oldSelf): skipped at create, as the API server does. */
  readonly transition: number;
  /** Occurrences that fail to compile: never evaluated, and listed in `notEvaluable`. */
  readonly notCompiled: number;
  /** The distinct rules that cannot be evaluated, with the reason. */
  readonly notEvaluable: ReadonlyArray<{ readonly rule: string; readonly reason: string }>;
  /** Counters of evaluations done so far in this process. */
  readonly runtime: Readonly<CelRuntimeCounters>;
}

const counters: CelRuntimeCounters = { passed: 0, failed: 0, notEvaluated: 0, skippedTransition: 0 };
const trees = new Map<string, CelNode | null>();
const ruleCache = new Map<string, CompiledRule>();
let envCache: any;

function celLib(): any {
  return require('@bufbuild/cel');
}

function env(): any {
  if (envCache) return envCache;
  const cel = celLib();
  const { strings } = require('@bufbuild/cel/ext');
  const S = cel.CelScalar;
  const re2 = reEngine();
  envCache = cel.celEnv({
    funcs: [
      ...strings,
      cel.celFunc('isURL', [S.STRING], S.BOOL, (s: string) => k8sUrl(s) !== undefined),
      // url(x).getScheme() is rewritten to k8sUrlScheme(x) before parsing (see compileRule).
      cel.celFunc('k8sUrlScheme', [S.STRING], S.STRING, (s: string) => {
        const u = k8sUrl(s);
        if (!u) throw new Error(`URL parse error: ${s}`);
        return u.scheme;
      }),
    ],
    ...(re2 ? { re2 } : {}),
  });
  return envCache;
}

function reEngine(): any {
  try {
    const RE2JS = re2();
    return { compile: (p: string) => { const r = RE2JS.compile(p); return { test: (t: string) => r.matcher(t).find() }; } };
  } catch {
    return undefined;
  }
}

/**
 * The expression our engine parses for a rule: `url(x).getScheme()` becomes `k8sUrlScheme(x)`.
 * @internal
 */
export function celSource(expr: string): string {
  return expr.replace(/\burl\(([^()]*)\)\.getScheme\(\)/g, 'k8sUrlScheme($1)');
}

/**
 * Bump when the encoding of {@link encodeCelAsts} changes: an ahead-of-time file carrying another
 * version is ignored (and the test that checks it fails until `node scripts/compile-validators.js` reruns).
 */
export const CEL_AST_VERSION = 3;

/**
 * Parsed CEL expressions, encoded for {@link decodeCelAst}: `types` lists each object shape once, and
 * `asts` holds each source's expression in terms of it, as JSON text (parsed only when its rule is
 * first compiled).
 * @internal
 */
export interface EncodedCelAsts {
  /** Object shapes: `[$typeName or null, ...keys]`; a key `#k` holds an int64, `*k` a list. */
  readonly types: ReadonlyArray<ReadonlyArray<string | null>>;
  /** Each source's encoded expression, as JSON text. */
  readonly asts: Readonly<Record<string, string>>;
}

/** Array tags of the encoding below an object shape's index. */
const TAG_LIST = -1;
const TAG_BIGINT = -2;
const TAG_BYTES = -3;
const TAG_NUMBER = -4;

/**
 * Parsed CEL expressions (`parse(...).expr`, plain protobuf-es messages) as JSON that decodes without
 * a per-value callback. An object is `[shape, ...values]`, its `$typeName` and keys in `types[shape]`;
 * a key written `#k` holds an int64 (a JSON number when exact, else a decimal string) and `*k` a list
 * of values, so the common int64 ids and argument lists need no tag. Elsewhere a list is
 * `[-1, ...items]`, an int64 `[-2, "<decimal>"]`, bytes `[-3, "<base64>"]`, a non-finite double
 * `[-4, "NaN"]`; strings, finite numbers, booleans and null are themselves. Keys whose value is
 * undefined are left out (as JSON does).
 * @internal
 */
export function encodeCelAsts(exprs: Readonly<Record<string, unknown>>): EncodedCelAsts {
  const types: Array<Array<string | null>> = [];
  const shapes = new Map<string, number>();
  const int64 = (v: bigint): number | string => (Number.isSafeInteger(Number(v)) ? Number(v) : v.toString());
  const enc = (v: unknown): unknown => {
    if (typeof v === 'bigint') return [TAG_BIGINT, v.toString()];
    if (v instanceof Uint8Array) return [TAG_BYTES, Buffer.from(v).toString('base64')];
    if (typeof v === 'number') return Number.isFinite(v) ? v : [TAG_NUMBER, String(v)];
    if (Array.isArray(v)) return [TAG_LIST, ...v.map(enc)];
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      const typeName = typeof o.$typeName === 'string' ? o.$typeName : null;
      const keys = Object.keys(o).filter((k) => k !== '$typeName' && o[k] !== undefined);
      for (const k of keys) if (k.startsWith('#') || k.startsWith('*')) throw new Error(`a CEL AST key ${k} clashes with the encoding`);
      const shape = [typeName, ...keys.map((k) => (typeof o[k] === 'bigint' ? `#${k}` : Array.isArray(o[k]) ? `*${k}` : k))];
      const id = JSON.stringify(shape);
      let i = shapes.get(id);
      if (i === undefined) {
        i = types.push(shape) - 1;
        shapes.set(id, i);
      }
      return [i, ...keys.map((k) => {
        const x = o[k];
        return typeof x === 'bigint' ? int64(x) : Array.isArray(x) ? x.map(enc) : enc(x);
      })];
    }
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    throw new Error(`a CEL AST holds ${typeof v}, which the encoding has no form for`);
  };
  const asts: Record<string, string> = {};
  for (const [source, expr] of Object.entries(exprs)) asts[source] = JSON.stringify(enc(expr));
  return { types, asts };
}

/** An object shape of the encoding, ready to decode with: key names and how each value is stored. */
interface Shape {
  readonly typeName: string | null;
  readonly keys: string[];
  /** 0 a value, 1 an int64, 2 a list of values. */
  readonly how: number[];
  /** The most frequent shapes of CEL's AST, decoded as object literals (a keyed store per value is several times slower in a fresh process). */
  readonly common: number;
}

/** `typeName|keys` of the shapes decoded as literals, by their {@link Shape.common} number. */
const COMMON_SHAPES = ['cel.expr.Expr|#id,exprKind', '|case,value', 'cel.expr.Expr.Call|function,*args', 'cel.expr.Expr.Select|operand,field,testOnly', 'cel.expr.Expr.Ident|name', 'cel.expr.Constant|constantKind'];

const shapeMemo = new WeakMap<EncodedCelAsts['types'], Shape[]>();

/**
 * The inverse of {@link encodeCelAsts}, for one expression of its `asts` with its `types`. With
 * `selectField`, the field name of every selection (`cel.expr.Expr.Select`) is passed through it.
 * With `ids` false, the expression ids (int64 `id` keys, which only the engine reads) are left out.
 * @internal
 */
export function decodeCelAst(text: string, types: EncodedCelAsts['types'], selectField?: (field: string) => string, ids = true): unknown {
  let shapes = shapeMemo.get(types);
  if (!shapes) {
    shapes = types.map(([typeName, ...keys]) => ({
      typeName,
      keys: keys.map((k) => (k!.startsWith('#') || k!.startsWith('*') ? k!.slice(1) : k!)),
      how: keys.map((k) => (k!.startsWith('#') ? 1 : k!.startsWith('*') ? 2 : 0)),
      common: COMMON_SHAPES.indexOf(`${typeName ?? ''}|${keys.join(',')}`),
    }));
    shapeMemo.set(types, shapes);
  }
  const table = shapes;
  const list = (v: unknown[], from: number): unknown[] => {
    const out = new Array(v.length - from);
    for (let i = from; i < v.length; i++) out[i - from] = dec(v[i]);
    return out;
  };
  const dec = (v: unknown): unknown => {
    if (!Array.isArray(v)) return v;
    const tag = v[0] as number;
    if (tag >= 0) {
      const shape = table[tag];
      switch (shape.common) {
        case 0:
          return ids ? { $typeName: 'cel.expr.Expr', id: BigInt(v[1]), exprKind: dec(v[2]) } : { $typeName: 'cel.expr.Expr', exprKind: dec(v[2]) };
        case 1:
          return { case: v[1], value: dec(v[2]) };
        case 2:
          return { $typeName: 'cel.expr.Expr.Call', function: v[1], args: list(v[2], 0) };
        case 3:
          return { $typeName: 'cel.expr.Expr.Select', operand: dec(v[1]), field: selectField && typeof v[2] === 'string' ? selectField(v[2]) : v[2], testOnly: v[3] };
        case 4:
          return { $typeName: 'cel.expr.Expr.Ident', name: v[1] };
        case 5:
          return { $typeName: 'cel.expr.Constant', constantKind: dec(v[1]) };
      }
      const o: Record<string, unknown> = shape.typeName === null ? {} : { $typeName: shape.typeName };
      for (let i = 0; i < shape.keys.length; i++) {
        const x = v[i + 1];
        const how = shape.how[i];
        if (how === 1 && !ids && shape.keys[i] === 'id') continue;
        o[shape.keys[i]] = how === 0 ? dec(x) : how === 1 ? BigInt(x) : list(x, 0);
      }
      if (selectField && shape.typeName === 'cel.expr.Expr.Select' && typeof o.field === 'string') o.field = selectField(o.field);
      return o;
    }
    if (tag === TAG_LIST) return list(v, 1);
    if (tag === TAG_BIGINT) return BigInt(v[1]);
    if (tag === TAG_BYTES) return new Uint8Array(Buffer.from(v[1], 'base64'));
    if (tag === TAG_NUMBER) return Number(v[1]);
    throw new Error(`unknown tag ${tag} in an encoded CEL AST`);
  };
  return dec(JSON.parse(text));
}

/**
 * Rules of the kinds the library emits, parsed ahead of time by scripts/compile-validators.js into
 * imports/schemas/validators/cel-ast.json (the same parser's output, encoded; a test checks each
 * entry against a fresh parse), with each kind's {@link CelSchemaIndex}. Parsing costs ~2-5 ms per
 * rule in a fresh process; this file is read once, and each expression decoded when its rule is
 * first compiled. Null when absent or of another version (then every rule is parsed and every
 * schema walked).
 */
let aotAsts: (EncodedCelAsts & { readonly version: number; readonly kinds: Readonly<Record<string, CelSchemaIndex>> }) | null | undefined;

function aotData(): typeof aotAsts {
  if (aotAsts === undefined) {
    aotAsts = null;
    const fs = require('fs') as typeof import('fs');
    const path = require('path') as typeof import('path');
    // src/validation (ts-jest) and lib/src/validation (compiled) alike.
    const file = [path.join(__dirname, '..', '..', 'imports', 'schemas', 'validators', 'cel-ast.json'), path.join(__dirname, '..', '..', '..', 'imports', 'schemas', 'validators', 'cel-ast.json')].find((f) => fs.existsSync(f));
    if (file) {
      const data = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (data.version === CEL_AST_VERSION) aotAsts = data;
    }
  }
  return aotAsts;
}

/**
 * A stored rule's AST, its selections' field names unescaped (as {@link withUnescapedFields} does);
 * with `ids` false without expression ids (enough for the small evaluator).
 */
function aotAst(source: string, ids: boolean): unknown {
  const data = aotData();
  if (!data || !Object.prototype.hasOwnProperty.call(data.asts, source)) return undefined;
  // field names unescaped as withUnescapedFields does, in the same pass
  return decodeCelAst(data.asts[source], data.types, unescapeCelField, ids);
}

/**
 * Clears the compiled-rule caches; `aot: false` also ignores the ahead-of-time ASTs (tests compare
 * both paths).
 * @internal
 */
export function _resetCelCache(options: { aot?: boolean; fastPath?: boolean } = {}): void {
  trees.clear();
  ruleCache.clear();
  aotAsts = options.aot === false ? null : undefined;
  fastPath = options.fastPath ?? true;
  _celFastPath.deferred = _celFastPath.engineOnly = 0;
}

/** Whether ahead-of-time ASTs run on the small evaluator first (tests turn it off to compare). */
let fastPath = true;

/**
 * How many rule evaluations the engine answered because the fast path deferred, and how many ASTs it
 * could not compile (for tests: validating the library's own output should need neither).
 * @internal
 */
export const _celFastPath = { deferred: 0, engineOnly: 0 };

/**
 * A rule's program. With an ahead-of-time AST, the small evaluator in cel-eval.ts runs it and the
 * engine is loaded and planned only if that evaluator defers (an error value, a type combination it
 * does not cover); otherwise the engine parses and plans the rule at once.
 */
function compileExpr(expr: string): (self: unknown) => unknown {
  const source = celSource(expr);
  // the small evaluator reads no expression ids, so its AST is decoded without them; the engine's
  // has them (decoded again, on the rare first deferral)
  const ast = aotAst(source, false);
  const fast = ast !== undefined && fastPath ? compileCelAst(ast) : undefined;
  if (!fast) {
    if (ast !== undefined) _celFastPath.engineOnly++;
    return enginePlan(source, aotAst(source, true));
  }
  let engine: ((self: unknown) => unknown) | undefined;
  return (self: unknown) => {
    const v = fast(self);
    // a boolean (a rule) or a string (a message) is the engine's answer too (tested); anything else
    // (an error, another type) the engine words
    if (typeof v === 'boolean' || typeof v === 'string') return v;
    _celFastPath.deferred++;
    engine ??= enginePlan(source, aotAst(source, true));
    return engine(self);
  };
}

/**
 * The engine's program for a rule source (its stored AST when given), as the validation uses it.
 * @internal
 */
export function _enginePlan(source: string, ast?: unknown): (self: unknown) => unknown {
  return enginePlan(source, ast);
}

function enginePlan(source: string, ast: unknown): (self: unknown) => unknown {
  const cel = celLib();
  const expr = withUnescapedFields(ast !== undefined ? ast : cel.parse(source).expr);
  const run = cel.plan(env(), { $typeName: 'cel.expr.ParsedExpr', expr });
  return (self: unknown) => run({ self });
}

/** CEL's reserved words, which a CRD rule writes escaped as `__word__` (k8s.io/apiserver/pkg/cel/escaping.go). */
const CEL_RESERVED = new Set(['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if',
  'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);
const CEL_ESCAPES: { readonly [seq: string]: string } = { __underscores__: '__', __dot__: '.', __dash__: '-', __slash__: '/' };

/**
 * The property name a field selection in a CRD rule means. The API server exposes an object property
 * whose name is a CEL reserved word or holds `.`, `-`, `/` or `__` under an escaped name
 * (k8s.io/apiserver/pkg/cel/escaping.go `Escape`/`Unescape`): Gateway API's parentRefs rules read
 * `p.__namespace__`, which is the `namespace` property. A name with an unknown `__…__` sequence is left
 * as it is (the API server refuses such a property name, so no object has it).
 * @internal
 */
export function unescapeCelField(name: string): string {
  if (name.length > 4 && name.startsWith('__') && name.endsWith('__') && CEL_RESERVED.has(name.slice(2, -2))) return name.slice(2, -2);
  if (!name.includes('__')) return name;
  let out = '';
  for (let i = 0; i < name.length;) {
    if (name.startsWith('__', i)) {
      const seq = Object.keys(CEL_ESCAPES).find((k) => name.startsWith(k, i));
      if (seq === undefined) return name;
      out += CEL_ESCAPES[seq];
      i += seq.length;
    } else {
      out += name[i++];
    }
  }
  return out;
}

/**
 * Rewrites the field names of every selection in a parsed expression to the properties they mean (in place).
 * @internal
 */
export function withUnescapedFields<T>(expr: T): T {
  const walk = (n: any): void => {
    if (!n || typeof n !== 'object') return;
    if (Array.isArray(n)) { n.forEach(walk); return; }
    if (n.case === 'selectExpr' && n.value && typeof n.value.field === 'string') n.value.field = unescapeCelField(n.value.field);
    for (const k of Object.keys(n)) walk(n[k]);
  };
  walk(expr);
  return expr;
}

function compileRule(r: Rule): CompiledRule {
  const key = JSON.stringify([r.rule, r.message, r.messageExpression, r.fieldPath]);
  const hit = ruleCache.get(key);
  if (hit) return hit;
  let out: CompiledRule;
  if (/\boldSelf\b/.test(r.rule)) {
    out = { ...r, transition: true };
  } else {
    try {
      out = {
        ...r,
        transition: false,
        run: compileExpr(r.rule),
        runMessage: r.messageExpression ? compileExpr(r.messageExpression) : undefined,
      };
    } catch (e) {
      out = { ...r, transition: false, compileError: e instanceof Error ? e.message : String(e) };
    }
  }
  ruleCache.set(key, out);
  return out;
}

function build(schema: any): CelNode | undefined {
  if (!schema || typeof schema !== 'object') return undefined;
  const raw: Rule[] = schema['x-kubernetes-validations'] ?? [];
  let props: Map<string, CelNode> | undefined;
  if (schema.properties) {
    for (const [k, v] of Object.entries(schema.properties)) {
      const n = build(v);
      if (n) (props ??= new Map()).set(k, n);
    }
  }
  const items = schema.items ? build(schema.items) : undefined;
  const additional = typeof schema.additionalProperties === 'object' ? build(schema.additionalProperties) : undefined;
  if (raw.length === 0 && !props && !items && !additional) return undefined;
  return { schema, raw, props, items, additional };
}

/**
 * Where in one kind's schema the CEL tree and the defaults are, so that neither {@link build} nor
 * {@link hasDefaults} walks the whole schema (thousands of nodes) in a fresh process: a schema node
 * that is a node of build's tree has `r`, one with a default below it (hasDefaults) has `d`, and its
 * children with either are under `c`, keyed `p:<property>`, `i` (items) or `a`
 * (additionalProperties). scripts/compile-validators.js stores it for the emitted kinds in
 * cel-ast.json; a test checks that the tree built from it equals build's.
 * @internal
 */
export interface CelSchemaIndex {
  readonly r?: 1;
  readonly d?: 1;
  readonly c?: Readonly<Record<string, CelSchemaIndex>>;
}

/** The children build and hasDefaults descend into, keyed as in {@link CelSchemaIndex}. */
function schemaChildren(schema: any): Array<[string, any]> {
  const out: Array<[string, any]> = [];
  if (schema.properties) for (const [k, v] of Object.entries(schema.properties)) out.push([`p:${k}`, v]);
  if (schema.items) out.push(['i', schema.items]);
  if (typeof schema.additionalProperties === 'object') out.push(['a', schema.additionalProperties]);
  return out;
}

/** The {@link CelSchemaIndex} of a schema (undefined when it has neither rules nor defaults). @internal */
export function celSchemaIndex(schema: any): CelSchemaIndex | undefined {
  if (!schema || typeof schema !== 'object') return undefined;
  const c: Record<string, CelSchemaIndex> = {};
  let any = false;
  for (const [key, child] of schemaChildren(schema)) {
    const sub = celSchemaIndex(child);
    if (sub) {
      c[key] = sub;
      any = true;
    }
  }
  const r = build(schema) !== undefined;
  const d = hasDefaults(schema);
  if (!r && !d && !any) return undefined;
  return { ...(r ? { r: 1 as const } : {}), ...(d ? { d: 1 as const } : {}), ...(any ? { c } : {}) };
}

/** build's tree, from the index: only the indexed paths are visited. */
function buildIndexed(schema: any, index: CelSchemaIndex): CelNode | undefined {
  if (!index.r) return undefined;
  const raw: Rule[] = schema['x-kubernetes-validations'] ?? [];
  let props: Map<string, CelNode> | undefined;
  let items: CelNode | undefined;
  let additional: CelNode | undefined;
  for (const [key, sub] of Object.entries(index.c ?? {})) {
    if (!sub.r) continue;
    if (key === 'i') items = buildIndexed(schema.items, sub);
    else if (key === 'a') additional = buildIndexed(schema.additionalProperties, sub);
    else (props ??= new Map()).set(key.slice(2), buildIndexed(schema.properties[key.slice(2)], sub)!);
  }
  return { schema, raw, props, items, additional };
}

/**
 * Records hasDefaults' answer for every node applyDefaults can ask about: the indexed nodes, and
 * the children of those with defaults below (which have none unless indexed with `d`).
 */
function seedDefaults(schema: any, index: CelSchemaIndex): void {
  defaultsBelow.set(schema, index.d === 1);
  if (index.d !== 1) return;
  for (const [key, child] of schemaChildren(schema)) {
    const sub = index.c?.[key];
    if (sub) seedDefaults(child, sub);
    else if (child && typeof child === 'object') defaultsBelow.set(child, false);
  }
}

/**
 * For tests: build's tree of a schema, from `index` when given; hasDefaults' recorded answer for a
 * node; and seeding those answers from an index.
 * @internal
 */
export const _celSchemaInternals = {
  tree: (schema: any, index?: CelSchemaIndex): unknown => (index ? buildIndexed(schema, index) : build(schema)),
  known: (schema: object): boolean | undefined => defaultsBelow.get(schema),
  hasDefaults: (schema: any): boolean => hasDefaults(schema),
  seed: (schema: any, index: CelSchemaIndex): void => seedDefaults(schema, index),
};

function treeFor(apiVersion: string, kind: string): CelNode | null {
  const key = `${apiVersion}/${kind}`;
  let t = trees.get(key);
  if (t !== undefined) return t;
  const entry = crdSchema(apiVersion, kind);
  const kinds = aotData()?.kinds;
  const index = entry && kinds && Object.prototype.hasOwnProperty.call(kinds, key) ? kinds[key] : undefined;
  if (entry && index) seedDefaults(entry.schema, index);
  t = (entry && (index ? buildIndexed(entry.schema, index) : build(entry.schema))) || null;
  trees.set(key, t);
  return t;
}

/** Converts a JSON value to CEL input, typed by its schema: integers as bigint, objects as maps. */
export function toCel(v: unknown, schema: any): unknown {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.map((x) => toCel(x, schema?.items));
  if (typeof v === 'object') {
    const m = new Map<string, unknown>();
    for (const [k, x] of Object.entries(v as object)) {
      const sub = schema?.properties?.[k] ?? (typeof schema?.additionalProperties === 'object' ? schema.additionalProperties : undefined);
      m.set(k, toCel(x, sub));
    }
    return m;
  }
  if (typeof v === 'number') return schema?.type === 'number' || !Number.isInteger(v) ? v : BigInt(v);
  return v;
}

function pathJoin(base: string, seg: string | number): string {
  if (typeof seg === 'number') return `${base}[${seg}]`;
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(seg)) return base ? `${base}.${seg}` : seg;
  return `${base}[${JSON.stringify(seg)}]`;
}

function walk(node: CelNode, value: unknown, path: string, out: RawFinding[]): void {
  if (value === undefined || value === null) return;
  if (node.raw.length) {
    let self: unknown;
    node.compiled ??= node.raw.map(compileRule);
    for (const r of node.compiled) {
      if (r.transition) {
        counters.skippedTransition++;
        continue;
      }
      const where = r.fieldPath ? path + (r.fieldPath.startsWith('.') || r.fieldPath.startsWith('[') ? r.fieldPath : `.${r.fieldPath}`) : path;
      if (!r.run) {
        counters.notEvaluated++;
        out.push({ code: 'CI1102', level: 'warning', message: `${where || '<root>'}: CEL rule not evaluated (${r.compileError}): ${r.rule}` });
        continue;
      }
      self ??= toCel(value, node.schema);
      let result: unknown;
      try {
        result = r.run(self);
      } catch (e) {
        result = e;
      }
      if (result === true) {
        counters.passed++;
      } else if (result === false) {
        counters.failed++;
        out.push({ code: 'CI1101', level: 'error', message: `${where || '<root>'}: Invalid value: ${ruleMessage(r, self)}` });
      } else if (isMissingField(result)) {
        // The API server rejects an object whose rule errors on a missing field, so do we.
        counters.failed++;
        out.push({ code: 'CI1101', level: 'error', message: `${where || '<root>'}: Invalid value: ${ruleMessage(r, self)} (the rule errored: ${(result as any).message})` });
      } else {
        counters.notEvaluated++;
        const why = result && typeof result === 'object' && 'message' in result ? String((result as any).message) : `returned ${typeof result === 'bigint' ? 'int' : typeof result} ${String(result)}, not a bool`;
        out.push({ code: 'CI1102', level: 'warning', message: `${where || '<root>'}: CEL rule not evaluated (${why}): ${r.rule}` });
      }
    }
  }
  if (Array.isArray(value)) {
    if (node.items) value.forEach((x, i) => walk(node.items!, x, pathJoin(path, i), out));
    return;
  }
  if (typeof value === 'object') {
    for (const [k, x] of Object.entries(value as object)) {
      const child = node.props?.get(k) ?? (node.props?.has(k) ? undefined : node.additional);
      if (child) walk(child, x, pathJoin(path, k), out);
    }
  }
}

function isMissingField(result: unknown): boolean {
  return !!result && typeof result === 'object' && /field not found|no such key/.test(String((result as any).message));
}

function ruleMessage(r: CompiledRule, self: unknown): string {
  if (r.runMessage) {
    try {
      const m = r.runMessage(self);
      if (typeof m === 'string' && m !== '') return m;
    } catch {
      // fall back to the static message, as the API server does
    }
  }
  return r.message ?? `failed rule: ${r.rule}`;
}

/** Evaluates every CEL rule of the object's pinned CRD. Unknown kinds produce nothing. */
export function checkCel(m: any): RawFinding[] {
  const tree = treeFor(m.apiVersion, m.kind);
  if (!tree) return [];
  const out: RawFinding[] = [];
  // The API server applies the schema's defaults before it runs CEL (Gateway API relies on it).
  walk(tree, applyDefaults(m, tree.schema), '', out);
  return out;
}

/**
 * Evaluates the CEL rules of an arbitrary structural schema against a value (for tests and for
 * schemas that are not pinned CRDs).
 * @internal
 */
export function _checkCelWithSchema(value: unknown, schema: any): RawFinding[] {
  const tree = build(schema);
  if (!tree) return [];
  const out: RawFinding[] = [];
  walk(tree, applyDefaults(value, schema), '', out);
  return out;
}

const defaultsBelow = new WeakMap<object, boolean>();

function hasDefaults(schema: any): boolean {
  if (!schema || typeof schema !== 'object') return false;
  let v = defaultsBelow.get(schema);
  if (v !== undefined) return v;
  defaultsBelow.set(schema, false);
  v =
    Object.values(schema.properties ?? {}).some((p: any) => p?.default !== undefined || hasDefaults(p)) ||
    hasDefaults(schema.items) ||
    (typeof schema.additionalProperties === 'object' && hasDefaults(schema.additionalProperties));
  defaultsBelow.set(schema, v);
  return v;
}

/**
 * A copy of `value` with the schema's `default`s filled in where a property is absent, as the API
 * server's structural defaulting does. Subtrees without defaults are shared, not copied.
 */
export function applyDefaults(value: unknown, schema: any): unknown {
  if (value === null || typeof value !== 'object' || !hasDefaults(schema)) return value;
  if (Array.isArray(value)) return schema.items ? value.map((x) => applyDefaults(x, schema.items)) : value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  if (schema.properties) {
    for (const [k, p] of Object.entries<any>(schema.properties)) {
      if (out[k] === undefined) {
        if (p?.default !== undefined) out[k] = applyDefaults(structuredClone(p.default), p);
      } else out[k] = applyDefaults(out[k], p);
    }
  } else if (typeof schema.additionalProperties === 'object') {
    for (const k of Object.keys(out)) out[k] = applyDefaults(out[k], schema.additionalProperties);
  }
  return out;
}

/** Resets the runtime counters reported by {@link celCoverage}. */
export function resetCelCounters(): void {
  counters.passed = counters.failed = counters.notEvaluated = counters.skippedTransition = 0;
}

/**
 * How many of the pinned CRDs' CEL rules this engine evaluates, and which it cannot. Compiles every
 * rule of every kind, so call it for reporting, not on the hot path.
 */
export function celCoverage(): CelCoverage {
  let total = 0;
  let evaluable = 0;
  let transition = 0;
  let notCompiled = 0;
  const distinct = new Set<string>();
  const bad = new Map<string, string>();
  const visit = (s: any): void => {
    if (Array.isArray(s)) return s.forEach(visit);
    if (!s || typeof s !== 'object') return;
    for (const r of (s['x-kubernetes-validations'] ?? []) as Rule[]) {
      total++;
      distinct.add(r.rule);
      const c = compileRule(r);
      if (c.transition) transition++;
      else if (c.run) evaluable++;
      else {
        notCompiled++;
        bad.set(r.rule, c.compileError ?? 'unknown');
      }
    }
    for (const [k, v] of Object.entries(s)) if (k !== 'x-kubernetes-validations') visit(v);
  };
  for (const key of crdKinds()) {
    const [group, version, kind] = key.split('/');
    visit(crdSchema(`${group}/${version}`, kind)?.schema);
  }
  return {
    total,
    distinct: distinct.size,
    evaluable,
    transition,
    notCompiled,
    notEvaluable: [...bad].sort().map(([rule, reason]) => ({ rule, reason })),
    runtime: { ...counters },
  };
}
