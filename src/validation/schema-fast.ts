/**
 * A fast path for the structural schema check: a small interpreter of the JSON schema that
 * {@link jsonSchemaFor} gives ajv, built one node at a time from the CRD's openAPIV3Schema (with the
 * same conversion, schema-convert.ts) the first time a value reaches the node. Loading the
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

type Check = (d: any) => Verdict;

const unsure: Check = () => UNSURE;
const valid: Check = () => VALID;

/** Keywords ajv ignores here: annotations (`default` is only used with ajv's `useDefaults`). */
const IGNORED = new Set(['default', 'description', 'title']);
const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'null', 'array', 'object']);

const roots = new WeakMap<object, Check>();
const hasOwn = Object.prototype.hasOwnProperty;
let ucs2: ((s: string) => number) | undefined;

/**
 * The verdict for a custom resource against its CRD's openAPIV3Schema (as `crdSchema` gives it),
 * that is against `jsonSchemaFor(openApiV3Schema)`.
 */
export function structuralVerdict(openApiV3Schema: any, data: unknown): Verdict {
  if (!openApiV3Schema || typeof openApiV3Schema !== 'object' || Array.isArray(openApiV3Schema)) return UNSURE;
  let check = roots.get(openApiV3Schema);
  if (!check) {
    try {
      check = compileConverted(withEnvelope(convertNode(openApiV3Schema)));
    } catch {
      check = unsure;
    }
    roots.set(openApiV3Schema, check);
  }
  return check(data);
}

/**
 * The check of one raw (structural) schema node, compiled the first time a value reaches it (each
 * node has one parent: the schema is a tree).
 */
function lazy(raw: any): Check {
  let check: Check | undefined;
  return (d) => (check ??= compileRaw(raw))(d);
}

function compileRaw(raw: any): Check {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return unsure;
  try {
    return compileConverted(convertNode(raw));
  } catch {
    // a node the converter cannot read: ajv's path meets the same node and reports (or throws) as before
    return unsure;
  }
}

const isObject = (d: any): boolean => !!d && typeof d === 'object' && !Array.isArray(d);

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

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0;

/**
 * Compiles one converted node (its sub-schemas still raw). Any keyword or keyword value outside what
 * is implemented makes the whole node {@link UNSURE}.
 */
