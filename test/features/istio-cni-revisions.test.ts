import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { CanaryRoute, ControlPlane, DataPlaneMode, Destination, IstioProfile, Mesh, MeshApp, MeshChart, MeshNamespace, RoutingApi } from '../../src';
import { podSecurityBaselineViolations, podSecurityRestrictedViolations } from '../../src/rules/pod-security';
import { validateManifests } from '../../src/validation';
import { meshChart, one, service, synth } from '../helpers';

/** GIVEN a MeshApp with an app chart and a control-plane chart. */
function setup(meshProps: ConstructorParameters<typeof Mesh>[2] = {}) {
  const app = new MeshApp({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cni-')), log: () => undefined });
  const appChart = new MeshChart(app, 'app');
  const mesh = new Mesh(appChart, 'Mesh', meshProps);
  const cpChart = new MeshChart(app, 'control-plane', { outputDir: 'control-plane' });
  return { app, appChart, cpChart, mesh };
}

/**
 * The containers and volumes Istio 1.30.3's sidecar injector adds to a pod, as
 * manifests/charts/istio-control/istio-discovery/files/injection-template.yaml renders them with the
 * default values (global.proxy.privileged false, no global.proxy.seccompProfile, interception
 * REDIRECT, proxy uid/gid 1337): with `pilot.cni.enabled` the init container is `istio-validation`
 * (no capabilities added, uid 1337, non-root, read-only root); without it `istio-init` (adds
 * NET_ADMIN and NET_RAW, runs as root).
 */
function injected(pod: any, cni: boolean): any {
  const init = cni
    ? { name: 'istio-validation', securityContext: { allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true, runAsGroup: 1337, runAsUser: 1337, runAsNonRoot: true } }
    : { name: 'istio-init', securityContext: { allowPrivilegeEscalation: false, privileged: false, capabilities: { add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] }, readOnlyRootFilesystem: false, runAsGroup: 0, runAsNonRoot: false, runAsUser: 0 } };
  const proxy = { name: 'istio-proxy', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: 1337, runAsGroup: 1337 } };
  const volumes = [
    { name: 'workload-socket', emptyDir: {} }, { name: 'credential-socket', emptyDir: {} }, { name: 'workload-certs', emptyDir: {} },
    { name: 'istio-envoy', emptyDir: { medium: 'Memory' } }, { name: 'istio-data', emptyDir: {} },
    { name: 'istio-podinfo', downwardAPI: { items: [] } }, { name: 'istio-token', projected: { sources: [] } },
    { name: 'istiod-ca-cert', configMap: { name: 'istio-ca-root-cert' } }, { name: 'istio-ca-crl', configMap: { name: 'istio-ca-crl', optional: true } },
  ];
  return {
    metadata: pod.metadata,
    spec: { ...pod.spec, initContainers: [init], containers: [...pod.spec.containers, proxy], volumes: [...(pod.spec.volumes ?? []), ...volumes] },
  };
}

