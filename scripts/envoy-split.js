#!/usr/bin/env node
/**
 * Splits imports/schemas/envoy-api.json (written by scripts/envoy-descriptors.js, which runs this at
 * its end) into one file per Envoy API package, imports/schemas/envoy/<package>.json, plus
 * imports/schemas/envoy/index.json ({ source, applyTo }), so that checking an EnvoyFilter reads only
 * the packages its patch values reach (a HTTP_FILTER patch with a local rate limit reads 7 of 450
 * packages, ~82 of 474 kB) instead of parsing the whole Envoy API.
 *
 *   npx tsc --build tsconfig.json && node scripts/envoy-split.js
 *
 * envoy-api.json stays the one source (it is not shipped: src/validation/envoy.ts reads only the
 * split files); test/validation/envoy-split.test.ts checks that the committed files equal a fresh
 * split and that they hold exactly the whole file's messages and enums.
 *
 * A package file is { m: { <message>: [fields, oneofs?, flags?] }, e: { <enum>: { <NAME>: number } } }
 * with the whole file's entries, except that a field's message reference is the message's full name
 * instead of its index in `names`. Which package a type is in is envoyPackage() of
 * src/validation/envoy.ts (the compiled one by default; the test passes the sources').
 */
'use strict';
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');

/**
 * The split of `api` (the parsed envoy-api.json): { '<file name>': <JSON text> }, index.json included.
 * `envoyPackage(name)` names a type's package file.
 */
function splitEnvoyApi(api, envoyPackage = require(path.join(ROOT, 'lib', 'src', 'validation', 'envoy.js')).envoyPackage) {
  const packages = new Map();
  const put = (name) => {
    const p = envoyPackage(name);
    if (p === undefined) throw new Error(`${name}: no package file name for this type`);
    if (!packages.has(p)) packages.set(p, { m: {}, e: {} });
    return packages.get(p);
  };
  api.names.forEach((name, i) => {
    const [fields, ...rest] = api.m[i];
    const byName = fields.map((f) => {
      const g = [...f];
      // message references by full name: a package file is read on its own
      if (f[2] === 11 && typeof f[3] === 'number') g[3] = api.names[f[3]];
      return g;
    });
    put(name).m[name] = [byName, ...rest];
  });
  for (const [name, values] of Object.entries(api.e)) put(name).e[name] = values;
  const files = { 'index.json': JSON.stringify({ source: api.source, applyTo: api.applyTo }) + '\n' };
  for (const p of [...packages.keys()].sort()) files[`${p}.json`] = JSON.stringify(packages.get(p)) + '\n';
  return files;
}

function main() {
  const lib = path.join(ROOT, 'lib', 'src', 'validation', 'envoy.js');
  if (!fs.existsSync(lib)) throw new Error('build first: npx tsc --build tsconfig.json');
  const api = JSON.parse(fs.readFileSync(path.join(ROOT, 'imports', 'schemas', 'envoy-api.json'), 'utf8'));
  const files = splitEnvoyApi(api);
  const outDir = path.join(ROOT, 'imports', 'schemas', 'envoy');
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  let bytes = 0;
  for (const [name, text] of Object.entries(files)) {
    fs.writeFileSync(path.join(outDir, name), text);
    bytes += text.length;
  }
  console.log(`${outDir}: ${Object.keys(files).length - 1} packages, ${(bytes / 1024).toFixed(0)} kB`);
}

module.exports = { splitEnvoyApi, main };
if (require.main === module) main();
