/**
 * Structural schema checks: what the API server does with a custom resource before CEL, including
 * kubectl's default strict field validation (unknown fields are rejected).
 *
 * Each CRD's openAPIV3Schema is converted to a JSON schema for ajv the first time its kind is seen,
 * and the compiled validator is cached per kind. A small interpreter of the same JSON schema
 * (schema-fast.ts) answers first: when it finds the object valid, ajv is not loaded at all; otherwise
 * ajv decides and words the findings.
 */
import { dns1035Label, dns1123Label, dns1123Subdomain } from '../rules/names';
import { labelKey, labelValue } from '../rules/labels';
import { unknownMetadataFields } from './core-fields';
import { RawFinding } from './report';
import { ajvFindings } from './report-ajv';
import { toJsonSchema, withEnvelope } from './schema-convert';
import { structuralVerdict, VALID } from './schema-fast';
import { crdSchema, isCrdGroup } from './schema-data';

type Validate = ((data: unknown) => boolean) & { errors?: any[] | null };

const compiled = new Map<string, Validate | null>();
let ajvInstance: any;

/**
 * Bump when toJsonSchema/dedupe/ajv options change: ahead-of-time validators carrying another version
 * are ignored (and the test that checks them fails until `node scripts/compile-validators.js` reruns).
 */
export const CONVERTER_VERSION = 2;

/** ajv options shared by lazy compilation and scripts/compile-validators.js. */
export const AJV_OPTIONS = { allErrors: true, verbose: true, strict: false, logger: false, validateFormats: true, code: { optimize: false } };

/** An ajv instance with the formats the CRDs use. `extra` options are for the ahead-of-time compiler. */
export function createAjv(extra: Record<string, any> = {}): any {
  const Ajv = require('ajv').default;
  const { FORMATS } = require('./formats') as typeof import('./formats');
  const a = new Ajv({ ...AJV_OPTIONS, ...extra, code: { ...AJV_OPTIONS.code, ...(extra.code ?? {}) } });
  for (const [name, def] of Object.entries(FORMATS)) a.addFormat(name, def as any);
  return a;
}

function ajv(): any {
  ajvInstance ??= createAjv();
  return ajvInstance;
}

export { toJsonSchema };

function validatorFor(apiVersion: string, kind: string): Validate | null {
  const key = `${apiVersion}/${kind}`;
  let v = compiled.get(key);
  if (v !== undefined) return v;
  const entry = crdSchema(apiVersion, kind);
  v = entry ? precompiled(key) ?? (ajv().compile(jsonSchemaFor(entry.schema)) as Validate) : null;
  compiled.set(key, v);
  return v;
}

/** The JSON schema ajv compiles for a CRD's openAPIV3Schema. */
export function jsonSchemaFor(openApiV3Schema: any): any {
  // metadata is checked by checkMetadata, loosely, as the API server does.
  return withEnvelope(dedupe(toJsonSchema(openApiV3Schema)));
}

/** File name of the ahead-of-time validator for `<group>/<version>/<Kind>`. */
export function precompiledFileName(key: string): string {
  return `${key.replace(/[^A-Za-z0-9]+/g, '_')}.js`;
}

let precompiledDir: string | null | undefined;

/**
 * Clears the compiled-validator cache; `aot: false` also ignores the ahead-of-time validators
 * (tests compare both paths).
 * @internal
 */
export function _resetSchemaCache(options: { aot?: boolean; fastPath?: boolean } = {}): void {
  compiled.clear();
  precompiledDir = options.aot === false ? null : undefined;
  fastPath = options.fastPath ?? true;
  _schemaFastPath.valid = 0;
}

let fastPath = true;

/**
 * How many objects the fast path (schema-fast.ts) found valid, so that ajv was not needed.
 * @internal
 */
export const _schemaFastPath = { valid: 0 };

/**
 * The ahead-of-time validator written by scripts/compile-validators.js for the kinds the library
 * emits (compiling the big Istio schemas costs ~0.3 s at first use; loading them costs ~20 ms).
 */
function precompiled(key: string): Validate | undefined {
  if (precompiledDir === undefined) {
    const fs = require('fs') as typeof import('fs');
    const path = require('path') as typeof import('path');
    // src/validation (ts-jest) and lib/src/validation (compiled) alike.
    precompiledDir = [path.join(__dirname, '..', '..', 'imports', 'schemas', 'validators'), path.join(__dirname, '..', '..', '..', 'imports', 'schemas', 'validators')].find((d) => fs.existsSync(d)) ?? null;
  }
  if (!precompiledDir) return undefined;
  const file = require('path').join(precompiledDir, precompiledFileName(key));
  try {
    const mod = require(file);
    if (mod.converterVersion !== CONVERTER_VERSION) return undefined;
    return mod.create(require('./formats').FORMATS) as Validate;
  } catch (e: any) {
    if (e?.code === 'MODULE_NOT_FOUND' && String(e.message).includes(file)) return undefined;
    throw e;
  }
}

