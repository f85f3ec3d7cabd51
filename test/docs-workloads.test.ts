import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { loadManifestFiles } from '../src/simulator/load';

/**
 * docs/workloads.md's first block is a whole app (mesh tracing included, so a TracedService finds its
 * collector): pasted alone it runs. Here it is transpiled and run against this package's sources,
 * writing to a temporary folder instead of dist/.
 */
const DOC = path.join(__dirname, '..', 'docs', 'workloads.md');

describe('docs/workloads.md', () => {
  test('GIVEN the first ts block WHEN run alone THEN it synthesizes catalog with its workload settings and budgets', () => {
    // GIVEN the block, 'cdk8s-istio' resolved to the sources and MeshApp writing to a temporary folder
    const block = /```ts\n([\s\S]*?)```/.exec(fs.readFileSync(DOC, 'utf8'))![1];
    expect(block).toMatch(/new Mesh\(chart, 'Mesh', \{\n\s+tracing:/);
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'docs-workloads-'));
    const api = require('../src');
    class TestApp extends api.MeshApp {
      constructor(props: object = {}) {
        super({ ...props, outdir });
      }
    }
    const req = (id: string) => (id === 'cdk8s-istio' ? { ...api, MeshApp: TestApp } : require(id));
    const js = ts.transpileModule(block, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
    // WHEN run
    new Function('require', 'exports', js)(req, {});
    // THEN the output holds catalog's Deployments, autoscalers and one budget per version
    const objects = loadManifestFiles([outdir]);
    const names = (kind: string) => objects.filter((o: any) => o.kind === kind).map((o: any) => o.metadata.name).sort();
    expect(names('Deployment')).toEqual(['catalog-v1', 'catalog-v2']);
    expect(names('HorizontalPodAutoscaler')).toEqual(['catalog-v1', 'catalog-v2']);
    expect(names('PodDisruptionBudget')).toEqual(['catalog-v1', 'catalog-v2']);
    const env = (objects.find((o: any) => o.kind === 'Deployment') as any).spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://otel-collector.observability.svc.cluster.local:4317' });
  });
});
