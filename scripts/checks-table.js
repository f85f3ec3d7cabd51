#!/usr/bin/env node
/**
 * Rewrites the check-code table of docs/validation.md (the one list of checks; README links to it) from CHECKS
 * (src/validation/codes.ts), so the docs list every code with its level and source.
 * Usage: node scripts/checks-table.js   (needs ts-node, a devDependency)
 */
const fs = require('fs');
const path = require('path');
require('ts-node').register({ transpileOnly: true, compilerOptions: { module: 'CommonJS' } });
const { CHECKS } = require('../src/validation/codes');

const HEADER = '| code | level | what it checks | source |';
const rows = CHECKS.map((c) => `| \`${c.code}\` | ${c.level} | ${c.title} | ${c.source} |`);
for (const file of ['docs/validation.md']) {
  const p = path.join(__dirname, '..', file);
  const lines = fs.readFileSync(p, 'utf8').split('\n');
  const start = lines.indexOf(HEADER);
  if (start < 0) throw new Error(`${file}: no checks table`);
  let end = start + 2;
  while (end < lines.length && lines[end].startsWith('| `')) end++;
  lines.splice(start + 2, end - start - 2, ...rows);
  fs.writeFileSync(p, lines.join('\n'));
  console.log(`${file}: ${rows.length} rows`);
}
