/**
 * A fast path for the structural schema check: a small interpreter of the JSON schema that
 * {@link jsonSchemaFor} gives ajv, read one node at a time from the CRD's openAPIV3Schema (each node
 * converted with the same conversion, schema-convert.ts, the first time a value reaches it, and
 * kept). Loading the
 * ahead-of-time ajv validators (1.5 MB of generated code for the kinds the library emits) costs more
 * in a fresh process than checking every object of a large app here.
 *
 * It is a fast path, not a second validator: its only use is to say {@link VALID}, and then there is
 * nothing to report; for anything else checkSchema runs ajv, which words the findings. It implements a
 * keyword only with ajv's exact semantics under the options the project uses (`strict: false`, so
 * `strictNumbers` is off: NaN is a number, Infinity an integer; `unicodeRegExp`: patterns are
 * `new RegExp(p, 'u')`; lengths count code points with ajv's own `ucs2length`; formats are the same
 * {@link FORMATS} ajv is given, applied to the data type each format names), and answers
 * {@link UNSURE} for any keyword, keyword value or construct it does not implement. {@link INVALID} is
 * exact too (so `not` and `oneOf` can use it), but checkSchema never relies on it.
 * test/validation/schema-fast.test.ts checks, for every kind with an ahead-of-time validator, over the
 * examples' objects and many mutations of them, that VALID and INVALID always agree with ajv.
 *
 * The work follows the schema, never the data: recursion is bounded by the schema's depth (structural
 * schemas have no `$ref`), and the data is only looked at where the schema has a node for it.
 */
import { FORMATS } from './formats';
import { convertNode, withEnvelope } from './schema-convert';

/** The value is valid: ajv would accept it. */
export const VALID = 0;
/** The value is invalid: ajv would reject it. */
export const INVALID = 1;
/** This interpreter does not know: ajv decides. */
export const UNSURE = 2;

/** One of {@link VALID}, {@link INVALID}, {@link UNSURE}. */
export type Verdict = typeof VALID | typeof INVALID | typeof UNSURE;

type Format = (d: any) => Verdict;

/** One converted node: its keywords, and whether this interpreter implements every one of them. */
interface Node {
  readonly s: any;
  readonly keys: readonly string[];
  readonly ok: boolean;
}

/** Keywords ajv ignores here: annotations (`default` is only used with ajv's `useDefaults`). */
const IGNORED = new Set(['default', 'description', 'title']);
const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'null', 'array', 'object']);
const UNSUPPORTED: Node = { s: {}, keys: [], ok: false };

const roots = new WeakMap<object, Node>();
const nodes = new WeakMap<object, Node>();
const patterns = new Map<string, RegExp | null>();
const formats = new Map<string, Format | null>();
const hasOwn = Object.prototype.hasOwnProperty;
let ucs2: ((s: string) => number) | undefined;

/**
 * The verdict for a custom resource against its CRD's openAPIV3Schema (as `crdSchema` gives it),
 * that is against `jsonSchemaFor(openApiV3Schema)`.
 */
export function structuralVerdict(openApiV3Schema: any, data: unknown): Verdict {
  if (!isObject(openApiV3Schema)) return UNSURE;
  let root = roots.get(openApiV3Schema);
  if (!root) {
    root = node(() => withEnvelope(convertNode(openApiV3Schema)));
    roots.set(openApiV3Schema, root);
  }
  return checkNode(root, data);
}

const isObject = (d: any): boolean => !!d && typeof d === 'object' && !Array.isArray(d);
const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0;
const isSchema = isObject;

/** Converts a node and checks, once, that every keyword and keyword value is one implemented here. */
function node(convert: () => any): Node {
  let s: any;
  try {
    s = convert();
  } catch {
    // a node the converter cannot read: ajv's path meets the same node and reports (or throws) as before
    return UNSUPPORTED;
  }
  const keys = Object.keys(s);
  return { s, keys, ok: keys.every((k) => supported(k, s[k], s)) };
}

