/**
 * Issue 20 item 8 and issue 22 item 6: a host Flagger delivers keeps its zero trust. Flagger copies
 * every pod-template label of its target to the primary except its selector label `app`, which becomes
 * `<name>-primary` (pkg/canary/util.go makePrimaryLabels, pkg/canary/deployment_controller.go
 * createPrimaryDeployment, Flagger v1.44.0); its apex and `-primary` Services select
 * `app: <name>-primary`, its `-canary` Service `app: <name>` (pkg/canary/service_controller.go). So the
 * library's workload policies of a progressive host select Istio's canonical service label, which the
 * target's pods carry and Flagger copies, and the simulator checks them on both sets of pods.
 */
import { ApiObject, Duration, Testing } from 'cdk8s';
import { buildProgressiveApp } from '../examples/progressive';
import { LocalRateLimit, MeshSimulator, MtlsMode, SidecarScope, TokenBucket, ZeroTrustPolicy } from '../src';
import { one, synth } from './helpers';

const INGRESS = 'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account';
const TESTER = 'cluster.local/ns/test/sa/flagger-loadtester';
const LABEL = 'service.istio.io/canonical-name';

/** What Flagger creates from a target Deployment and its Canary, as Flagger v1.44.0 creates it. */
function flaggerCreates(target: any, canary: any): any[] {
  const name = target.metadata.name;
  const ns = target.metadata.namespace;
  const primary = `${name}-primary`;
  // makePrimaryLabels: every label but the selector label, which gets the -primary value
  const relabel = (labels: Record<string, string>) => ({ ...Object.fromEntries(Object.entries(labels).filter(([k]) => k !== 'app')), app: primary });
  const tpl = target.spec.template;
  const port = canary.spec.service;
  const svc = (n: string, app: string) => ({
    apiVersion: 'v1', kind: 'Service', metadata: { name: n, namespace: ns },
    spec: { selector: { app }, ports: [{ name: port.portName, port: port.port, targetPort: port.targetPort, protocol: 'TCP' }] },
  });
  return [
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: primary, namespace: ns, labels: relabel(target.metadata.labels ?? {}) },
      spec: { ...target.spec, selector: { matchLabels: { app: primary } }, template: { ...tpl, metadata: { ...tpl.metadata, labels: relabel(tpl.metadata.labels) } } },
    },
    svc(name, primary), svc(primary, primary), svc(`${name}-canary`, name),
  ];
}

function progressiveSet() {
  const chart = Testing.chart();
  buildProgressiveApp(chart);
  const objects = Testing.synth(chart);
  const target = one(objects, 'Deployment', 'order-service');
  const canary = one(objects, 'Canary', 'order-service');
  return { objects, target, flagger: flaggerCreates(target, canary) };
}

describe('the progressive variant keeps zero trust (issue 20 item 8)', () => {
  const { objects, target, flagger } = progressiveSet();

  test('GIVEN the progressive example WHEN synthesized THEN it has the default deny, mesh mTLS and least-privilege allows', () => {
    expect(one(objects, 'AuthorizationPolicy', 'default-deny')).toMatchObject({ metadata: { namespace: 'production' }, spec: {} });
    expect(one(objects, 'PeerAuthentication', 'default')).toMatchObject({ metadata: { namespace: 'istio-system' }, spec: { mtls: { mode: 'PERMISSIVE' } } });
    const allow = one(objects, 'AuthorizationPolicy', 'order-service-allow');
    // THEN the allow selects the label Flagger copies, not app (which Flagger's primary loses)
    expect(allow.spec.selector).toEqual({ matchLabels: { [LABEL]: 'order-service' } });
    expect(allow.spec.rules.map((r: any) => r.from[0].source.principals)).toEqual([[INGRESS], [TESTER]]);
    // AND the target's pods carry it; its selector stays app only (a Deployment selector cannot change)
    expect(target.spec.template.metadata.labels).toEqual({ 'app': 'order-service', 'version': 'v2', [LABEL]: 'order-service' });
    expect(target.spec.selector).toEqual({ matchLabels: { app: 'order-service' } });
  });

  test('GIVEN Flagger\'s primary and Services WHEN simulated THEN primary and canary pods allow the same callers and deny the rest', () => {
    const sim = MeshSimulator.fromManifests([...objects, ...flagger]);
    for (const [to, workload] of [['order-service.production', 'production/order-service-primary'], ['order-service-canary.production', 'production/order-service']]) {
      // the ingress gateway, as the reference app allows it
      expect(sim.authorize({ to, fromPrincipal: INGRESS, method: 'POST', path: '/api/orders/7' }))
        .toMatchObject({ decision: 'ALLOW', policy: 'production/order-service-allow', workload });
      // Flagger's load tester: the smoke test's health check and the load test
      expect(sim.authorize({ to, fromPrincipal: TESTER, method: 'GET', path: '/health' })).toMatchObject({ decision: 'ALLOW', workload });
      expect(sim.authorize({ to, fromPrincipal: TESTER, method: 'POST', path: '/api/orders' })).toMatchObject({ decision: 'DENY', workload });
      // anyone else, and plaintext callers, are denied by the default deny
      expect(sim.authorize({ to, fromPrincipal: 'cluster.local/ns/production/sa/other', method: 'GET', path: '/api/orders' })).toMatchObject({ decision: 'DENY', workload });
      expect(sim.authorize({ to, plaintext: true, method: 'GET', path: '/api/orders' })).toMatchObject({ decision: 'DENY', workload });
    }
  });

  test('GIVEN the same policies on app: order-service (the bypass this closes) WHEN simulated THEN the primary (default deny only) and the canary disagree', () => {
    const onApp = objects.map((o: any) => (o.kind === 'AuthorizationPolicy' && o.metadata.name === 'order-service-allow'
      ? { ...o, spec: { ...o.spec, selector: { matchLabels: { app: 'order-service' } } } } : o));
    const sim = MeshSimulator.fromManifests([...onApp, ...flagger]);
    // the primary is then covered by the default deny only, so the ingress gateway is denied there...
    expect(sim.authorize({ to: 'order-service.production', fromPrincipal: INGRESS, method: 'GET', path: '/api/orders' })).toMatchObject({ decision: 'DENY' });
    // ...while the canary still allows it: the two sets of pods would disagree
    expect(sim.authorize({ to: 'order-service-canary.production', fromPrincipal: INGRESS, method: 'GET', path: '/api/orders' })).toMatchObject({ decision: 'ALLOW' });
  });
});

