import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MeshApp, MeshChart, MeshNamespace, Mesh } from '../src';
import { ValidationWorker } from '../src/validation/parallel';
import { service } from './helpers';

/**
 * The validation worker thread is for large meshes only (docs/architecture.md: started once a mesh
 * has 100 members). A small app, and every user's unit test, must never spawn a thread.
 */
describe('validation worker start', () => {
  let start: jest.SpyInstance;
  beforeEach(() => {
    start = jest.spyOn(ValidationWorker, 'start');
  });
  afterEach(() => start.mockRestore());

  const app = () => new MeshApp({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'worker-start-')), log: () => undefined });

  test('a small mesh synthesizes without starting a worker', () => {
    // GIVEN a mesh with one namespace and one service (5 objects)
    const a = app();
    const chart = new MeshChart(a, 'small');
    const mesh = new Mesh(chart, 'Mesh');
    const ns = new MeshNamespace(chart, 'Production', { mesh, name: 'production' });
    service(chart, ns, 'order-service', { openTelemetry: { enabled: false } });
    // WHEN it is synthesized
    a.synth();
    // THEN no worker was started
    expect(start).not.toHaveBeenCalled();
  });

  test('a mesh reaching 100 members starts one worker, once', () => {
    // GIVEN a mesh with one namespace and 99 services (100 members)
    const a = app();
    const chart = new MeshChart(a, 'large');
    const mesh = new Mesh(chart, 'Mesh');
    const ns = new MeshNamespace(chart, 'Production', { mesh, name: 'production' });
    for (let i = 0; i < 98; i++) service(chart, ns, `svc-${i}`, { openTelemetry: { enabled: false } });
    expect(start).not.toHaveBeenCalled();
    // WHEN the 100th member joins, and the app is synthesized
    service(chart, ns, 'svc-98', { openTelemetry: { enabled: false } });
    a.synth();
    // THEN exactly one worker start was asked for
    expect(start).toHaveBeenCalledTimes(1);
  });
});
