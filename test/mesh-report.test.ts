import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { addControlPlane, addMeshReport, buildReferenceApp } from '../examples/reference-app';
import {
  ControlPlane,
  CustomTag,
  DataPlaneMode,
  EgressHost,
  Mesh,
  MeshApp,
  MeshChart,
  MeshNamespace,
  MeshReport,
  MeshReportData,
  SidecarScope,
} from '../src';
import { meshChart, OTEL, service } from './helpers';

const Mi = 2 ** 20;
const Gi = 2 ** 30;

/**
 * GIVEN order (v1+v2, 3 replicas each, default proxy annotations 100m/128Mi) calling payment (v1,
 * 2 replicas, annotations 250m/256Mi requests and 1/1Gi limits), tracing at 10%.
 */
function twoServices(scope: any = Testing.chart()) {
  const mesh = new Mesh(scope, 'Mesh', { tracing: { provider: OTEL, samplingPercentage: 10, customTags: { user_id: CustomTag.header('x-user-id') } } });
  const ns = new MeshNamespace(scope, 'Production', { mesh, name: 'production' });
  const order = service(scope, ns, 'order', { versions: [{ name: 'v1' }, { name: 'v2' }], replicas: 3 });
  const payment = service(scope, ns, 'payment', {
    replicas: 2,
    sidecarResources: { cpuRequest: '250m', memoryRequest: '256Mi', cpuLimit: '1', memoryLimit: '1Gi' },
  });
  payment.allowFrom(order);
  return { scope, mesh, ns, order, payment };
}

const workload = (r: MeshReportData, name: string) => r.workloads.find((w) => w.service === name)!;

