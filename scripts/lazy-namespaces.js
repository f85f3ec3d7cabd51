#!/usr/bin/env node
/**
 * Makes the escape-hatch namespaces of the compiled entry point (`lib/src/index.js`: `networking`,
 * `security`, …, the classes `cdk8s import` generated, 1.4 MB of JavaScript) load on first use
 * instead of when the library is required. TypeScript emits `export * as x from '../imports/…'` as
 * an eager `exports.x = __importStar(require(…))`, and cannot express a lazy namespace export with
 * its types (TS2323), so this step, run after every compile, rewrites exactly those lines into a
 * cached getter. The declarations (`index.d.ts`) are unchanged. The name is also assigned first, so
 * Node's ESM loader still finds the named export (cjs-module-lexer reads assignments).
 * Idempotent; fails when the entry point has none of the expected lines (a test checks the list).
 *
 *   node scripts/lazy-namespaces.js [lib/src/index.js]
 */
'use strict';
const fs = require('fs');
const path = require('path');

const file = path.resolve(process.argv[2] || path.join(__dirname, '..', 'lib', 'src', 'index.js'));
const eager = /^exports\.(\w+) = __importStar\(require\("(\.\.\/imports\/[^"]+)"\)\);$/;
const source = fs.readFileSync(file, 'utf8');
let rewritten = 0;
let already = 0;
const lines = source.split('\n').map((line) => {
  if (line.startsWith('/* lazy namespace */ exports.')) already += 1;
  const m = eager.exec(line);
  if (!m) return line;
  rewritten += 1;
  const [, name, spec] = m;
  return `/* lazy namespace */ exports.${name} = void 0; lazyNamespace(${JSON.stringify(name)}, () => require(${JSON.stringify(spec)}));`;
});
// a function declaration is hoisted: the rewritten lines can call it wherever they are
const helper = [
  '/* lazy namespace */ function lazyNamespace(name, load) {',
  '    let value;',
  '    Object.defineProperty(exports, name, { enumerable: true, configurable: true, get: () => (value !== null && value !== void 0 ? value : (value = __importStar(load()))) });',
  '}',
];
if (rewritten > 0) lines.push(...helper);
if (rewritten === 0 && already === 0) {
  console.error(`lazy-namespaces: no namespace export of ../imports/* found in ${file}`);
  process.exit(1);
}
if (rewritten > 0) fs.writeFileSync(file, lines.join('\n'));