function supported(k: string, v: any, s: any): boolean {
  switch (k) {
    case 'type':
      return typeof v === 'string' ? TYPES.has(v) : Array.isArray(v) && v.length > 0 && v.every((t) => typeof t === 'string' && TYPES.has(t));
    case 'enum':
      // primitive values only: ajv compares them with ===
      return Array.isArray(v) && v.length > 0 && v.every((x) => x === null || typeof x !== 'object');
    case 'required':
      return Array.isArray(v) && v.every((x) => typeof x === 'string');
    case 'properties':
      return isObject(v) && !hasOwn.call(v, '__proto__');
    case 'additionalProperties':
      return (typeof v === 'boolean' || isSchema(v)) && (s.properties === undefined || (isObject(s.properties) && !hasOwn.call(s.properties, '__proto__')));
    case 'items':
    case 'not':
      return isSchema(v);
    case 'allOf':
    case 'anyOf':
    case 'oneOf':
      return Array.isArray(v) && v.length > 0;
    case 'minimum':
    case 'maximum':
      return typeof v === 'number';
    case 'minLength':
    case 'maxLength':
    case 'minItems':
    case 'maxItems':
    case 'minProperties':
    case 'maxProperties':
      return isCount(v);
    case 'pattern':
      return typeof v === 'string' && pattern(v) !== null;
    case 'format':
      return typeof v === 'string' && format(v) !== null;
    default:
      return IGNORED.has(k);
  }
}

/** ajv's pattern: `new RegExp(p, 'u')` (unicodeRegExp); null when it does not compile. */
function pattern(p: string): RegExp | null {
  let re = patterns.get(p);
  if (re === undefined) {
    try {
      re = new RegExp(p, 'u');
    } catch {
      re = null;
    }
    patterns.set(p, re);
  }
  return re;
}

/** ajv's `format` keyword (format.ts) with the definitions it is given: {@link FORMATS}. */
function format(name: string): Format | null {
  let f = formats.get(name);
  if (f === undefined) {
    f = formatCheck(name) ?? null;
    formats.set(name, f);
  }
  return f;
}

function formatCheck(name: string): Format | undefined {
  if (!hasOwn.call(FORMATS, name)) return undefined;
  const def: any = FORMATS[name];
  if (def === true) return () => VALID;
  let type: string;
  let test: ((d: any) => unknown) | undefined;
  if (def instanceof RegExp) {
    type = 'string';
    test = (d) => def.test(d);
  } else if (typeof def === 'function') {
    type = 'string';
    test = def;
  } else if (def && typeof def === 'object') {
    if (def.async) return undefined;
    type = def.type || 'string';
    const f = def.validate;
    if (f instanceof RegExp) test = (d) => f.test(d);
    else if (typeof f === 'function') test = f;
  } else return undefined;
  if (!test || (type !== 'string' && type !== 'number')) return undefined;
  const t = test;
  // applied only to data of the format's type, as ajv does
  return (d) => (typeof d !== type ? VALID : t(d) ? VALID : INVALID);
}

/** ajv's type test (dataType.ts, checkDataType) with strictNumbers off. */
function isType(t: string, d: any): boolean {
  switch (t) {
    case 'null':
      return d === null;
    case 'array':
      return Array.isArray(d);
    case 'object':
      return isObject(d);
    case 'integer':
      return typeof d === 'number' && !(d % 1) && !isNaN(d);
    case 'number':
      return typeof d === 'number';
    default:
      return typeof d === t;
  }
}

/** The verdict of a raw (structural) sub-schema, converted the first time a value reaches it. */
function check(raw: any, d: any): Verdict {
  if (!isSchema(raw)) return UNSURE;
  let n = nodes.get(raw);
  if (!n) {
    n = node(() => convertNode(raw));
    nodes.set(raw, n);
  }
  return checkNode(n, d);
}