describe('MeshReport: proxy resources', () => {
  test('replicas × per-pod requests and limits; limits from the ControlPlane when no annotation sets them', () => {
    // GIVEN
    const app = Testing.app();
    const chart = new MeshChart(app, 'app');
    const { mesh } = twoServices(chart);
    new ControlPlane(new MeshChart(app, 'cp', { outputDir: 'cp' }), 'ControlPlane', {
      mesh, proxyResources: { requests: { cpu: '300m', memory: '64Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
    });
    // WHEN
    const r = new MeshReport(chart, 'Report', { mesh }).compute();
    // THEN order: 6 pods, requests from its annotations (not the control plane's 300m/64Mi), limits from the control plane
    const order = workload(r, 'order');
    expect(order.replicas).toBe(6);
    expect(order.proxyPerPod.cpuRequest).toEqual({ quantity: '100m', value: 100, source: 'annotation' });
    expect(order.proxyPerPod.memoryLimit).toEqual({ quantity: '512Mi', value: 512 * Mi, source: 'control-plane' });
    expect(order.proxyRequests).toEqual({ cpuMillicores: 600, memoryBytes: 6 * 128 * Mi });
    expect(order.proxyLimits).toEqual({ cpuMillicores: 3000, memoryBytes: 6 * 512 * Mi });
    // payment: 2 pods, everything from annotations
    const payment = workload(r, 'payment');
    expect(payment.proxyRequests).toEqual({ cpuMillicores: 500, memoryBytes: 2 * 256 * Mi });
    expect(payment.proxyLimits).toEqual({ cpuMillicores: 2000, memoryBytes: 2 * Gi });
    // total
    expect(r.total.replicas).toBe(8);
    expect(r.total.proxyRequests).toEqual({ cpuMillicores: 1100, memoryBytes: (768 + 512) * Mi });
    expect(r.total.proxyLimits).toEqual({ cpuMillicores: 5000, memoryBytes: 3 * Gi + 2 * Gi });
  });

  test('without annotation or ControlPlane, limits are Istio\'s default profile values (2000m/1024Mi)', () => {
    const { scope, mesh } = twoServices();
    const r = new MeshReport(scope, 'Report', { mesh }).compute();
    const order = workload(r, 'order');
    expect(order.proxyPerPod.cpuLimit).toEqual({ quantity: '2000m', value: 2000, source: 'istio-default' });
    expect(order.proxyLimits).toEqual({ cpuMillicores: 12000, memoryBytes: 6 * Gi });
  });

  test('decimal and fractional quantities are parsed, not copied', () => {
    const { chart, mesh, ns } = meshChart();
    service(chart, ns, 'svc', { replicas: 3, sidecarResources: { cpuRequest: '0.1', memoryRequest: '100M', cpuLimit: '1500m', memoryLimit: '0.5Gi' } });
    const w = workload(new MeshReport(chart, 'Report', { mesh }).compute(), 'svc');
    expect(w.proxyRequests).toEqual({ cpuMillicores: 300, memoryBytes: 300_000_000 });
    expect(w.proxyLimits).toEqual({ cpuMillicores: 4500, memoryBytes: 3 * 512 * Mi });
  });

  test('a proxy annotation that is no quantity is refused where written (issue 18), before any report', () => {
    const { chart, ns } = meshChart();
    expect(() => service(chart, ns, 'svc', { sidecarResources: { cpuRequest: 'lots' } })).toThrow(/\[test\/svc\] props\.sidecarResources\.cpuRequest: "lots" is invalid: must be a non-negative Kubernetes quantity/);
  });

  test('ambient workloads have no sidecar: zero proxy resources and no configured services', () => {
    const { chart, mesh, ns } = meshChart({ dataPlane: DataPlaneMode.AMBIENT });
    service(chart, ns, 'svc', { replicas: 4 });
    const w = workload(new MeshReport(chart, 'Report', { mesh }).compute(), 'svc');
    expect(w).toMatchObject({ replicas: 4, sidecar: false, proxyRequests: { cpuMillicores: 0, memoryBytes: 0 }, configuredServices: { unscoped: 0, scoped: 0 } });
  });
});

describe('MeshReport: configured services', () => {
  test('unscoped: every known service; scoped: what the Sidecar egress hosts match', () => {
    // GIVEN order → payment, the namespace scoped
    const { scope, mesh, ns } = twoServices();
    new SidecarScope(scope, 'Scope', { mesh, namespaces: [ns] });
    // WHEN
    const r = new MeshReport(scope, 'Report', { mesh }).compute();
    // THEN known: order, payment, the collector, istiod, istio-ingressgateway
    expect(r.mesh.knownServices).toEqual([
      'istio-system/istio-ingressgateway.istio-system.svc.cluster.local',
      'istio-system/istiod.istio-system.svc.cluster.local',
      'observability/otel-collector.observability.svc.cluster.local',
      'production/order.production.svc.cluster.local',
      'production/payment.production.svc.cluster.local',
    ]);
    // order sees payment + collector + 2 in istio-system; payment sees the collector + 2 in istio-system
    expect(workload(r, 'order').configuredServices).toMatchObject({ unscoped: 5, scoped: 4 });
    expect(workload(r, 'payment').configuredServices).toMatchObject({ unscoped: 5, scoped: 3 });
    // pods × services: 6×5 + 2×5 unscoped, 6×4 + 2×3 scoped
    expect(r.total.configuredServices).toEqual({ unscoped: 40, scoped: 30 });
  });

  test('without scoping, scoped equals unscoped and no egress hosts are listed', () => {
    const { scope, mesh } = twoServices();
    const r = new MeshReport(scope, 'Report', { mesh }).compute();
    expect(workload(r, 'order').configuredServices).toEqual({ unscoped: 5, scoped: 5, egressHosts: null });
    expect(r.total.configuredServices).toEqual({ unscoped: 40, scoped: 40 });
  });

  test('rootNamespaceServices sets what istio-system/* counts; explicit concrete hosts are known services', () => {
    const { scope, mesh, ns, payment } = twoServices();
    const scoping = new SidecarScope(scope, 'Scope', { mesh, namespaces: [ns] });
    scoping.addEgress(payment, EgressHost.of('*', 'api.stripe.com'));
    const r = new MeshReport(scope, 'Report', { mesh, rootNamespaceServices: ['istiod'] }).compute();
    // known: order, payment, collector, istiod, api.stripe.com = 5
    expect(r.mesh.knownServices).toHaveLength(5);
    expect(workload(r, 'payment').configuredServices).toMatchObject({ unscoped: 5, scoped: 3 });
    expect(workload(r, 'order').configuredServices).toMatchObject({ unscoped: 5, scoped: 3 });
  });
});

describe('MeshReport: trace volume', () => {
  test('rate × 86400 × sampling, 2 spans per request, 1024 bytes per span', () => {
    // GIVEN 50 req/s at order, 20 req/s at payment, 10% sampling
    const { scope, mesh, order, payment } = twoServices();
    const report = new MeshReport(scope, 'Report', { mesh, requestRates: [{ service: order, requestsPerSecond: 50 }] });
    report.setRequestRate(payment, 20);
    // WHEN
    const r = report.compute();
    // THEN 50 × 86400 = 4,320,000 requests/day; 10% sampled = 432,000; ×2 spans; ×1024 bytes
    expect(workload(r, 'order').traces).toEqual({ requestsPerSecond: 50, sampledRequestsPerDay: 432000, spansPerDay: 864000, bytesPerDay: 884736000 });
    // 20 × 86400 = 1,728,000; 10% = 172,800; 345,600 spans; × 1024
    expect(workload(r, 'payment').traces).toEqual({ requestsPerSecond: 20, sampledRequestsPerDay: 172800, spansPerDay: 345600, bytesPerDay: 353894400 });
    expect(r.total.traces).toEqual({ sampledRequestsPerDay: 604800, spansPerDay: 1209600, bytesPerDay: 1238630400 });
    expect(r.assumptions).toMatchObject({ samplingPercentage: 10, averageSpanBytes: 1024, spansPerRequest: 2, secondsPerDay: 86400 });
  });

  test('a custom span size; undeclared rates are unknown and left out of the total', () => {
    const { scope, mesh, order } = twoServices();
    const r = new MeshReport(scope, 'Report', { mesh, averageSpanBytes: 500, requestRates: [{ service: order, requestsPerSecond: 1.5 }] }).compute();
    // 1.5 × 86400 = 129,600; 10% = 12,960; 25,920 spans; × 500 bytes
    expect(workload(r, 'order').traces).toEqual({ requestsPerSecond: 1.5, sampledRequestsPerDay: 12960, spansPerDay: 25920, bytesPerDay: 12960000 });
    expect(workload(r, 'payment').traces).toEqual({ requestsPerSecond: null, sampledRequestsPerDay: null, spansPerDay: null, bytesPerDay: null });
    expect(r.total.traces.bytesPerDay).toBe(12960000);
  });

  test('no mesh tracing: sampling 0, no spans', () => {
    const chart = Testing.chart();
    const mesh = new Mesh(chart, 'Mesh');
    const ns = new MeshNamespace(chart, 'Production', { mesh, name: 'production' });
    const svc = service(chart, ns, 'svc', { openTelemetry: { enabled: false } });
    const r = new MeshReport(chart, 'Report', { mesh, requestRates: [{ service: svc, requestsPerSecond: 100 }] }).compute();
    expect(r.assumptions.samplingPercentage).toBe(0);
    expect(workload(r, 'svc').traces.spansPerDay).toBe(0);
  });

  test.each([
    [{ requestsPerSecond: -1 }, /requestsPerSecond: -1 is invalid: a request rate is a finite number of requests per second, at least 0/],
    [{ requestsPerSecond: Infinity }, /requestsPerSecond: null is invalid|requestsPerSecond: Infinity is invalid/],
  ])('bad rate %#', (rate, error) => {
    const { scope, mesh, order } = twoServices();
    expect(() => new MeshReport(scope, 'Report', { mesh, requestRates: [{ service: order, ...rate }] })).toThrow(error);
  });

  test('a rate declared twice, a bad span size and bad root services are refused', () => {
    const { scope, mesh, order } = twoServices();
    const report = new MeshReport(scope, 'Report', { mesh, requestRates: [{ service: order, requestsPerSecond: 1 }] });
    expect(() => report.setRequestRate(order, 2)).toThrow(/the request rate of this service is already declared/);
    expect(() => new MeshReport(scope, 'R2', { mesh, averageSpanBytes: 0 })).toThrow(/props\.averageSpanBytes: 0 is invalid: an average span size is a whole number of bytes, at least 1/);
    expect(() => new MeshReport(scope, 'R3', { mesh, averageSpanBytes: 1 })).not.toThrow();
    expect(() => new MeshReport(scope, 'R4', { mesh, rootNamespaceServices: ['istiod', 'istiod'] })).toThrow(/names must be unique/);
  });
});

describe('MeshReport: files and console', () => {
  test('two reports writing the same file fail synth; another directory is accepted', () => {
    const { scope, mesh } = twoServices();
    new MeshReport(scope, 'First', { mesh });
    new MeshReport(scope, 'Second', { mesh, directory: 'report-b' });
    expect(() => Testing.synth(scope)).not.toThrow();
    new MeshReport(scope, 'Third', { mesh });
    expect(() => Testing.synth(scope)).toThrow(/directory: "report\/mesh-report\.json" is invalid: test\/Third\/Json writes the same file/);
  });

  test('a MeshApp synth writes report/mesh-report.json and .md and prints one short table', () => {
    // GIVEN
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-report-'));
    const lines: string[] = [];
    const app = new MeshApp({ outdir, log: (l) => lines.push(l) });
    const chart = new MeshChart(app, 'app');
    const { mesh, ns, order, payment } = twoServices(chart);
    new SidecarScope(chart, 'Scope', { mesh, namespaces: [ns] });
    new MeshReport(chart, 'Report', { mesh, requestRates: [{ service: order, requestsPerSecond: 50 }, { service: payment, requestsPerSecond: 20 }] });
    // WHEN
    app.synth();
    // THEN
    const json = JSON.parse(fs.readFileSync(path.join(outdir, 'report/mesh-report.json'), 'utf8'));
    expect(json.total.configuredServices).toEqual({ unscoped: 40, scoped: 30 });
    expect(json.total.traces.bytesPerDay).toBe(884736000 + 353894400);
    const md = fs.readFileSync(path.join(outdir, 'report/mesh-report.md'), 'utf8');
    expect(md).toContain('| production/order | 6 | 5 | 4 | `istio-system/*`, `observability/otel-collector.observability.svc.cluster.local`, `production/payment.production.svc.cluster.local` |');
    expect(md).toContain('| **total (pods × services)** | 8 | 40 | 30 | 25% less |');
    expect(md).not.toMatch(/20\d\d-\d\d-\d\d/);
    const summary = lines.find((l) => l.startsWith('Mesh report (report/mesh-report.md):'))!;
    // title, header, two workloads, total; order limits are Istio's defaults (6 × 2000m/1024Mi), payment its annotations (2 × 1/1Gi)
    expect(summary.split('\n')).toHaveLength(5);
    expect(summary).toMatch(/\ntotal\s+8\s+1100m\/14000m\s+1280Mi\/8192Mi\s+40→30\s+1\.15 GiB$/);
  });

  test('the report is deterministic: two synths give identical files', () => {
    const read = () => {
      const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-report-'));
      const app = new MeshApp({ outdir, log: () => undefined });
      const chart = new MeshChart(app, 'app');
      const { mesh, order } = twoServices(chart);
      new MeshReport(chart, 'Report', { mesh, requestRates: [{ service: order, requestsPerSecond: 3 }] });
      app.synth();
      return ['json', 'md'].map((ext) => fs.readFileSync(path.join(outdir, `report/mesh-report.${ext}`), 'utf8'));
    };
    expect(read()).toEqual(read());
  });
});

describe('reference app report', () => {
  test('the configuration shrinks against the unscoped mesh; figures from reference-app.md', () => {
    // GIVEN the reference app with its control plane (limits 500m/512Mi) and report
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-report-ref-'));
    const app = new MeshApp({ outdir, log: () => undefined });
    const ref = buildReferenceApp(new MeshChart(app, 'reference-app'));
    addMeshReport(ref);
    addControlPlane(new MeshChart(app, 'control-plane', { outputDir: 'control-plane' }), ref.mesh);
    // WHEN
    app.synth();
    const r = JSON.parse(fs.readFileSync(path.join(outdir, 'report/mesh-report.json'), 'utf8'));
    // THEN order 2 versions × 3 = 6 pods, payment 3 pods, 100m/128Mi requests, 500m/512Mi limits
    expect(r.total.replicas).toBe(9);
    expect(r.total.proxyRequests).toEqual({ cpuMillicores: 900, memoryBytes: 9 * 128 * Mi });
    expect(r.total.proxyLimits).toEqual({ cpuMillicores: 4500, memoryBytes: 9 * 512 * Mi });
    expect(r.workloads.map((w: any) => [w.service, w.configuredServices.unscoped, w.configuredServices.scoped]))
      .toEqual([['order-service', 5, 4], ['payment-service', 5, 3]]);
    expect(r.total.configuredServices).toEqual({ unscoped: 45, scoped: 6 * 4 + 3 * 3 });
    // 50 + 20 req/s, 10% sampling, 2 spans, 1024 bytes
    expect(r.total.traces.bytesPerDay).toBe((50 + 20) * 86400 * 0.1 * 2 * 1024);
  });
});
