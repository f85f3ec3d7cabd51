import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/**
 * docs/extending.md is real code: its `// file:` blocks are transpiled and run here against this
 * package's sources (fast); test/consumer/ type-checks and runs them against the packed tarball.
 */
const DOC = path.join(__dirname, '..', 'docs', 'extending.md');

/** The `// file: <path>` code blocks of a markdown file, by path. */
export function fileBlocks(markdown: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of markdown.matchAll(/```ts\n\/\/ file: (\S+)\n([\s\S]*?)```/g)) out.set(m[1], m[2]);
  return out;
}

describe('docs/extending.md', () => {
  const blocks = fileBlocks(fs.readFileSync(DOC, 'utf8'));

  test('has the wrapper, the app and its test', () => {
    expect([...blocks.keys()]).toEqual(['src/standard-service.ts', 'src/app.ts', 'test/app.test.ts']);
  });

  test('the app test passes against the package sources', () => {
    // GIVEN the blocks transpiled to CommonJS, with 'cdk8s-istio' resolved to this package's sources
    const modules = new Map<string, any>();
    const load = (file: string): any => {
      if (modules.has(file)) return modules.get(file);
      const exports: any = {};
      modules.set(file, exports);
      const js = ts.transpileModule(blocks.get(file)!, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
      const req = (id: string) => {
        if (id === 'cdk8s-istio') return require('../src');
        if (id.startsWith('.')) return load(path.posix.join(path.posix.dirname(file), `${id}.ts`));
        return require(id);
      };
      new Function('require', 'exports', 'module', 'test', 'expect', js)(req, exports, { exports }, (_name: string, body: () => void) => body(), expect);
      return exports;
    };
    // WHEN the app's test file runs (its one test body runs immediately)
    // THEN its expectations hold
    expect(() => load('test/app.test.ts')).not.toThrow();
  });
});