/**
 * Replaces every large subtree that occurs more than once (a DestinationRule's trafficPolicy appears
 * at the top, in each subset and in portLevelSettings) by a `$ref` to one `$defs` entry, so ajv
 * generates and compiles its code once. This roughly halves compile time for the big Istio kinds.
 */
export function dedupe(root: any): any {
  const MIN = 800;
  const counts = new Map<string, number>();
  const key = new Map<any, string>();
  const measure = (n: any): string => {
    if (!n || typeof n !== 'object') return JSON.stringify(n);
    const parts = Array.isArray(n) ? n.map(measure) : Object.keys(n).map((k) => `${JSON.stringify(k)}:${measure(n[k])}`);
    const str = Array.isArray(n) ? `[${parts.join(',')}]` : `{${parts.join(',')}}`;
    key.set(n, str);
    if (!Array.isArray(n) && str.length >= MIN) counts.set(str, (counts.get(str) ?? 0) + 1);
    return str;
  };
  measure(root);
  const defs: Record<string, any> = {};
  const names = new Map<string, string>();
  const rewrite = (n: any, isRoot: boolean): any => {
    if (!n || typeof n !== 'object') return n;
    if (Array.isArray(n)) return n.map((x) => rewrite(x, false));
    const k = key.get(n)!;
    if (!isRoot && (counts.get(k) ?? 0) > 1) {
      let name = names.get(k);
      if (!name) {
        name = `d${names.size}`;
        names.set(k, name);
        defs[name] = rewriteChildren(n);
      }
      return { $ref: `#/$defs/${name}` };
    }
    return rewriteChildren(n);
  };
  const rewriteChildren = (n: any): any => {
    const out: any = {};
    for (const [k, v] of Object.entries(n)) {
      if (k === 'properties' || k === 'patternProperties') {
        out[k] = Object.fromEntries(Object.entries(v as object).map(([pk, pv]) => [pk, rewrite(pv, false)]));
      } else if (k === 'enum' || k === 'required' || k === 'const' || k === 'default' || k === 'example') {
        out[k] = v;
      } else out[k] = rewrite(v, false);
    }
    return out;
  };
  const out = rewrite(root, true);
  if (names.size) out.$defs = defs;
  return out;
}

/**
 * For the ahead-of-time validators: moves every `properties`/`items` subtree of at least `min`
 * characters (as JSON) that is reached from the root through `properties`, `items` and
 * `additionalProperties` only (never inside oneOf/anyOf/allOf/not) into its own `$defs` entry, so
 * ajv (with `inlineRefs: false`) writes it as a function of its own. V8 compiles a function on its
 * first call, so a fresh process then compiles only the parts of a kind's validator its objects reach
 * (a VirtualService with HTTP routes never compiles the TLS and TCP route checks). Same checks, same
 * errors apart from `schemaPath` (which findings use only to fold oneOf/anyOf branch errors, and no
 * moved subtree is inside a branch). Mutates and returns `root` (a fresh {@link jsonSchemaFor} result).
 */
export function splitLargeSubtrees(root: any, min = 400): any {
  const defs: Record<string, any> = root.$defs ?? {};
  let n = 0;
  const move = (node: any): any => {
    const visited = visit(node);
    if (!visited || typeof visited !== 'object' || visited.$ref || JSON.stringify(visited).length < min) return visited;
    const name = `s${n++}`;
    defs[name] = visited;
    return { $ref: `#/$defs/${name}` };
  };
  const visit = (node: any): any => {
    if (!node || typeof node !== 'object' || Array.isArray(node)) return node;
    if (node.properties) for (const k of Object.keys(node.properties)) node.properties[k] = move(node.properties[k]);
    if (node.items && typeof node.items === 'object' && !Array.isArray(node.items)) node.items = move(node.items);
    if (node.additionalProperties && typeof node.additionalProperties === 'object') node.additionalProperties = move(node.additionalProperties);
    return node;
  };
  visit(root);
  if (n > 0) root.$defs = defs;
  return root;
}

/** Whether the pinned CRDs define this apiVersion/kind. */
export function isKnownCrd(apiVersion: string, kind: string): boolean {
  return crdSchema(apiVersion, kind) !== undefined;
}

/** Number of kinds whose schema has been compiled so far (for stats). */
export function compiledSchemaCount(): number {
  return [...compiled.values()].filter((v) => v).length;
}

