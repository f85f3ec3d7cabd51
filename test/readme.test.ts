import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';

/** The README's quickstart is real code: it compiles against the library and synthesizes cleanly. */
describe('README quickstart', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  const quickstart = readme.slice(readme.indexOf('## Quickstart'));
  const code = /```ts\n([\s\S]*?)```/.exec(quickstart)![1];

  test('runs and writes a validated manifest', () => {
    // GIVEN the quickstart transpiled, with 'cdk8s-istio' resolved to this package's sources
    const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-'));
    const req = (id: string) => (id === 'cdk8s-istio' ? require('../src') : require(id));
    const previous = process.env.CDK8S_OUTDIR;
    process.env.CDK8S_OUTDIR = outdir;
    try {
      // WHEN it runs
      new Function('require', 'exports', js)(req, {});
    } finally {
      if (previous === undefined) delete process.env.CDK8S_OUTDIR;
      else process.env.CDK8S_OUTDIR = previous;
    }
    // THEN it wrote the chart with its routes and policies
    const text = fs.readFileSync(path.join(outdir, 'shop.k8s.yaml'), 'utf8');
    for (const kind of ['VirtualService', 'DestinationRule', 'AuthorizationPolicy', 'PeerAuthentication', 'Telemetry', 'Deployment']) {
      expect(text).toContain(`kind: ${kind}`);
    }
  });
});