describe('a progressive host: workload mTLS and local rate limits select the shared label too (issue 22 item 6)', () => {
  test('GIVEN requireMtls STRICT and a LocalRateLimit on a progressive host WHEN synthesized THEN both select the label, and synth succeeds', () => {
    const chart = Testing.chart();
    const { order } = buildProgressiveApp(chart);
    (chart.node.findChild('ZeroTrust') as ZeroTrustPolicy).requireMtls(order, MtlsMode.STRICT);
    new LocalRateLimit(chart, 'Limit', { service: order, tokenBucket: TokenBucket.of({ maxTokens: 10, tokensPerFill: 10, fillInterval: Duration.seconds(1) }) });
    const objects = Testing.synth(chart);
    expect(one(objects, 'PeerAuthentication', 'order-service').spec).toEqual({ selector: { matchLabels: { [LABEL]: 'order-service' } }, mtls: { mode: 'STRICT' } });
    expect(one(objects, 'EnvoyFilter', 'order-service-local-ratelimit').spec.workloadSelector).toEqual({ labels: { [LABEL]: 'order-service' } });
    // AND the simulator sees STRICT on the primary: a plaintext caller is refused by mTLS there
    const target = one(objects, 'Deployment', 'order-service');
    const sim = MeshSimulator.fromManifests([...objects, ...flaggerCreates(target, one(objects, 'Canary', 'order-service'))]);
    expect(sim.authorize({ to: 'order-service.production', plaintext: true })).toMatchObject({ decision: 'DENY', kind: 'PeerAuthentication', mtls: 'STRICT', workload: 'production/order-service-primary' });
  });

  test('GIVEN SidecarScope over the namespace of a progressive host WHEN synthesized THEN its Sidecar selects the shared label too', () => {
    const chart = Testing.chart();
    const { mesh, production } = buildProgressiveApp(chart);
    new SidecarScope(chart, 'Egress', { mesh, namespaces: [production] });
    const sidecar = one(Testing.synth(chart), 'Sidecar', 'order-service');
    expect(sidecar.spec.workloadSelector).toEqual({ labels: { [LABEL]: 'order-service' } });
  });

  test('GIVEN a hand-written policy on app: <name> WHEN synthesized THEN it is still refused, pointing at the shared label', () => {
    const g = Testing.chart();
    const { order: o } = buildProgressiveApp(g);
    new ApiObject(g, 'Hand', {
      apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'hand', namespace: 'production' },
      spec: { selector: { matchLabels: { app: o.name } }, rules: [{}] },
    });
    expect(() => synth(g)).toThrow(/AuthorizationPolicy production\/hand .* selects app: order-service.*Hint: select a label Flagger copies to the primary \(the library's own policies for order-service select service.istio.io\/canonical-name: order-service\)/);
  });
});
