import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { ControlPlane, DataPlaneMode, Mesh, MeshApp, MeshChart, MeshNamespace } from '../../src';
import { meshChart, one, service, synth } from '../helpers';

describe('values a cluster would reject are refused where written (issue 18 item 6)', () => {
  test.each([[15000], [15001], [15004], [15006], [15008], [15020], [15021], [15053], [15090]])('GIVEN app port %p (Envoy reserves it) THEN refused', (port) => {
    const { chart, ns } = meshChart();
    expect(() => service(chart, ns, 'a', { port })).toThrow(new RegExp(`\\[test/a\\] props\\.port: ${port} .*reserved by Istio's proxy`));
  });

  test.each([[14999], [15002], [15100]])('GIVEN app port %p (next to reserved ones) THEN accepted', (port) => {
    const { chart, ns } = meshChart();
    service(chart, ns, 'a', { port });
    expect(one(synth(chart), 'Service', 'a').spec.ports[0].port).toBe(port);
  });

  test.each([[''], ['A=B']])('GIVEN env var name %p THEN refused (API server: IsEnvVarName)', (name) => {
    const { chart, ns } = meshChart();
    expect(() => service(chart, ns, 'a', { env: { [name]: 'x' } })).toThrow(/props\.env.*environment variable name/);
    expect(() => service(chart, ns, 'b', { versions: [{ name: 'v1', env: { [name]: 'x' } }] })).toThrow(/props\.versions\[0\]\.env.*environment variable name/);
  });

  test('GIVEN a sidecar request above its limit or a malformed quantity THEN refused', () => {
    const { chart, ns } = meshChart();
    expect(() => service(chart, ns, 'a', { sidecarResources: { cpuRequest: '500m', cpuLimit: '200m' } })).toThrow(/props\.sidecarResources\.cpuRequest.*must not exceed its limit \(200m\)/);
    expect(() => service(chart, ns, 'b', { sidecarResources: { memoryLimit: '64Mi' } })).toThrow(/props\.sidecarResources\.memoryLimit: "64Mi" is invalid: a limit must not be below the request, and the sidecar's memory request is the default 128Mi.*Hint: set memoryLimit to at least 128Mi/);
    expect(() => service(chart, ns, 'c', { sidecarResources: { memoryRequest: '12 8Mi' } })).toThrow(/props\.sidecarResources\.memoryRequest/);
    service(chart, ns, 'd', { sidecarResources: { cpuRequest: '200m', cpuLimit: '200m' } });
  });

  test('GIVEN resource attributes with , = and % THEN OTEL_RESOURCE_ATTRIBUTES percent-encodes them (OTel spec)', () => {
    const { chart, ns } = meshChart();
    service(chart, ns, 'a', { openTelemetry: { resourceAttributes: { 'team': 'a,b=c', 'cost': '10%' } } });
    const env = one(synth(chart), 'Deployment', 'a-v1').spec.template.spec.containers[0].env;
    expect(env.find((e: any) => e.name === 'OTEL_RESOURCE_ATTRIBUTES').value).toBe('cost=10%25,service.version=v1,team=a%2Cb%3Dc');
    expect(() => service(chart, ns, 'b', { openTelemetry: { resourceAttributes: { '': 'x' } } })).toThrow(/resourceAttributes.*non-empty/);
  });
});

describe('system namespaces and Pod Security Admission labels (issue 18 items 4, 5)', () => {
  test.each([['kube-system'], ['kube-public'], ['kube-node-lease'], ['istio-system']])('GIVEN a MeshNamespace named %p THEN refused', (name) => {
    const { chart, mesh } = meshChart();
    expect(() => new MeshNamespace(chart, 'Ns', { mesh, name })).toThrow(/\[test\/Ns\] props\.name.*(system namespace|root namespace)/);
  });

  test('GIVEN a custom mesh root namespace THEN that one is refused and istio-system is not', () => {
    const { chart, mesh } = meshChart({ rootNamespace: 'mesh-root' });
    expect(() => new MeshNamespace(chart, 'Ns', { mesh, name: 'mesh-root' })).toThrow(/root namespace/);
    new MeshNamespace(chart, 'Other', { mesh, name: 'istio-system' });
  });

  test('GIVEN warn and audit restricted on a sidecar mesh THEN the PSA labels are written with their version', () => {
    const { chart, mesh } = meshChart();
    new MeshNamespace(chart, 'Shop', { mesh, name: 'shop', podSecurity: { warn: 'restricted', audit: 'restricted', version: 'v1.34' } });
    expect(one(synth(chart), 'Namespace', 'shop').metadata.labels).toMatchObject({
      'istio-injection': 'enabled',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/warn-version': 'v1.34',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/audit-version': 'v1.34',
    });
  });

  test.each([['baseline' as const], ['restricted' as const]])('GIVEN enforce %p on a sidecar mesh THEN refused (istio-init needs NET_ADMIN/NET_RAW)', (enforce) => {
    const { chart, mesh } = meshChart();
    expect(() => new MeshNamespace(chart, 'Shop', { mesh, name: 'shop', podSecurity: { enforce } })).toThrow(/props\.podSecurity\.enforce.*istio-init.*NET_ADMIN.*Hint: install istio-cni/);
  });

  test('GIVEN enforce restricted on an ambient mesh THEN written (no init container)', () => {
    const { chart, mesh } = meshChart({ dataPlane: DataPlaneMode.AMBIENT });
    new MeshNamespace(chart, 'Shop', { mesh, name: 'shop', podSecurity: { enforce: 'restricted' } });
    expect(one(synth(chart), 'Namespace', 'shop').metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest' });
  });

  test('GIVEN an unknown level or version THEN refused', () => {
    const { chart, mesh } = meshChart();
    expect(() => new MeshNamespace(chart, 'A', { mesh, name: 'a', podSecurity: { warn: 'strict' as any } })).toThrow(/props\.podSecurity\.warn/);
    expect(() => new MeshNamespace(chart, 'B', { mesh, name: 'b', podSecurity: { warn: 'baseline', version: '1.34' } })).toThrow(/props\.podSecurity\.version/);
  });
});

describe('revisions (issue 18 item 5)', () => {
  /** GIVEN a MeshApp with an app chart (mesh, namespace `shop`) and the control plane in its own chart. */
  function setup() {
    const app = new MeshApp({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'rev-')), log: () => undefined });
    const appChart = new MeshChart(app, 'app');
    const mesh = new Mesh(appChart, 'Mesh', {});
    new MeshNamespace(appChart, 'Shop', { mesh, name: 'shop' });
    const cpChart = new MeshChart(app, 'control-plane', { outputDir: 'control-plane' });
    return { appChart, cpChart, mesh };
  }

  test('GIVEN a ControlPlane with a revision (declared after the namespace) THEN sidecar namespaces carry istio.io/rev, not istio-injection', () => {
    const { appChart, cpChart, mesh } = setup();
    new ControlPlane(cpChart, 'CP', { mesh, revision: '1-30-3' });
    const labels = one(Testing.synth(appChart), 'Namespace', 'shop').metadata.labels;
    expect(labels).toMatchObject({ 'istio.io/rev': '1-30-3' });
    expect(labels['istio-injection']).toBeUndefined();
  });

  test('GIVEN no revision THEN istio-injection: enabled as before', () => {
    const { appChart, cpChart, mesh } = setup();
    new ControlPlane(cpChart, 'CP', { mesh });
    expect(one(Testing.synth(appChart), 'Namespace', 'shop').metadata.labels).toMatchObject({ 'istio-injection': 'enabled' });
  });

  test('GIVEN a second ControlPlane with another revision THEN refused', () => {
    const { cpChart, mesh } = setup();
    new ControlPlane(cpChart, 'CP', { mesh, revision: 'a' });
    expect(() => new ControlPlane(cpChart, 'CP2', { mesh, revision: 'b' })).toThrow(/revision.*already opt into revision "a"/);
  });
});
