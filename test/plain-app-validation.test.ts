import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { CanaryRoute, Destination, Mesh, MeshNamespace, MeshSynthError, TracedService } from '../src';

/** GIVEN a plain cdk8s App (what `cdk8s init` gives) with a 50/50 split onto a version with 0 replicas. */
function zeroReplicaSplit(meshProps: { validation?: false } = {}) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'plain-app-'));
  const app = new App({ outdir });
  const chart = new Chart(app, 'books');
  const mesh = new Mesh(chart, 'Mesh', meshProps);
  const ns = new MeshNamespace(chart, 'Books', { mesh, name: 'books' });
  const svc = new TracedService(chart, 'Catalog', {
    namespace: ns, imageRepository: 'registry.example.com/catalog', versions: [{ name: 'v1' }, { name: 'v2', replicas: 0 }], openTelemetry: { enabled: false },
  });
  new CanaryRoute(chart, 'Route', { service: svc, defaultDestination: Destination.split([{ version: 'v1', percent: 50 }, { version: 'v2', percent: 50 }]) });
  return { app, outdir };
}

describe('a Mesh under a plain cdk8s App', () => {
  let stderr: jest.SpyInstance;
  beforeEach(() => {
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => stderr.mockRestore());

  test('app.synth() validates: an error finding writes nothing', () => {
    const { app, outdir } = zeroReplicaSplit();
    let thrown: unknown;
    try {
      app.synth();
    } catch (e) {
      thrown = e;
    }
    expect(MeshSynthError.isMeshSynthError(thrown)).toBe(true);
    const err = thrown as MeshSynthError;
    expect(err.message).toMatch(/nothing was written/);
    expect(err.findings.length).toBeGreaterThan(0);
    expect(err.findings).toMatchObject([{ code: 'CI3003', level: 'error', kind: 'VirtualService', name: 'catalog', message: expect.stringMatching(/subset "v2", which has no pods/) }]);
    expect(fs.readdirSync(outdir)).toEqual([]);
    // the finding names the construct that wrote the object, as under MeshApp
    expect(err.findings[0].path).toMatch(/\/VirtualService$/);
    expect(err.message).toContain(`[${err.findings[0].path}]`);
  });

  test('app.synthYaml() validates the same way', () => {
    const { app } = zeroReplicaSplit();
    expect(() => app.synthYaml()).toThrow(MeshSynthError);
  });

  test('validation: false is the only way to turn it off, and synth says so once', () => {
    const { app, outdir } = zeroReplicaSplit({ validation: false });
    app.synth();
    app.synth();
    expect(fs.readdirSync(outdir)).toEqual(['books.k8s.yaml']);
    const said = stderr.mock.calls.map((c) => String(c[0])).filter((l) => /validation is off/.test(l));
    expect(said).toEqual(['cdk8s-istio: validation is off (validation: false on books/Mesh); the output is not checked\n']);
  });

  test('a valid app is written as cdk8s writes it', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'plain-app-'));
    const app = new App({ outdir });
    const chart = new Chart(app, 'books');
    const mesh = new Mesh(chart, 'Mesh');
    const ns = new MeshNamespace(chart, 'Books', { mesh, name: 'books' });
    const svc = new TracedService(chart, 'Catalog', { namespace: ns, imageRepository: 'registry.example.com/catalog', versions: [{ name: 'v1' }, { name: 'v2' }], openTelemetry: { enabled: false } });
    new CanaryRoute(chart, 'Route', { service: svc, defaultDestination: Destination.split([{ version: 'v1', percent: 50 }, { version: 'v2', percent: 50 }]) });
    app.synth();
    expect(fs.readFileSync(path.join(outdir, 'books.k8s.yaml'), 'utf8')).toMatch(/kind: VirtualService/);
  });
});