describe('istio-cni (issue 18 item 4)', () => {
  test('GIVEN a TracedService pod as the 1.30.3 injector completes it WHEN istio-cni is on THEN it meets "restricted"; with istio-init it fails even "baseline"', () => {
    const { chart, ns } = meshChart();
    service(chart, ns, 'a');
    const d = one(synth(chart), 'Deployment', 'a-v1');
    const pod = { metadata: d.spec.template.metadata, spec: d.spec.template.spec };
    expect(podSecurityRestrictedViolations(injected(pod, true))).toEqual([]);
    expect(podSecurityBaselineViolations(injected(pod, false))).toEqual([
      'spec.initContainers[0] (istio-init).securityContext.capabilities.add must not add NET_ADMIN (capabilities)',
      'spec.initContainers[0] (istio-init).securityContext.capabilities.add must not add NET_RAW (capabilities)',
    ]);
  });

  test.each([['baseline' as const], ['restricted' as const]])('GIVEN Mesh istioCni: true WHEN a sidecar namespace enforces %p THEN it is written', (enforce) => {
    const { chart, mesh } = meshChart({ istioCni: true });
    new MeshNamespace(chart, 'Shop', { mesh, name: 'shop', podSecurity: { enforce } });
    expect(one(synth(chart), 'Namespace', 'shop').metadata.labels).toMatchObject({ 'istio-injection': 'enabled', 'pod-security.kubernetes.io/enforce': enforce });
  });

  test('GIVEN a namespace enforcing restricted WHEN one of its services opts out of a restricted control THEN synth fails naming it; baseline still takes it', () => {
    const { chart, mesh } = meshChart({ istioCni: true });
    const shop = new MeshNamespace(chart, 'Shop', { mesh, name: 'shop', podSecurity: { enforce: 'restricted' } });
    service(chart, shop, 'legacy', { podSecurity: { allowPrivilegeEscalation: true } });
    expect(() => synth(chart)).toThrow(/podSecurity\.enforce: "restricted" is invalid: namespace shop enforces Pod Security "restricted", but Deployment legacy-v1 of test\/legacy breaks it \(.*allowPrivilegeEscalation must be false.*\): the API server would reject its pods/);
    const b = meshChart({ istioCni: true });
    const base = new MeshNamespace(b.chart, 'Shop', { mesh: b.mesh, name: 'shop', podSecurity: { enforce: 'baseline' } });
    service(b.chart, base, 'legacy', { podSecurity: { allowPrivilegeEscalation: true } });
    expect(one(synth(b.chart), 'Deployment', 'legacy-v1')).toBeDefined();
  });

  test('GIVEN no istio-cni WHEN a sidecar namespace enforces restricted THEN refused, and the hint names the Mesh setting', () => {
    const { chart, mesh } = meshChart();
    expect(() => new MeshNamespace(chart, 'Shop', { mesh, name: 'shop', podSecurity: { enforce: 'restricted' } })).toThrow(/istio-init.*Hint: install istio-cni .*Mesh istioCni: true/);
  });

  test('GIVEN Mesh istioCni: true THEN the ControlPlane installs it in both outputs', () => {
    const { app, cpChart, mesh } = setup({ istioCni: true });
    const cp = new ControlPlane(cpChart, 'CP', { mesh });
    expect(cp.istioCni).toBe(true);
    expect(one(Testing.synth(cpChart), 'IstioOperator').spec).toMatchObject({ components: { cni: { enabled: true } } });
    expect(cp.renderHelmValues()).toMatchObject({ pilot: { cni: { enabled: true } } });
    app.synth();
    const values = fs.readFileSync(path.join(app.outdir, 'control-plane', 'istiod-values.yaml'), 'utf8');
    expect(values).toMatch(/# First: helm install istio-cni istio\/cni -n istio-system/);
  });

  test('GIVEN an egress gateway and istio-cni THEN both components are in the overlay', () => {
    const { cpChart, mesh } = setup({ istioCni: true });
    new ControlPlane(cpChart, 'CP', { mesh, egressGateway: true });
    expect(one(Testing.synth(cpChart), 'IstioOperator').spec.components).toEqual({ egressGateways: [{ name: 'istio-egressgateway', enabled: true }], cni: { enabled: true } });
  });

  test('GIVEN no istio-cni THEN neither output mentions it (the reference install is unchanged)', () => {
    const { cpChart, mesh } = setup();
    const cp = new ControlPlane(cpChart, 'CP', { mesh });
    expect(one(Testing.synth(cpChart), 'IstioOperator').spec.components).toBeUndefined();
    expect(cp.renderHelmValues().pilot).toBeUndefined();
  });

  test('GIVEN a ControlPlane that disagrees with the Mesh THEN refused either way', () => {
    const a = setup();
    expect(() => new ControlPlane(a.cpChart, 'CP', { mesh: a.mesh, istioCni: true })).toThrow(/props\.istioCni: true .*declares istioCni: false.*must agree.*Hint: set istioCni: true on the Mesh/);
    const b = setup({ istioCni: true });
    expect(() => new ControlPlane(b.cpChart, 'CP', { mesh: b.mesh, istioCni: false })).toThrow(/props\.istioCni: false .*declares istioCni: true/);
    const c = setup({ istioCni: true });
    expect(new ControlPlane(c.cpChart, 'CP', { mesh: c.mesh, istioCni: true }).istioCni).toBe(true);
  });

  test('GIVEN istioCni: false on an ambient mesh THEN refused (ambient needs the node agent)', () => {
    expect(() => meshChart({ dataPlane: DataPlaneMode.AMBIENT, istioCni: false })).toThrow(/props\.istioCni: false .*ambient data plane needs the istio-cni node agent/);
  });
});

describe('revisions on ambient (issue 18 item 5)', () => {
  function ambient(revision?: string) {
    const s = setup({ dataPlane: DataPlaneMode.AMBIENT, routingApi: RoutingApi.GATEWAY_API });
    const ns = new MeshNamespace(s.appChart, 'Shop', { mesh: s.mesh, name: 'shop' });
    const a = service(s.appChart, ns, 'a', { versions: [{ name: 'v1' }, { name: 'v2' }], openTelemetry: { enabled: false } });
    new CanaryRoute(s.appChart, 'Route', { service: a, defaultDestination: Destination.split([{ version: 'v1', percent: 90 }, { version: 'v2', percent: 10 }]) });
    new ControlPlane(s.cpChart, 'CP', { mesh: s.mesh, profile: IstioProfile.AMBIENT, ...(revision ? { revision } : {}) });
    return { ...s, ns };
  }

  test('GIVEN an ambient mesh and a revisioned ControlPlane THEN the namespace names the revision with injection disabled, and the waypoint is the revision\'s', () => {
    const { appChart } = ambient('1-30-3');
    const objects = Testing.synth(appChart);
    expect(one(objects, 'Namespace', 'shop').metadata.labels).toEqual({
      'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint', 'istio.io/rev': '1-30-3', 'istio-injection': 'disabled',
    });
    expect(one(objects, 'Gateway', 'waypoint').metadata.labels).toEqual({ 'istio.io/waypoint-for': 'service', 'istio.io/rev': '1-30-3' });
    // Istio's injection analyzer: istio-injection=disabled with istio.io/rev and ambient is no conflict (IST0123).
    const findings = validateManifests(objects.map((manifest) => ({ manifest })));
    expect(findings.filter((f) => f.code === 'IST0123' || f.level === 'error')).toEqual([]);
  });

  test('GIVEN the same labels without istio-injection: disabled THEN Istio\'s analyzer reports the conflict (why it is set)', () => {
    const objects = Testing.synth(ambient('1-30-3').appChart).map((o) => (o.kind === 'Namespace'
      ? { ...o, metadata: { ...o.metadata, labels: Object.fromEntries(Object.entries(o.metadata.labels).filter(([k]) => k !== 'istio-injection')) } }
      : o));
    expect(validateManifests(objects.map((manifest) => ({ manifest }))).map((f) => f.code)).toContain('IST0123');
  });

  test('GIVEN no revision THEN the ambient namespace and waypoint are as before', () => {
    const objects = Testing.synth(ambient().appChart);
    expect(one(objects, 'Namespace', 'shop').metadata.labels).toEqual({ 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' });
    expect(one(objects, 'Gateway', 'waypoint').metadata.labels).toEqual({ 'istio.io/waypoint-for': 'service' });
  });
});
