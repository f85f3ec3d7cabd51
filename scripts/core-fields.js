#!/usr/bin/env node
/**
 * Generates imports/schemas/k8s-core-fields.json: for every Kubernetes type reachable from the core kinds
 * the validation layer checks (and ObjectMeta), the field names it has and the type of each field.
 * The validation layer walks manifests with it to reject unknown fields as kubectl's strict field
 * validation (the default since kubectl 1.27) does; Kubernetes' OpenAPI schemas allow them.
 *
 * Source: the TypeScript declarations of `kubernetes-models` (generated from Kubernetes' OpenAPI
 * spec), read with the TypeScript compiler API. Usage: node scripts/core-fields.js
 *
 * Output format (compact): { "roots": { "<apiVersion>/<Kind>": "<type>" }, "types": { "<type>":
 * { "<field>": "<ref>" } } } where a ref is a type name, "[ref]" (array), "{ref}" (map) or "" (scalar).
 */
const fs = require('fs');
const path = require('path');
const ts = require('typescript');

const NM = path.join(__dirname, '..', 'node_modules');
const ROOTS = {
  'apps/v1/Deployment': 'kubernetes-models/apps/v1/Deployment',
  'v1/Service': 'kubernetes-models/v1/Service',
  'v1/ServiceAccount': 'kubernetes-models/v1/ServiceAccount',
  'v1/Namespace': 'kubernetes-models/v1/Namespace',
  'v1/ConfigMap': 'kubernetes-models/v1/ConfigMap',
  'v1/Secret': 'kubernetes-models/v1/Secret',
  'autoscaling/v2/HorizontalPodAutoscaler': 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler',
  'policy/v1/PodDisruptionBudget': 'kubernetes-models/policy/v1/PodDisruptionBudget',
  'meta/v1/ObjectMeta': '@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta',
};

const types = {};
const parsed = new Map();

/** Parses one .d.ts: its imports (local name → module) and its exported interface's fields. */
function parse(mod) {
  if (parsed.has(mod)) return parsed.get(mod);
  const file = path.join(NM, `${mod}.d.ts`);
  const sf = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2020, true);
  const imports = {};
  let iface;
  let alias;
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st) && st.importClause?.namedBindings && ts.isNamedImports(st.importClause.namedBindings)) {
      const spec = st.moduleSpecifier.text;
      const target = spec.startsWith('.') ? path.posix.join(path.posix.dirname(mod), spec) : spec;
      for (const el of st.importClause.namedBindings.elements) imports[el.name.text] = target;
    } else if (ts.isInterfaceDeclaration(st) && !iface) iface = st;
    else if (ts.isTypeAliasDeclaration(st) && !alias) alias = st;
  }
  const out = { imports, iface, alias, sf };
  parsed.set(mod, out);
  return out;
}

/** A type name for a module: its path, shortened. */
function nameOf(mod) {
  return mod.replace(/^kubernetes-models\//, '').replace(/^@kubernetes-models\/apimachinery\//, 'meta:');
}

/** The ref of a type node. */
function refOf(node, ctx) {
  if (!node) return '';
  if (ts.isArrayTypeNode(node)) return `[${refOf(node.elementType, ctx)}]`;
  if (ts.isTypeReferenceNode(node)) {
    const n = node.typeName.getText(ctx.sf);
    if (n === 'Array' && node.typeArguments) return `[${refOf(node.typeArguments[0], ctx)}]`;
    const mod = ctx.imports[n];
    if (!mod) return '';
    return visit(mod);
  }
  if (ts.isTypeLiteralNode(node)) {
    const idx = node.members.find((m) => ts.isIndexSignatureDeclaration(m));
    if (idx) return `{${refOf(idx.type, ctx)}}`;
  }
  return '';
}

/** Records a module's interface as a type; returns its name ('' for scalars and aliases). */
function visit(mod) {
  const name = nameOf(mod);
  if (types[name] !== undefined) return name;
  const p = parse(mod);
  if (!p.iface) {
    // Type aliases (IntOrString, Quantity, Time, ...) are scalars here; JSON / RawExtension are free-form.
    return p.alias && /JSON|RawExtension/.test(p.alias.name.text) ? '*' : '';
  }
  const fields = {};
  types[name] = fields;
  for (const m of p.iface.members) {
    if (!ts.isPropertySignature(m)) continue;
    const field = m.name.getText(p.sf).replace(/^"|"$/g, '');
    fields[field] = refOf(m.type, p);
  }
  return name;
}

const roots = {};
for (const [key, mod] of Object.entries(ROOTS)) roots[key] = visit(mod);
const out = path.join(__dirname, '..', 'imports', 'schemas', 'k8s-core-fields.json');
const version = require(path.join(NM, 'kubernetes-models', 'package.json')).version;
fs.writeFileSync(out, JSON.stringify({ source: `kubernetes-models ${version}`, roots, types }) + '\n');
console.log(`${out}: ${Object.keys(types).length} types, ${fs.statSync(out).size} bytes`);
