#!/usr/bin/env node
/**
 * Splits the CRD schema files imports/schemas/<source>.json (written by scripts/import.js, which runs
 * this at its end) into one file per distinct schema, imports/schemas/kinds/<group>_<version>_<Kind>.json,
 * plus imports/schemas/kinds/index.json ({ "<group>/<version>/<Kind>": "<file>" }), so validation reads
 * only the schemas of the kinds it checks instead of parsing every pinned CRD (the examples' 14 kinds
 * read ~190 of ~440 kB). Served versions whose entry is identical (Istio serves v1, v1beta1 and
 * v1alpha3 of most kinds with one schema) share the file of the first key in sorted order.
 *
 *   node scripts/schema-split.js
 *
 * The source files stay the one source (src/validation/schema-data.ts reads only the split files);
 * test/validation/schema-split.test.ts checks that the committed files equal a fresh split.
 */
'use strict';
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const SCHEMAS = path.join(ROOT, 'imports', 'schemas');

/** The file name of a `<group>/<version>/<Kind>` key (as the ahead-of-time validators are named). */
function fileName(key) {
  return `${key.replace(/[^A-Za-z0-9]+/g, '_')}.json`;
}

/**
 * The split of the sources `index` lists (imports/schemas/index.json, parsed), read with
 * `read(source)`: { '<file name>': <JSON text> }, index.json included.
 */
function splitSchemas(index, read) {
  const entries = new Map();
  for (const source of Object.keys(index)) {
    for (const [key, entry] of Object.entries(read(source))) entries.set(key, JSON.stringify(entry));
  }
  const files = {};
  const byText = new Map();
  const keys = {};
  for (const key of [...entries.keys()].sort()) {
    const text = entries.get(key);
    let file = byText.get(text);
    if (file === undefined) {
      file = fileName(key);
      if (files[file] !== undefined) throw new Error(`${key}: file name ${file} already taken`);
      byText.set(text, file);
      files[file] = `${text}\n`;
    }
    keys[key] = file;
  }
  files['index.json'] = `${JSON.stringify(keys, null, 1)}\n`;
  return files;
}

function main() {
  const index = JSON.parse(fs.readFileSync(path.join(SCHEMAS, 'index.json'), 'utf8'));
  const files = splitSchemas(index, (s) => JSON.parse(fs.readFileSync(path.join(SCHEMAS, `${s}.json`), 'utf8')));
  const outDir = path.join(SCHEMAS, 'kinds');
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(outDir, name), text);
  const bytes = Object.values(files).reduce((n, t) => n + t.length, 0);
  console.log(`imports/schemas/kinds: ${Object.keys(files).length - 1} schema files for ${Object.keys(JSON.parse(files['index.json'])).length} kinds, ${Math.round(bytes / 1024)} kB`);
}

module.exports = { splitSchemas, fileName };
if (require.main === module) main();
