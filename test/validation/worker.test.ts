import * as path from 'path';
import { validateManifests } from '../../src/validation';
import { buildLib } from './helpers';

const ROOT = path.join(__dirname, '..', '..');

/** A deployable set with a few mistakes (so findings are not empty) and many good objects. */
function set(n: number): any[] {
  const out: any[] = [{ manifest: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'istio-injection': 'enabled' } } } }];
  for (let i = 0; i < n; i++) {
    const name = `svc-${i}`;
    out.push(
      { manifest: { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'shop' }, spec: { selector: { app: name }, ports: [{ name: 'http', port: 8080 }] } }, path: `c/${name}/Service` },
      {
        manifest: {
          apiVersion: 'networking.istio.io/v1',
          kind: 'VirtualService',
          metadata: { name, namespace: 'shop' },
          spec: { hosts: [name], http: [{ route: [{ destination: { host: name, subset: 'v9' } }], retries: { attempts: 2, retryOn: i % 2 ? '5xx, reset' : '5xx' } }] },
        },
        path: `c/${name}/VirtualService`,
      },
    );
  }
  return out;
}

describe('validation in a worker thread (the compiled library)', () => {
  beforeAll(() => buildLib(), 120_000);

  test('gives exactly the findings in-process validation gives', () => {
    // GIVEN the compiled worker runner and a set with errors
    const { ValidationWorker } = require(path.join(ROOT, 'lib', 'src', 'validation', 'parallel.js'));
    const worker = ValidationWorker.start();
    expect(worker).toBeDefined();
    const sets = [set(40), set(3)];
    // WHEN validated in the worker and in-process
    worker.submit(sets, { externalPrincipals: [] });
    const fromWorker = worker.collect();
    const inProcess = sets.map((s) => validateManifests(s, { externalPrincipals: [] }));
    // THEN the findings are identical, and not trivially empty
    expect(fromWorker).toEqual(inProcess);
    expect(inProcess[0].filter((f) => f.level === 'error').length).toBeGreaterThan(20);
  }, 60_000);

  test('can be turned off', () => {
    const { ValidationWorker } = require(path.join(ROOT, 'lib', 'src', 'validation', 'parallel.js'));
    process.env.CDK8S_ISTIO_VALIDATION_WORKER = '0';
    try {
      expect(ValidationWorker.start()).toBeUndefined();
    } finally {
      delete process.env.CDK8S_ISTIO_VALIDATION_WORKER;
    }
  });

  test('a large app validated in the worker fails synth with the construct path and writes nothing', () => {
    const lib = require(path.join(ROOT, 'lib', 'src'));
    const fs = require('fs');
    const os = require('os');
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'worker-synth-'));
    const app = new lib.MeshApp({ outdir, log: () => undefined });
    const chart = new lib.MeshChart(app, 'big');
    for (const s of set(600)) new (require(path.join(ROOT, 'node_modules', 'cdk8s')).ApiObject)(chart, `${s.manifest.kind}-${s.manifest.metadata.name}`, s.manifest);
    expect(() => app.synth()).toThrow(/CI\d+.*VirtualService\/shop\/svc-1 .*\[big\/VirtualService-svc-1\]/);
    expect(fs.readdirSync(outdir)).toEqual([]);
  }, 60_000);

  test('a large app: per-object checks in the worker, analyzers on the main thread, joined exactly as in-process validation joins them', () => {
    const lib = require(path.join(ROOT, 'lib', 'src'));
    const { ApiObject } = require(path.join(ROOT, 'node_modules', 'cdk8s'));
    const { ValidationWorker } = require(path.join(ROOT, 'lib', 'src', 'validation', 'parallel.js'));
    const fs = require('fs');
    const os = require('os');
    // GIVEN a set of 1201 objects with per-object errors (retryOn), analyzer findings (subset v9 has no
    // DestinationRule) and one object whose annotation suppresses its analyzer finding
    const objects = set(600);
    objects[4].manifest.metadata.annotations = { 'validation.cdk8s-istio.io/suppress': 'IST0101: the DestinationRule is applied by another team' };
    const synthError = (useWorker: boolean): { message: string; crossObject: boolean[] } => {
      const app = new lib.MeshApp({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'worker-split-')), log: () => undefined });
      const chart = new lib.MeshChart(app, 'big');
      for (const s of objects) new ApiObject(chart, `${s.manifest.kind}-${s.manifest.metadata.name}`, s.manifest);
      const begin = jest.spyOn(ValidationWorker.prototype, 'begin');
      try {
        if (useWorker) app._prewarmValidation();
        // WHEN it is synthesized with the worker, and without
        app.synth();
        throw new Error('synth passed');
      } catch (e: any) {
        // the message ends with the (temporary, per-run) output folder
        return { message: String(e.message).replace(/\S*\/worker-split-\w+/g, '<outdir>'), crossObject: begin.mock.calls.map((c: any[]) => c[2]) };
      } finally {
        begin.mockRestore();
      }
    };
    const split = synthError(true);
    const inProcess = synthError(false);
    // THEN the worker got the set for per-object checks only, and the findings are identical
    expect(split.crossObject).toEqual([false]);
    expect(inProcess.crossObject).toEqual([]);
    expect(split.message).toBe(inProcess.message);
    expect(split.message).toMatch(/CI2\d\d\d/);
    expect(split.message).toMatch(/IST0101/);
    expect(split.message).not.toMatch(/IST0101[^\n]*VirtualService\/shop\/svc-1 /);
  }, 120_000);

  test('only a large mesh starts the worker early; a small app (or a unit test) never does', () => {
    const lib = require(path.join(ROOT, 'lib', 'src'));
    const make = (services: number) => {
      const app = new lib.MeshApp({ outdir: require('fs').mkdtempSync(path.join(require('os').tmpdir(), 'worker-start-')), log: () => undefined });
      const chart = new lib.MeshChart(app, 'c');
      const mesh = new lib.Mesh(chart, 'Mesh');
      const ns = new lib.MeshNamespace(chart, 'Ns', { mesh, name: 'ns' });
      for (let i = 0; i < services; i++) {
        new lib.TracedService(chart, `s${i}`, { namespace: ns, name: `s${i}`, imageRepository: `r.example.com/s${i}`, versions: [{ name: 'v1' }], openTelemetry: { enabled: false } });
      }
      return app;
    };
    const small = make(3);
    expect(small.worker).toBeUndefined();
    const large = make(120);
    expect(large.worker).toBeDefined();
    large.worker.stop();
  }, 60_000);
});

