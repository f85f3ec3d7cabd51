/**
 * A small evaluator for the CEL rules of the kinds the library emits, over their ahead-of-time parsed
 * ASTs (imports/schemas/validators/cel-ast.json), so that validating the library's own output never
 * loads the CEL engine (`@bufbuild/cel` and its protobuf runtime cost ~0.2 s to load in a fresh
 * process, more than evaluating every rule of a large app).
 *
 * It is a fast path, not a second engine: it answers only when it is sure, and defers otherwise.
 * - An AST using anything outside the subset below is not compiled here at all ({@link compileCelAst}
 *   returns undefined): the engine evaluates that rule.
 * - At run time, a value of a type combination the subset does not cover (e.g. comparing an int with
 *   a double, indexing a string) or an expression that evaluates to a CEL error makes the evaluation
 *   return {@link DEFER}: the caller asks the engine, which then also words the error.
 * So a rule's verdict is this evaluator's only when it returns a plain value, and
 * test/validation/cel-eval.test.ts checks, for every rule of every emitted kind over valid and invalid
 * values, that such a value is exactly the engine's.
 *
 * Values are those `toCel` builds: null, booleans, integers as bigint, doubles as number, strings,
 * lists as arrays, objects as Maps; durations are {@link CelDuration}. CEL errors inside an expression
 * are values ({@link CelError}), so `&&`, `||` and the comprehension macros absorb them exactly as CEL's
 * commutative logic does (`false && <error>` is false).
 */

import { re2Find, Re2SyntaxError } from '../rules/regex';
import { re2AsJs } from '../rules/re2-dialect';

/** Returned when this evaluator cannot decide: the caller evaluates the rule with the engine. */
export const DEFER: unique symbol = Symbol('cel-defer');

/** A CEL error value (no such key, overflow, ...). Only its presence matters: the engine words it. */
class CelError {
  constructor(readonly message: string) {}
}

/** A duration, in nanoseconds. */
export class CelDuration {
  constructor(readonly nanos: bigint) {}
}

/** Thrown inside an evaluation when the subset does not cover a value: the evaluation returns DEFER. */
const DEFER_SIGNAL = { defer: true };

type Frame = { readonly name: string; readonly value: unknown; readonly parent: Frame } | undefined;
type Eval = (f: Frame) => unknown;

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

function defer(): never {
  throw DEFER_SIGNAL;
}

function isErr(v: unknown): v is CelError {
  return v instanceof CelError;
}

/**
 * Compiles a parsed CEL expression (the engine's `parse(...).expr`, as decoded from cel-ast.json) into
 * a function of `self`, or returns undefined when the expression uses something this subset does not
 * cover. The function returns the value, or {@link DEFER}.
 */
