#!/usr/bin/env node
/**
 * Regenerates imports/ from the pinned CRD files, offline.
 *
 *   node scripts/import.js [--crds DIR]
 *
 * DIR defaults to ../shared/crds (a local copy of the public release files named in cdk8s.yaml).
 * For each source it writes:
 *   - imports/<group>.ts: the classes `cdk8s import` generates;
 *   - imports/schemas/<source>.json: each served version's openAPIV3Schema (with its
 *     x-kubernetes-validations CEL rules), keyed by "<apiVersion>/<Kind>", for the validation layer.
 *
 * The CRD files are parsed with js-yaml, which (like kubectl) accepts the loosely indented quoted
 * scalars in Flagger's crd.yaml that `cdk8s import`'s strict parser rejects, and re-emitted as JSON.
 */
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const jsyaml = require('js-yaml');

const SOURCES = [
  { id: 'istio', file: 'istio-1.30.3-crd-all.gen.yaml', url: 'https://raw.githubusercontent.com/istio/istio/1.30.3/manifests/charts/base/files/crd-all.gen.yaml' },
  { id: 'gateway-api', file: 'gateway-api-v1.5.1-standard.yaml', url: 'https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/standard-install.yaml' },
  { id: 'flagger', file: 'flagger-v1.44.0-crd.yaml', url: 'https://raw.githubusercontent.com/fluxcd/flagger/v1.44.0/artifacts/flagger/crd.yaml' },
  { id: 'cert-manager', file: 'cert-manager-v1.21.1-crds.yaml', url: 'https://github.com/cert-manager/cert-manager/releases/download/v1.21.1/cert-manager.crds.yaml' },
];

function main() {
  const args = process.argv.slice(2);
  const i = args.indexOf('--crds');
  const root = path.resolve(__dirname, '..');
  const crdDir = path.resolve(root, i >= 0 ? args[i + 1] : '../shared/crds');
  const outDir = path.join(root, 'imports');
  const schemaDir = path.join(outDir, 'schemas');
  fs.mkdirSync(schemaDir, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-import-'));
  const cli = path.join(root, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s');
  const index = {};
  for (const src of SOURCES) {
    const file = path.join(crdDir, src.file);
    if (!fs.existsSync(file)) {
      throw new Error(`missing ${file}: download ${src.url} there, or pass --crds DIR`);
    }
    const docs = jsyaml.loadAll(fs.readFileSync(file, 'utf8')).filter((d) => d && d.kind === 'CustomResourceDefinition');
    const normalized = path.join(tmp, `${src.id}.json`);
    // cdk8s import reads JSON as YAML, one document per CRD is not needed: a List works.
    fs.writeFileSync(normalized, docs.map((d) => JSON.stringify(d)).join('\n---\n'));
    execFileSync(process.execPath, [cli, 'import', normalized, '-l', 'typescript', '-o', outDir, '--no-check-upgrade'], {
      // run outside the project: `cdk8s import` records what it imported in ./cdk8s.yaml
      cwd: tmp,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
    });
    const schemas = {};
    for (const crd of docs) {
      const { group, names, scope } = crd.spec;
      for (const v of crd.spec.versions) {
        if (!v.served) continue;
        schemas[`${group}/${v.name}/${names.kind}`] = { scope, schema: stripDescriptions(v.schema.openAPIV3Schema) };
      }
    }
    const sorted = Object.fromEntries(Object.keys(schemas).sort().map((k) => [k, schemas[k]]));
    fs.writeFileSync(path.join(schemaDir, `${src.id}.json`), JSON.stringify(sorted));
    index[src.id] = { source: src.url, kinds: Object.keys(sorted) };
    console.log(`${src.id}: ${docs.length} CRDs, ${Object.keys(sorted).length} served kinds`);
  }
  fs.writeFileSync(path.join(schemaDir, 'index.json'), JSON.stringify(index, null, 2) + '\n');
  fs.rmSync(tmp, { recursive: true, force: true });
  // One file per distinct schema, which is what validation reads (schema-split.js).
  execFileSync(process.execPath, [path.join(__dirname, 'schema-split.js')], { stdio: 'inherit' });
  // Ahead-of-time ajv validators for the emitted kinds (the validation layer); needs lib/ built.
  if (fs.existsSync(path.join(root, 'lib', 'src', 'validation', 'schema.js'))) require('./compile-validators').main();
  else console.log('lib/ not built: run `npx tsc --build tsconfig.json && node scripts/compile-validators.js` to refresh imports/schemas/validators');
}

/** Descriptions are documentation only; dropping them keeps the schema data small and quick to load. */
function stripDescriptions(node) {
  if (Array.isArray(node)) return node.map(stripDescriptions);
  if (node && typeof node === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === 'description' && typeof v === 'string') continue;
      out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v).map(([pk, pv]) => [pk, stripDescriptions(pv)])) : stripDescriptions(v);
    }
    return out;
  }
  return node;
}

main();