function checkNode(n: Node, d: any): Verdict {
  if (!n.ok || d === undefined) return UNSURE;
  const s = n.s;
  const keys = n.keys;
  let out: Verdict = VALID;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const v = s[k];
    let r: Verdict = VALID;
    switch (k) {
      case 'type':
        if (typeof v === 'string' ? !isType(v, d) : !v.some((t: string) => isType(t, d))) r = INVALID;
        break;
      case 'enum':
        r = INVALID;
        for (let j = 0; j < v.length; j++) {
          if (d === v[j]) {
            r = VALID;
            break;
          }
        }
        break;
      case 'required':
        if (isObject(d)) for (let j = 0; j < v.length; j++) if (d[v[j]] === undefined) r = INVALID;
        break;
      case 'properties':
        if (isObject(d)) {
          for (const p in v) {
            const x = d[p];
            if (x === undefined || !hasOwn.call(v, p)) continue;
            const c = check(v[p], x);
            if (c === INVALID) return INVALID;
            if (c === UNSURE) r = UNSURE;
          }
        }
        break;
      case 'additionalProperties':
        if (isObject(d) && v !== true) {
          const props = s.properties;
          for (const key in d) {
            if (props !== undefined && hasOwn.call(props, key)) continue;
            if (v === false) return INVALID;
            const c = check(v, d[key]);
            if (c === INVALID) return INVALID;
            if (c === UNSURE) r = UNSURE;
          }
        }
        break;
      case 'items':
        if (Array.isArray(d)) {
          for (let j = 0; j < d.length; j++) {
            const c = check(v, d[j]);
            if (c === INVALID) return INVALID;
            if (c === UNSURE) r = UNSURE;
          }
        }
        break;
      case 'minimum':
        // ajv: `data < limit || isNaN(data)` fails (limitNumber.ts)
        if (typeof d === 'number' && (d < v || isNaN(d))) r = INVALID;
        break;
      case 'maximum':
        if (typeof d === 'number' && (d > v || isNaN(d))) r = INVALID;
        break;
      case 'minLength':
      case 'maxLength':
        if (typeof d === 'string') {
          // ajv's own code-point count (ucs2length), loaded only when a length is checked
          ucs2 ??= require('ajv/dist/runtime/ucs2length').default as (s: string) => number;
          const len = ucs2(d);
          if (k === 'minLength' ? len < v : len > v) r = INVALID;
        }
        break;
      case 'minItems':
        if (Array.isArray(d) && d.length < v) r = INVALID;
        break;
      case 'maxItems':
        if (Array.isArray(d) && d.length > v) r = INVALID;
        break;
      case 'minProperties':
        if (isObject(d) && Object.keys(d).length < v) r = INVALID;
        break;
      case 'maxProperties':
        if (isObject(d) && Object.keys(d).length > v) r = INVALID;
        break;
      case 'pattern':
        if (typeof d === 'string' && !patterns.get(v)!.test(d)) r = INVALID;
        break;
      case 'format':
        r = formats.get(v)!(d);
        break;
      case 'allOf':
        for (let j = 0; j < v.length && r !== INVALID; j++) {
          const c = check(v[j], d);
          if (c !== VALID) r = c;
        }
        break;
      case 'anyOf': {
        r = INVALID;
        for (let j = 0; j < v.length; j++) {
          const c = check(v[j], d);
          if (c === VALID) {
            r = VALID;
            break;
          }
          if (c === UNSURE) r = UNSURE;
        }
        break;
      }
      case 'oneOf': {
        let passed = 0;
        let doubt = false;
        for (let j = 0; j < v.length && passed < 2; j++) {
          const c = check(v[j], d);
          if (c === VALID) passed++;
          else if (c === UNSURE) doubt = true;
        }
        r = passed > 1 ? INVALID : doubt ? UNSURE : passed === 1 ? VALID : INVALID;
        break;
      }
      case 'not': {
        const c = check(v, d);
        r = c === VALID ? INVALID : c === INVALID ? VALID : UNSURE;
        break;
      }
    }
    if (r === INVALID) return INVALID;
    if (r === UNSURE) out = UNSURE;
  }
  return out;
}
