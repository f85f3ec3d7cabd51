import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { SRC, sourceFiles } from './src-files';

/**
 * The layering of src/ (docs/architecture.md, "Layers"), checked on every `npm test`:
 *
 *   constructs (src/*.ts, cli/)  →  values/  →  model/  →  render/  →  manifests
 *                                                            validation/, simulator/ (over manifests)
 *   rules/, private/, synth/: shared helpers every layer may use
 *
 * - the lower layers (model/, render/, validation/, simulator/, rules/, synth/, private/, values/)
 *   import no construct file (a top-level src/*.ts), type-only imports included;
 * - model/ imports no renderer, validator or simulator; render/ imports no validator or simulator;
 * - validation/ and simulator/ import no renderer and no model;
 * - there is no import cycle anywhere in src/, type-only imports included.
 *
 * Imports are read with the TypeScript compiler's own pre-processor (import, import type,
 * export ... from, require and dynamic import), so nothing escapes by syntax.
 */


/** The src/ files one file imports (relative imports only; packages are not layers). */
function importsOf(file: string, all: ReadonlySet<string>): string[] {
  const text = fs.readFileSync(path.join(SRC, file), 'utf8');
  const info = ts.preProcessFile(text, true, true);
  const out = new Set<string>();
  for (const ref of info.importedFiles) {
    if (!ref.fileName.startsWith('.')) continue;
    const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), ref.fileName));
    const target = [`${base}.ts`, `${base}/index.ts`].find((f) => all.has(f));
    if (target) out.add(target);
  }
  return [...out].sort();
}

/** The layer a src/ file belongs to: its top folder, or 'construct' for a top-level file. */
function layerOf(file: string): string {
  return file.includes('/') ? file.slice(0, file.indexOf('/')) : 'construct';
}

/** What each lower layer must not import. */
const FORBIDDEN: { readonly [layer: string]: readonly string[] } = {
  model: ['construct', 'cli', 'values', 'render', 'validation', 'simulator'],
  render: ['construct', 'cli', 'values', 'validation', 'simulator'],
  validation: ['construct', 'cli', 'values', 'render', 'model'],
  simulator: ['construct', 'cli', 'values', 'render', 'model'],
  rules: ['construct', 'cli', 'values', 'render', 'model', 'validation', 'simulator'],
  synth: ['construct', 'cli', 'values', 'render', 'model', 'validation', 'simulator'],
  private: ['construct', 'cli', 'values', 'render', 'model', 'validation', 'simulator'],
  values: ['construct', 'cli', 'render', 'validation', 'simulator'],
};

function graph(): Map<string, string[]> {
  const files = sourceFiles();
  const all = new Set(files);
  return new Map(files.map((f) => [f, importsOf(f, all)]));
}

/** Every `a → b` edge that breaks a layer rule. */
function layerViolations(g: Map<string, string[]>): string[] {
  const out: string[] = [];
  for (const [file, deps] of g) {
    const forbidden = FORBIDDEN[layerOf(file)] ?? [];
    for (const dep of deps) {
      if (forbidden.includes(layerOf(dep))) out.push(`${file} → ${dep}`);
    }
  }
  return out;
}

/** One cycle per strongly connected component, as a chain `a → b → … → a`. */
function cycles(g: Map<string, string[]>): string[] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of g.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, idx.get(w)!));
      }
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      const selfLoop = (g.get(v) ?? []).includes(v);
      if (comp.length > 1 || selfLoop) components.push(comp);
    }
  };
  for (const v of g.keys()) if (!idx.has(v)) visit(v);
  // Name each component by one concrete cycle through its smallest file (breadth-first, shortest).
  return components.map((comp) => {
    const members = new Set(comp);
    const start = [...comp].sort()[0];
    const prev = new Map<string, string>();
    const queue = [start];
    const seen = new Set([start]);
    let end: string | undefined;
    while (queue.length > 0 && !end) {
      const v = queue.shift()!;
      for (const w of g.get(v) ?? []) {
        if (!members.has(w)) continue;
        if (w === start) {
          end = v;
          break;
        }
        if (!seen.has(w)) {
          seen.add(w);
          prev.set(w, v);
          queue.push(w);
        }
      }
    }
    const chain = [start];
    for (let v = end!; v !== start; v = prev.get(v)!) chain.splice(1, 0, v);
    return `${[...chain, start].join(' → ')} (${comp.length} files in the cycle)`;
  }).sort();
}

describe('layers of src/', () => {
  const g = graph();

  test('the import reader sees type-only imports, re-exports and requires', () => {
    // GIVEN a file with every import form
    const text = "import type { A } from './a';\nexport { B } from './b';\nconst c = require('./c');\nimport('./d');\nimport * as e from 'pkg';";
    // WHEN it is pre-processed
    const names = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
    // THEN every relative import is seen
    expect(names).toEqual(expect.arrayContaining(['./a', './b', './c', './d', 'pkg']));
  });

  test('the checks find a known violation and a known cycle when they exist', () => {
    // GIVEN a made-up graph with a render → construct import and a two-file cycle
    const fake = new Map<string, string[]>([
      ['render/x.ts', ['traced-service.ts']],
      ['traced-service.ts', ['service-security.ts']],
      ['service-security.ts', ['traced-service.ts']],
    ]);
    // THEN both are reported, the cycle as a chain
    expect(layerViolations(fake)).toEqual(['render/x.ts → traced-service.ts']);
    expect(cycles(fake)).toEqual(['service-security.ts → traced-service.ts → service-security.ts (2 files in the cycle)']);
  });

  test('lower layers import no construct file and respect the layer order', () => {
    expect(layerViolations(g)).toEqual([]);
  });

  test('there is no import cycle in src/ (type-only imports included)', () => {
    expect(cycles(g)).toEqual([]);
  });
});
