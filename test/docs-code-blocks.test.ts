import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';

/**
 * Every TypeScript code block of the README and docs/ compiles against this package's public API
 * (`cdk8s-istio` is `src/index.ts`), with `strict` on. docs/extending.md's `// file:` blocks are whole
 * files, checked by test/docs-extending.test.ts and test/consumer/ instead.
 *
 * Snippets are fragments of one app, as in the docs' prose: a block without imports sees the whole
 * public API imported, and every block sees the reference app's names (`chart`, `mesh`, `production`,
 * `order`, `payment`...) declared below, the way rustdoc hides a snippet's setup lines. A block that
 * declares one of those names itself shadows the declaration.
 */
const ROOT = path.join(__dirname, '..');

/** The names the doc snippets take from the surrounding app (the reference app, docs/*.md prose). */
const CONTEXT = `
type Api = typeof import('cdk8s-istio');
declare const app: import('cdk8s-istio').MeshApp;
declare const chart: import('cdk8s-istio').MeshChart;
declare const cpChart: import('cdk8s-istio').MeshChart;
declare const mesh: import('cdk8s-istio').Mesh;
declare const production: import('cdk8s-istio').MeshNamespace;
declare const order: import('cdk8s-istio').TracedService;
declare const payment: import('cdk8s-istio').TracedService;
declare const lateService: import('cdk8s-istio').TracedService;
declare const legacyService: import('cdk8s-istio').TracedService;
declare const gateway: import('cdk8s-istio').IngressGateway;
declare const otel: import('cdk8s-istio').ExtensionProvider;
/** examples/reference-app.ts */
declare function buildReferenceApp(chart: import('cdk8s-istio').MeshChart, mesh?: object, variant?: object): void;
declare const AMBIENT_VARIANT: object;
`;

interface Block {
  readonly doc: string;
  readonly index: number;
  readonly code: string;
}

function blocks(): Block[] {
  const docs = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
  const out: Block[] = [];
  for (const doc of docs) {
    let index = 0;
    for (const m of fs.readFileSync(path.join(ROOT, doc), 'utf8').matchAll(/```(?:ts|typescript)\n([\s\S]*?)```/g)) {
      index++;
      if (/^\/\/ file: /.test(m[1])) continue;
      out.push({ doc, index, code: m[1] });
    }
  }
  return out;
}

/** The names src/index.ts exports (values and types), for blocks without imports of their own. */
function publicNames(): string[] {
  const index = fs.readFileSync(path.join(ROOT, 'src', 'index.ts'), 'utf8');
  const names = new Set<string>();
  for (const m of index.matchAll(/export (?:type )?\{([^}]*)\}/g)) {
    for (const n of m[1].split(',').map((s) => s.trim()).filter(Boolean)) names.add(n.split(/\s+as\s+/).pop()!);
  }
  for (const m of index.matchAll(/export \* as (\w+)/g)) names.add(m[1]);
  return [...names].sort();
}

describe('TypeScript code blocks of README.md and docs/', () => {
  const all = blocks();

  test('GIVEN the docs WHEN their code blocks are found THEN there are blocks in the README and in several docs', () => {
    expect(all.filter((b) => b.doc === 'README.md').length).toBeGreaterThan(0);
    expect(new Set(all.map((b) => b.doc)).size).toBeGreaterThan(5);
  });

  test('GIVEN every block WHEN type-checked against the public API THEN none has an error', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doc-blocks-'));
    try {
      const prelude = `import { ${publicNames().join(', ')} } from 'cdk8s-istio';\nimport { App, Chart, Duration, Testing } from 'cdk8s';\nimport { Construct } from 'constructs';\n`;
      const files = new Map<string, Block>();
      fs.writeFileSync(path.join(dir, 'context.d.ts'), CONTEXT);
      all.forEach((b, i) => {
        const own = /^import /m.test(b.code);
        const file = path.join(dir, `block-${i}.ts`);
        fs.writeFileSync(file, own ? `export {};\n${b.code}` : `${prelude}export {};\n${b.code}`);
        files.set(file, b);
      });
      const program = ts.createProgram([path.join(dir, 'context.d.ts'), ...files.keys()], {
        strict: true,
        noEmit: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.CommonJS,
        moduleResolution: ts.ModuleResolutionKind.Node10,
        esModuleInterop: true,
        skipLibCheck: true,
        types: ['node', 'jest'],
        typeRoots: [path.join(ROOT, 'node_modules', '@types')],
        baseUrl: ROOT,
        paths: { 'cdk8s-istio': ['src/index.ts'], 'cdk8s': ['node_modules/cdk8s'], 'constructs': ['node_modules/constructs'] },
      });
      const problems = ts.getPreEmitDiagnostics(program)
        .filter((d) => d.file && files.has(d.file.fileName))
        .map((d) => {
          const b = files.get(d.file!.fileName)!;
          const prefix = /^import /m.test(b.code) ? 1 : 4;
          const line = d.file!.getLineAndCharacterOfPosition(d.start ?? 0).line + 1 - prefix;
          return `${b.doc} block ${b.index}, line ${line}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
        });
      expect(problems).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