export function compileCelAst(ast: unknown): ((self: unknown) => unknown) | undefined {
  let fn: Eval;
  try {
    fn = compile(ast);
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
  return (self: unknown) => {
    try {
      const v = fn({ name: 'self', value: self, parent: undefined });
      return isErr(v) ? DEFER : v;
    } catch (e) {
      if (e === DEFER_SIGNAL) return DEFER;
      throw e;
    }
  };
}

/** Thrown at compile time for an expression outside the subset. */
class Unsupported extends Error {}

function unsupported(what: string): never {
  throw new Unsupported(what);
}

function compile(node: any): Eval {
  const kind = node?.exprKind?.case;
  const v = node?.exprKind?.value;
  switch (kind) {
    case 'constExpr':
      return compileConst(v);
    case 'identExpr': {
      const name: string = v.name;
      return (f) => {
        for (let x = f; x; x = x.parent) if (x.name === name) return x.value;
        return defer();
      };
    }
    case 'selectExpr': {
      const operand = compile(v.operand);
      const field: string = v.field;
      if (v.testOnly) {
        return (f) => {
          const o = operand(f);
          if (isErr(o)) return o;
          if (o instanceof Map) return o.has(field);
          return defer();
        };
      }
      return (f) => {
        const o = operand(f);
        if (isErr(o)) return o;
        if (o instanceof Map) return o.has(field) ? o.get(field) : new CelError(`no such key: ${field}`);
        return defer();
      };
    }
    case 'listExpr': {
      if ((v.optionalIndices ?? []).length > 0) unsupported('optional list elements');
      const elements: Eval[] = (v.elements ?? []).map(compile);
      return (f) => {
        const out: unknown[] = [];
        for (const e of elements) {
          const x = e(f);
          if (isErr(x)) return x;
          out.push(x);
        }
        return out;
      };
    }
    case 'structExpr': {
      if (v.messageName) unsupported('message construction');
      const entries: Array<[Eval, Eval]> = (v.entries ?? []).map((e: any) => {
        if (e.optionalEntry || e.keyKind?.case !== 'mapKey') unsupported('map entry');
        return [compile(e.keyKind.value), compile(e.value)];
      });
      return (f) => {
        const out = new Map<unknown, unknown>();
        for (const [k, x] of entries) {
          const key = k(f);
          if (isErr(key)) return key;
          if (typeof key !== 'string' || out.has(key)) return defer();
          const val = x(f);
          if (isErr(val)) return val;
          out.set(key, val);
        }
        return out;
      };
    }
    case 'comprehensionExpr':
      return compileComprehension(v);
    case 'callExpr':
      return compileCall(v);
    default:
      return unsupported(`expression ${String(kind)}`);
  }
}

function compileConst(c: any): Eval {
  const k = c?.constantKind?.case;
  const value = c?.constantKind?.value;
  switch (k) {
    case 'int64Value':
      if (typeof value !== 'bigint') unsupported('int constant');
      return () => value;
    case 'stringValue':
    case 'boolValue':
      return () => value;
    case 'doubleValue':
      if (typeof value !== 'number') unsupported('double constant');
      return () => value;
    case 'nullValue':
      return () => null;
    default:
      return unsupported(`constant ${String(k)}`);
  }
}

function compileComprehension(c: any): Eval {
  if (c.iterVar2) unsupported('two-variable comprehension');
  const range = compile(c.iterRange);
  const init = compile(c.accuInit);
  const cond = compile(c.loopCondition);
  const step = compile(c.loopStep);
  const result = compile(c.result);
  const iterVar: string = c.iterVar;
  const accuVar: string = c.accuVar;
  return (f) => {
    const r = range(f);
    if (isErr(r)) return r;
    let items: Iterable<unknown>;
    if (Array.isArray(r)) items = r;
    else if (r instanceof Map) items = r.keys();
    else return defer();
    let accu = init(f);
    for (const item of items) {
      const inner: Frame = { name: iterVar, value: item, parent: { name: accuVar, value: accu, parent: f } };
      const go = cond(inner);
      if (go === false) break;
      if (go !== true) return defer();
      accu = step(inner);
    }
    return result({ name: accuVar, value: accu, parent: f });
  };
}

/** Strict functions: any error argument is the result. */
function strict(args: Eval[], body: (...xs: unknown[]) => unknown): Eval {
  if (args.length === 1) {
    const [a] = args;
    return (f) => {
      const x = a(f);
      return isErr(x) ? x : body(x);
    };
  }
  if (args.length === 2) {
    const [a, b] = args;
    return (f) => {
      const x = a(f);
      if (isErr(x)) return x;
      const y = b(f);
      return isErr(y) ? y : body(x, y);
    };
  }
  return (f) => {
    const xs: unknown[] = [];
    for (const a of args) {
      const x = a(f);
      if (isErr(x)) return x;
      xs.push(x);
    }
    return body(...xs);
  };
}

function compileCall(c: any): Eval {
  const name: string = c.function;
  const args: Eval[] = (c.args ?? []).map(compile);
  const target: Eval | undefined = c.target ? compile(c.target) : undefined;
  const all = target ? [target, ...args] : args;
  const arity = (n: number, member: boolean) => {
    if (!!target !== member || args.length !== n) unsupported(`${name} with ${args.length} arguments`);
  };
  switch (name) {
    case '_&&_':
    case '_||_': {
      arity(2, false);
      const [a, b] = args;
      const stop = name === '_||_';
      return (f) => {
        const x = a(f);
        if (x === stop) return stop;
        const y = b(f);
        if (y === stop) return stop;
        if (x === !stop && y === !stop) return !stop;
        if (isErr(x)) return x;
        if (isErr(y)) return y;
        return defer();
      };
    }
    case '!_':
      arity(1, false);
      return strict(args, (x) => (typeof x === 'boolean' ? !x : defer()));
    case '@not_strictly_false':
      arity(1, false);
      return (f) => args[0](f) !== false;
    case '_?_:_': {
      arity(3, false);
      const [cond, yes, no] = args;
      return (f) => {
        const x = cond(f);
        if (x === true) return yes(f);
        if (x === false) return no(f);
        return isErr(x) ? x : defer();
      };
    }
    case '_==_':
      arity(2, false);
      return strict(args, (x, y) => equals(x, y));
    case '_!=_':
      arity(2, false);
      return strict(args, (x, y) => !equals(x, y));
    case '_<_':
    case '_<=_':
    case '_>_':
    case '_>=_': {
      arity(2, false);
      const test = { '_<_': (n: number) => n < 0, '_<=_': (n: number) => n <= 0, '_>_': (n: number) => n > 0, '_>=_': (n: number) => n >= 0 }[name];
      return strict(args, (x, y) => test(compare(x, y)));
    }
    case '_+_':
      arity(2, false);
      return strict(args, add);
    case '_[_]':
      arity(2, false);
      return strict(args, index);
    case '@in':
      arity(2, false);
      return strict(args, (x, container) => {
        if (Array.isArray(container)) return container.some((e) => equals(x, e));
        if (container instanceof Map) return typeof x === 'string' ? container.has(x) : defer();
        return defer();
      });
    case 'size':
      if (!(target ? args.length === 0 : args.length === 1)) unsupported('size arity');
      return strict(all, size);
    case 'contains':
    case 'startsWith':
    case 'endsWith': {
      arity(1, true);
      const op = name;
      return strict(all, (s, x) => {
        if (typeof s !== 'string' || typeof x !== 'string') return defer();
        return op === 'contains' ? s.includes(x) : op === 'startsWith' ? s.startsWith(x) : s.endsWith(x);
      });
    }
    case 'matches': {
      arity(1, true);
      // a constant pattern in the dialect both engines read alike runs as a RegExp (rules/re2-dialect.ts)
      const literal = c.args[0]?.exprKind?.case === 'constExpr' && c.args[0].exprKind.value?.constantKind?.case === 'stringValue' ? c.args[0].exprKind.value.constantKind.value : undefined;
      const js = typeof literal === 'string' ? re2AsJs(literal) : undefined;
      if (js) return strict(all, (s, p) => (typeof s === 'string' && p === literal ? (s.length <= JS_REGEX_MAX_INPUT ? js.test(s) : matches(s, literal)) : defer()));
      return strict(all, (s, p) => (typeof s === 'string' && typeof p === 'string' ? matches(s, p) : defer()));
    }
    case 'split':
      arity(1, true);
      return strict(all, (s, sep) => (typeof s === 'string' && typeof sep === 'string' && sep !== '' ? s.split(sep) : defer()));
    case 'substring':
      if (!target || (args.length !== 1 && args.length !== 2)) unsupported('substring arity');
      return strict(all, substring);
    case 'int':
      arity(1, false);
      return strict(args, toInt);
    case 'duration':
      arity(1, false);
      return strict(args, (s) => (typeof s === 'string' ? parseDuration(s) : defer()));
    case 'k8sUrlScheme':
      arity(1, false);
      return strict(args, (s) => {
        if (typeof s !== 'string') return defer();
        const u = k8sUrl(s);
        return u ? u.scheme : new CelError(`URL parse error: ${s}`);
      });
    case 'isURL':
      arity(1, false);
      return strict(args, (s) => (typeof s === 'string' ? k8sUrl(s) !== undefined : defer()));
    default:
      return unsupported(`function ${name}`);
  }
}

/** CEL equality over the covered types; values of two different types are left to the engine. */
function equals(x: unknown, y: unknown): boolean {
  if (x === null || y === null) return x === null && y === null ? true : defer();
  const t = typeof x;
  if (t !== typeof y) return defer();
  if (t === 'string' || t === 'boolean' || t === 'bigint') return x === y;
  if (t === 'number') return Number.isNaN(x) || Number.isNaN(y) ? defer() : x === y;
  if (Array.isArray(x)) {
    if (!Array.isArray(y)) return defer();
    if (x.length !== y.length) return false;
    let same = true;
    for (let i = 0; i < x.length; i++) if (!equals(x[i], y[i])) same = false;
    return same;
  }
  if (x instanceof Map) {
    if (!(y instanceof Map)) return defer();
    if (x.size !== y.size) return false;
    let same = true;
    for (const [k, v] of x) {
      if (!y.has(k)) same = false;
      else if (!equals(v, y.get(k))) same = false;
    }
    return same;
  }
  if (x instanceof CelDuration && y instanceof CelDuration) return x.nanos === y.nanos;
  return defer();
}

/** Ordering over the covered types: a negative, zero or positive number. */
function compare(x: unknown, y: unknown): number {
  if (typeof x === 'bigint' && typeof y === 'bigint') return x < y ? -1 : x > y ? 1 : 0;
  if (typeof x === 'number' && typeof y === 'number' && !Number.isNaN(x) && !Number.isNaN(y)) return x < y ? -1 : x > y ? 1 : 0;
  // UTF-16 order is code point order only without surrogates
  if (typeof x === 'string' && typeof y === 'string' && !SURROGATE.test(x) && !SURROGATE.test(y)) return x < y ? -1 : x > y ? 1 : 0;
  if (x instanceof CelDuration && y instanceof CelDuration) return x.nanos < y.nanos ? -1 : x.nanos > y.nanos ? 1 : 0;
  return defer();
}

const SURROGATE = /[\uD800-\uDFFF]/;

function add(x: unknown, y: unknown): unknown {
  if (typeof x === 'bigint' && typeof y === 'bigint') {
    const s = x + y;
    return s > INT64_MAX || s < INT64_MIN ? new CelError('integer overflow') : s;
  }
  if (typeof x === 'string' && typeof y === 'string') return x + y;
  if (Array.isArray(x) && Array.isArray(y)) return [...x, ...y];
  return defer();
}

function index(c: unknown, i: unknown): unknown {
  if (Array.isArray(c) && typeof i === 'bigint') return i >= 0n && i < BigInt(c.length) ? c[Number(i)] : new CelError('index out of range');
  if (c instanceof Map && typeof i === 'string') return c.has(i) ? c.get(i) : new CelError(`no such key: ${i}`);
  return defer();
}

function size(x: unknown): bigint {
  if (typeof x === 'string') return BigInt(SURROGATE.test(x) ? [...x].length : x.length);
  if (Array.isArray(x)) return BigInt(x.length);
  if (x instanceof Map) return BigInt(x.size);
  return defer();
}

function substring(s: unknown, start: unknown, end?: unknown): unknown {
  if (typeof s !== 'string' || typeof start !== 'bigint' || (end !== undefined && typeof end !== 'bigint')) return defer();
  const points = [...s];
  const e = end === undefined ? BigInt(points.length) : (end as bigint);
  // out-of-range indices are errors the engine words
  if (start < 0n || e < start || e > BigInt(points.length)) return defer();
  return points.slice(Number(start), Number(e)).join('');
}

function toInt(x: unknown): unknown {
  if (typeof x === 'bigint') return x;
  if (typeof x === 'string' && /^-?[0-9]{1,19}$/.test(x)) {
    const n = BigInt(x);
    if (n <= INT64_MAX && n >= INT64_MIN) return n;
  }
  return defer();
}

const DURATION_UNITS: Record<string, bigint> = { h: 3600_000_000_000n, m: 60_000_000_000n, s: 1_000_000_000n, ms: 1_000_000n };

/**
 * The durations Kubernetes' and Gateway API's schemas use: "0", or decimal numbers with a unit of h,
 * m, s or ms, e.g. "1h30m", "1.5s", "250ms". Anything else (signs, ns/us, very long strings) is left
 * to the engine.
 */
function parseDuration(s: string): CelDuration {
  if (s === '0') return new CelDuration(0n);
  if (s.length > 64 || !/^(?:[0-9]+(?:\.[0-9]+)?(?:ms|h|m|s))+$/.test(s)) return defer();
  let nanos = 0n;
  for (const m of s.matchAll(/([0-9]+)(?:\.([0-9]+))?(ms|h|m|s)/g)) {
    const unit = DURATION_UNITS[m[3]];
    nanos += BigInt(m[1]) * unit;
    if (m[2]) nanos += (BigInt(m[2]) * unit) / 10n ** BigInt(m[2].length);
  }
  if (nanos > INT64_MAX) return defer();
  return new CelDuration(nanos);
}

/** Longer strings are matched with RE2 even when the pattern has a RegExp form (bounds backtracking). */
const JS_REGEX_MAX_INPUT = 1024;

/** RE2 `find` semantics, as the engine is configured (see cel.ts: re2js); a pattern RE2 rejects is the engine's to word. */
function matches(s: string, pattern: string): boolean {
  try {
    return re2Find(pattern, s);
  } catch (e) {
    if (e instanceof Re2SyntaxError) return defer();
    throw e;
  }
}

/**
 * Kubernetes' URL library, as far as the pinned CRDs use it: `isURL(s)` and `url(s).getScheme()`
 * (shared with the engine's functions in cel.ts).
 */
export function k8sUrl(s: string): { scheme: string } | undefined {
  if (s.startsWith('/')) return /\s/.test(s) ? undefined : { scheme: '' };
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(s);
  if (!m) return undefined;
  try {
    new URL(s);
  } catch {
    return undefined;
  }
  return { scheme: m[1].toLowerCase() };
}