function compileConverted(s: any): Check {
  const checks: Check[] = [];
  for (const k of Object.keys(s)) {
    const v = s[k];
    let c: Check | undefined;
    switch (k) {
      case 'type': {
        const types: unknown[] = typeof v === 'string' ? [v] : Array.isArray(v) ? v : [];
        if (!types.length || !types.every((t) => typeof t === 'string' && TYPES.has(t))) return unsure;
        if (types.length === 1) {
          const t = types[0] as string;
          c = t === 'object' || t === 'integer' || t === 'number' || t === 'null' || t === 'array' ? (d) => (isType(t, d) ? VALID : INVALID) : (d) => (typeof d === t ? VALID : INVALID);
        } else {
          c = (d) => (types.some((t) => isType(t as string, d)) ? VALID : INVALID);
        }
        break;
      }
      case 'enum': {
        if (!Array.isArray(v) || !v.length || v.some((x) => x !== null && typeof x === 'object')) return unsure;
        // primitive values only: ajv compares them with ===
        c = (d) => {
          for (let i = 0; i < v.length; i++) if (d === v[i]) return VALID;
          return INVALID;
        };
        break;
      }
      case 'required': {
        if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) return unsure;
        c = (d) => {
          if (!isObject(d)) return VALID;
          for (let i = 0; i < v.length; i++) if (d[v[i]] === undefined) return INVALID;
          return VALID;
        };
        break;
      }
      case 'properties': {
        if (!isObject(v) || hasOwn.call(v, '__proto__')) return unsure;
        const names = Object.keys(v);
        const checks = names.map((p) => lazy(v[p]));
        c = (d) => {
          if (!isObject(d)) return VALID;
          let out: Verdict = VALID;
          for (let i = 0; i < names.length; i++) {
            const x = d[names[i]];
            if (x === undefined) continue;
            const r = checks[i](x);
            if (r === INVALID) return INVALID;
            if (r === UNSURE) out = UNSURE;
          }
          return out;
        };
        break;
      }
      case 'additionalProperties': {
        const props = s.properties;
        if (props !== undefined && (!isObject(props) || hasOwn.call(props, '__proto__'))) return unsure;
        if (s.patternProperties !== undefined) return unsure;
        if (v === true) break;
        const known = (key: string): boolean => props !== undefined && hasOwn.call(props, key);
        if (v === false) {
          c = (d) => {
            if (!isObject(d)) return VALID;
            for (const key in d) if (!known(key)) return INVALID;
            return VALID;
          };
        } else if (isObject(v)) {
          const check = lazy(v);
          c = (d) => {
            if (!isObject(d)) return VALID;
            let out: Verdict = VALID;
            for (const key in d) {
              if (known(key)) continue;
              const r = check(d[key]);
              if (r === INVALID) return INVALID;
              if (r === UNSURE) out = UNSURE;
            }
            return out;
          };
        } else return unsure;
        break;
      }
      case 'items': {
        if (!isObject(v)) return unsure;
        const check = lazy(v);
        c = (d) => {
          if (!Array.isArray(d)) return VALID;
          let out: Verdict = VALID;
          for (let i = 0; i < d.length; i++) {
            const r = check(d[i]);
            if (r === INVALID) return INVALID;
            if (r === UNSURE) out = UNSURE;
          }
          return out;
        };
        break;
      }
      case 'minimum':
      case 'maximum': {
        if (typeof v !== 'number') return unsure;
        const min = k === 'minimum';
        // ajv: `data < limit || isNaN(data)` fails (limitNumber.ts)
        c = (d) => (typeof d !== 'number' ? VALID : (min ? d < v : d > v) || isNaN(d) ? INVALID : VALID);
        break;
      }
      case 'minLength':
      case 'maxLength': {
        if (!isCount(v)) return unsure;
        const min = k === 'minLength';
        c = (d) => {
          if (typeof d !== 'string') return VALID;
          // ajv's own code-point count (ucs2length), loaded only when a length is checked
          ucs2 ??= require('ajv/dist/runtime/ucs2length').default as (s: string) => number;
          const n = ucs2(d);
          return (min ? n < v : n > v) ? INVALID : VALID;
        };
        break;
      }
      case 'minItems':
      case 'maxItems': {
        if (!isCount(v)) return unsure;
        const min = k === 'minItems';
        c = (d) => (!Array.isArray(d) ? VALID : (min ? d.length < v : d.length > v) ? INVALID : VALID);
        break;
      }
      case 'minProperties':
      case 'maxProperties': {
        if (!isCount(v)) return unsure;
        const min = k === 'minProperties';
        c = (d) => {
          if (!isObject(d)) return VALID;
          const n = Object.keys(d).length;
          return (min ? n < v : n > v) ? INVALID : VALID;
        };
        break;
      }
      case 'pattern': {
        if (typeof v !== 'string') return unsure;
        let re: RegExp;
        try {
          re = new RegExp(v, 'u');
        } catch {
          return unsure;
        }
        c = (d) => (typeof d !== 'string' ? VALID : re.test(d) ? VALID : INVALID);
        break;
      }
      case 'format': {
        c = formatCheck(v);
        if (!c) return unsure;
        break;
      }
      case 'allOf':
      case 'anyOf':
      case 'oneOf': {
        if (!Array.isArray(v) || !v.length) return unsure;
        const branches = v.map(lazy);
        c = k === 'allOf' ? allOf(branches) : k === 'anyOf' ? anyOf(branches) : oneOf(branches);
        break;
      }
      case 'not': {
        if (!isObject(v)) return unsure;
        const check = lazy(v);
        c = (d) => {
          const r = check(d);
          return r === VALID ? INVALID : r === INVALID ? VALID : UNSURE;
        };
        break;
      }
      default:
        if (!IGNORED.has(k)) return unsure;
    }
    if (c) checks.push(c);
  }
  if (!checks.length) return valid;
  if (checks.length === 1) {
    const only = checks[0];
    return (d) => (d === undefined ? UNSURE : only(d));
  }
  return (d) => {
    if (d === undefined) return UNSURE;
    let out: Verdict = VALID;
    for (let i = 0; i < checks.length; i++) {
      const r = checks[i](d);
      if (r === INVALID) return INVALID;
      if (r === UNSURE) out = UNSURE;
    }
    return out;
  };
}

/** ajv's `format` keyword (format.ts) with the definitions it is given: {@link FORMATS}. */
function formatCheck(name: unknown): Check | undefined {
  if (typeof name !== 'string' || !hasOwn.call(FORMATS, name)) return undefined;
  const def: any = FORMATS[name];
  if (def === true) return valid;
  let type: string;
  let test: ((d: any) => unknown) | undefined;
  if (def instanceof RegExp) {
    type = 'string';
    test = (d) => def.test(d);
  } else if (typeof def === 'function') {
    type = 'string';
    test = def;
  } else if (def && typeof def === 'object') {
    type = def.type || 'string';
    const f = def.validate;
    if (f instanceof RegExp) test = (d) => f.test(d);
    else if (typeof f === 'function') test = f;
    if (def.async) return undefined;
  } else return undefined;
  if (!test || (type !== 'string' && type !== 'number')) return undefined;
  const t = test;
  return (d) => (typeof d !== type ? VALID : t(d) ? VALID : INVALID);
}

function allOf(branches: Check[]): Check {
  return (d) => {
    let out: Verdict = VALID;
    for (let i = 0; i < branches.length; i++) {
      const r = branches[i](d);
      if (r === INVALID) return INVALID;
      if (r === UNSURE) out = UNSURE;
    }
    return out;
  };
}

function anyOf(branches: Check[]): Check {
  return (d) => {
    let out: Verdict = INVALID;
    for (let i = 0; i < branches.length; i++) {
      const r = branches[i](d);
      if (r === VALID) return VALID;
      if (r === UNSURE) out = UNSURE;
    }
    return out;
  };
}

function oneOf(branches: Check[]): Check {
  return (d) => {
    let passed = 0;
    let doubt = false;
    for (let i = 0; i < branches.length; i++) {
      const r = branches[i](d);
      if (r === VALID) passed++;
      else if (r === UNSURE) doubt = true;
      if (passed > 1) return INVALID;
    }
    return doubt ? UNSURE : passed === 1 ? VALID : INVALID;
  };
}
