/**
 * F0b (consumer trial): an ambient namespace that enforces Pod Security "restricted" and gets a waypoint.
 *
 * Istio 1.30.3 `manifests/charts/istio-control/istio-discovery/files/waypoint.yaml` deploys the waypoint
 * with no pod securityContext and one container, `istio-proxy`, whose securityContext sets
 * `privileged: false`, `runAsUser`/`runAsGroup: 1337`, `allowPrivilegeEscalation: false`,
 * `readOnlyRootFilesystem: true`, `runAsNonRoot: true`, `capabilities.drop: [ALL]`, and a
 * `seccompProfile` only `{{- if .Values.gateways.seccompProfile }}` (istio-discovery values.yaml:
 * `gateways.seccompProfile: {}`, "Set to `type: RuntimeDefault` to use the default profile for
 * templated gateways"). Kubernetes Pod Security "restricted" requires the seccomp profile to be set
 * (RuntimeDefault or Localhost), so without the value the API server refuses the waypoint pods.
 * The IstioOperator values carry it as `values.gateways.seccompProfile`
 * (operator/pkg/apis/values_types.pb.go `GatewaysConfig.SeccompProfile`).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CanaryRoute, ControlPlane, DataPlaneMode, Destination, IstioProfile, Mesh, MeshApp, MeshChart, MeshNamespace, RoutingApi } from '../../src';
import { GATEWAY_SECCOMP_PROFILE, podSecurityRestrictedViolations, waypointPod, waypointPodSecurity } from '../../src/rules/pod-security';
import { OTEL, service } from '../helpers';

function setup(enforce: 'restricted' | 'baseline', l7 = true) {
  const logged: string[] = [];
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'waypoint-psa-'));
  const app = new MeshApp({ outdir, log: (l) => logged.push(l) });
  const chart = new MeshChart(app, 'app');
  const mesh = new Mesh(chart, 'Mesh', { dataPlane: DataPlaneMode.AMBIENT, routingApi: RoutingApi.GATEWAY_API, tracing: { provider: OTEL, samplingPercentage: 10 } });
  const ns = new MeshNamespace(chart, 'Shop', { mesh, name: 'shop', podSecurity: { enforce } });
  const web = service(chart, ns, 'web', { versions: [{ name: 'v1' }, { name: 'v2' }] });
  if (l7) new CanaryRoute(chart, 'Route', { service: web, defaultDestination: Destination.split([{ version: 'v1', percent: 50 }, { version: 'v2', percent: 50 }]) });
  const cpChart = new MeshChart(app, 'control-plane', { outputDir: 'control-plane' });
  return { app, chart, mesh, ns, cpChart, logged, outdir };
}

describe('the waypoint template under Pod Security (files/waypoint.yaml, 1.30.3)', () => {
  test('GIVEN the template\'s pod WHEN checked against "restricted" THEN the only violation is the missing seccomp profile; with gateways.seccompProfile RuntimeDefault none', () => {
    expect(waypointPod().spec.containers[0].securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(podSecurityRestrictedViolations(waypointPod())).toEqual([
      'spec.containers[0] (istio-proxy).securityContext.seccompProfile.type must be RuntimeDefault or Localhost, here or in spec.securityContext (seccomp)',
    ]);
    expect(podSecurityRestrictedViolations(waypointPod(GATEWAY_SECCOMP_PROFILE))).toEqual([]);
    expect(waypointPodSecurity('baseline')).toBeUndefined();
  });
});

describe('ControlPlane writes values.gateways.seccompProfile when a restricted namespace gets a waypoint', () => {
  test('GIVEN an ambient namespace enforcing "restricted" with a route (a waypoint) and a ControlPlane WHEN synthesized THEN the overlay and the Helm values carry gateways.seccompProfile RuntimeDefault, and no CI0603', () => {
    const s = setup('restricted');
    const cp = new ControlPlane(s.cpChart, 'CP', { mesh: s.mesh, profile: IstioProfile.AMBIENT });
    s.app.synth();
    expect(cp.renderIstioOperatorSpec()).toMatchObject({ values: { gateways: { seccompProfile: { type: 'RuntimeDefault' } } } });
    expect(cp.renderHelmValues()).toMatchObject({ gateways: { seccompProfile: { type: 'RuntimeDefault' } } });
    expect(fs.readFileSync(path.join(s.outdir, 'control-plane', 'istiod-values.yaml'), 'utf8')).toMatch(/gateways:\n {2}seccompProfile:\n {4}type: RuntimeDefault/);
    expect(s.logged.join('\n')).not.toContain('CI0603');
  });

  test.each([
    ['"baseline" (no seccomp requirement)', 'baseline' as const, true],
    ['"restricted" without L7 intent (no waypoint)', 'restricted' as const, false],
  ])('GIVEN a namespace enforcing %s THEN the ControlPlane values are unchanged (no gateways key)', (_, enforce, l7) => {
    const s = setup(enforce, l7);
    const cp = new ControlPlane(s.cpChart, 'CP', { mesh: s.mesh, profile: IstioProfile.AMBIENT });
    s.app.synth();
    expect(cp.renderIstioOperatorSpec().values).toBeUndefined();
    expect(cp.renderHelmValues().gateways).toBeUndefined();
  });

  test('GIVEN no ControlPlane in the app WHEN synthesized THEN CI0603 warns, naming the namespace and the install value to set', () => {
    const s = setup('restricted');
    s.app.synth();
    expect(s.logged.join('\n')).toMatch(/CI0603.*namespace shop gets a waypoint and enforces Pod Security "restricted", but the waypoint pods istiod deploys break .*seccompProfile.*Hint: install Istio with values\.gateways\.seccompProfile: \{type: RuntimeDefault\}/);
  });
});