/** Checks metadata as the API server does: name required and a DNS subdomain, namespace a DNS label. */
export function checkMetadata(m: any): RawFinding[] {
  const out: RawFinding[] = [];
  const md = m.metadata;
  if (!md || typeof md !== 'object' || Array.isArray(md)) {
    return [{ code: 'CI1003', level: 'error', message: 'metadata: required field is missing' }];
  }
  // kubectl's strict field validation rejects unknown fields in metadata too, whatever the kind.
  out.push(...unknownMetadataFields(md));
  if (md.name !== undefined && md.name !== null && typeof md.name !== 'string') {
    // present but of the wrong type: say so, as the API server's decoder does, rather than "missing"
    out.push({ code: 'CI1003', level: 'error', message: `metadata.name: ${JSON.stringify(md.name)} is invalid: must be a string` });
  } else if (typeof md.name !== 'string' || md.name === '') {
    out.push({ code: 'CI1003', level: 'error', message: 'metadata.name: required field is missing' });
  } else if (md.name.length > 253 || dns1123Subdomain(md.name)) {
    out.push({ code: 'CI1003', level: 'error', message: `metadata.name: ${JSON.stringify(md.name)} is invalid: ${dns1123Subdomain(md.name) ?? 'too long'}` });
  } else if (m.apiVersion === 'v1' && m.kind === 'Service' && dns1035Label(md.name)) {
    out.push({ code: 'CI1003', level: 'error', message: `metadata.name: ${JSON.stringify(md.name)} is invalid: a Service name ${dns1035Label(md.name)}` });
  } else if (m.apiVersion === 'v1' && m.kind === 'Namespace' && dns1123Label(md.name)) {
    out.push({ code: 'CI1003', level: 'error', message: `metadata.name: ${JSON.stringify(md.name)} is invalid: a Namespace name ${dns1123Label(md.name)}` });
  }
  if (md.namespace !== undefined && (typeof md.namespace !== 'string' || dns1123Label(md.namespace))) {
    out.push({ code: 'CI1003', level: 'error', message: `metadata.namespace: ${JSON.stringify(md.namespace)} is invalid: must be a DNS-1123 label` });
  }
  for (const field of ['labels', 'annotations'] as const) {
    const map = md[field];
    if (map === undefined) continue;
    if (!map || typeof map !== 'object' || Array.isArray(map)) {
      out.push({ code: 'CI1003', level: 'error', message: `metadata.${field}: must be a map of strings` });
      continue;
    }
    for (const [k, v] of Object.entries(map)) {
      // The API server checks annotation keys lowercased (ValidateAnnotations), label keys as written.
      const badKey = labelKey(field === 'annotations' ? k.toLowerCase() : k);
      if (badKey) out.push({ code: 'CI1003', level: 'error', message: `metadata.${field}[${JSON.stringify(k)}]: invalid key: ${badKey}` });
      if (typeof v !== 'string') out.push({ code: 'CI1003', level: 'error', message: `metadata.${field}[${JSON.stringify(k)}]: value must be a string, got ${JSON.stringify(v)}` });
      else if (field === 'labels' && labelValue(v)) out.push({ code: 'CI1003', level: 'error', message: `metadata.labels[${JSON.stringify(k)}]: ${JSON.stringify(v)} is invalid: ${labelValue(v)}` });
    }
  }
  return out;
}

/**
 * The ahead-of-time validators are compiled without ajv's `verbose` (smaller code), so their errors
 * carry no `data`; findings name the value of an enum error, so it is looked up by `instancePath`.
 */
function withData(errors: readonly any[], root: unknown): any[] {
  return errors.map((e) => {
    if (e.keyword !== 'enum' || 'data' in e) return e;
    let x: any = root;
    for (const raw of String(e.instancePath).split('/').slice(1)) x = x?.[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
    return { ...e, data: x };
  });
}

/**
 * Structural check of one custom resource against its pinned CRD schema. Returns undefined when the
 * kind is not a pinned CRD (the caller decides what that means).
 */
export function checkSchema(m: any): RawFinding[] | undefined {
  // The fast path answers only "valid" (nothing to report); otherwise ajv decides and words the findings.
  if (fastPath) {
    const entry = crdSchema(m.apiVersion, m.kind);
    if (entry && structuralVerdict(entry.schema, m) === VALID) {
      _schemaFastPath.valid++;
      return [];
    }
  }
  const v = validatorFor(m.apiVersion, m.kind);
  if (!v) {
    if (typeof m.apiVersion === 'string' && isCrdGroup(m.apiVersion)) {
      return [{ code: 'CI1005', level: 'error', message: `apiVersion: ${JSON.stringify(m.apiVersion)} does not serve kind ${JSON.stringify(m.kind)} in the pinned CRDs` }];
    }
    return undefined;
  }
  if (v(m)) return [];
  return ajvFindings(withData(v.errors ?? [], m), 'CI1001', 'CI1002');
}

