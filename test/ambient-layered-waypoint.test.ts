/**
 * Issue 22 item 4: istiod's ENABLE_LAYERED_WAYPOINT_AUTHORIZATION_POLICIES (pilot/pkg/features/ambient.go,
 * default false). When true, the waypoint's HBONE termination gets the L4 rules of the policies that select
 * its own pod by the ordinary workload rules (pilot/pkg/networking/core/listener_waypoint.go →
 * authz.NewWaypointTerminationBuilder, IsWaypoint = false in pilot/pkg/networking/plugin/authz/
 * authorization.go, Istio 1.30.3): the namespace default deny (an ALLOW policy without rules and without
 * a selector) then applies to the waypoint too. `Mesh({ layeredWaypointAuthorization: true })` says so,
 * and the mesh renders the waypoint's own L4 allow.
 */
import { Testing } from 'cdk8s';
import { buildReferenceApp, AMBIENT_VARIANT } from '../examples/reference-app';
import { DataPlaneMode, ExternalIdentity, HttpMethod, PathMatch, Risk, RoutingApi, validateManifests, ZeroTrustPolicy } from '../src';
import { meshChart, one, service, synth } from './helpers';

const INGRESS = ExternalIdentity.serviceAccount({ namespace: 'istio-system', serviceAccount: 'istio-ingressgateway-service-account' });

function given(layered: boolean | undefined, defaultDeny = true) {
  const { chart, mesh, ns } = meshChart({ dataPlane: DataPlaneMode.AMBIENT, routingApi: RoutingApi.GATEWAY_API, ...(layered !== undefined ? { layeredWaypointAuthorization: layered } : {}) });
  const order = service(chart, ns, 'order-service');
  const payment = service(chart, ns, 'payment-service');
  if (defaultDeny) new ZeroTrustPolicy(chart, 'ZeroTrust', { mesh, namespaces: [{ namespace: ns, defaultDeny }] });
  payment.allowFrom(order, { methods: [HttpMethod.POST], paths: [PathMatch.prefix('/api/payments/')] });
  order.allowFrom(INGRESS, { methods: [HttpMethod.GET] });
  order.allowFrom(INGRESS, { methods: [HttpMethod.POST] });
  return { chart, objects: () => synth(chart) };
}
const names = (objects: any[]) => objects.filter((o) => o.kind === 'AuthorizationPolicy').map((o) => o.metadata.name).sort();

describe('layered waypoint authorization (issue 22 item 4)', () => {
  test('GIVEN the setting on and a namespace default deny WHEN synthesized THEN the waypoint\'s pod gets an L4 allow for every declared caller', () => {
    const objects = given(true).objects();
    const p = one(objects, 'AuthorizationPolicy', 'waypoint-allow');
    expect(p.metadata.namespace).toBe('production');
    // THEN it selects the waypoint's pod by the label Istio's waypoint template sets, and names sources only
    // (the HTTP parts stay with the L7 policies the waypoint applies next); identical sources once
    expect(p.spec).toEqual({
      selector: { matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint' } },
      action: 'ALLOW',
      rules: [
        { from: [{ source: { principals: ['cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account'], namespaces: ['istio-system'] } }] },
        { from: [{ source: { principals: ['cluster.local/ns/production/sa/order-service'], namespaces: ['production'] } }] },
      ],
    });
    // AND the external caller is declared on it, so lint of the YAML knows it
    expect(p.metadata.annotations).toEqual({ 'validation.cdk8s-istio.io/external-principals': 'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account' });
  });

  test('GIVEN Istio\'s default (off) WHEN synthesized THEN no policy for the waypoint\'s pod (it would select a pod nothing enforces for)', () => {
    expect(names(given(undefined).objects())).not.toContain('waypoint-allow');
    expect(names(given(false).objects())).not.toContain('waypoint-allow');
  });

  test('GIVEN the setting on and no default deny WHEN synthesized THEN nothing is added: no ALLOW policy applies to the waypoint, which admits everyone at L4', () => {
    expect(names(given(true, false).objects())).not.toContain('waypoint-allow');
  });

  test('GIVEN an allow rule without callers WHEN rendered THEN the waypoint layer admits any caller (the L7 rule still restricts it)', () => {
    const { chart, mesh, ns } = meshChart({ dataPlane: DataPlaneMode.AMBIENT, routingApi: RoutingApi.GATEWAY_API, layeredWaypointAuthorization: true });
    const svc = service(chart, ns, 'web');
    new ZeroTrustPolicy(chart, 'ZeroTrust', { mesh, namespaces: [{ namespace: ns, defaultDeny: true }] });
    svc.security.allowAnyCaller({ methods: [HttpMethod.GET], acceptRisk: Risk.ALLOW_ALL });
    expect(one(synth(chart), 'AuthorizationPolicy', 'waypoint-allow').spec.rules).toEqual([{}]);
  });

  test('GIVEN the reference app\'s ambient variant with the setting WHEN validated THEN the only finding is IST0127: the waypoint pod istiod creates is not in the files', () => {
    const chart = Testing.chart();
    buildReferenceApp(chart, { dataPlane: DataPlaneMode.AMBIENT, routingApi: RoutingApi.GATEWAY_API, layeredWaypointAuthorization: true }, AMBIENT_VARIANT);
    const objects = Testing.synth(chart);
    expect(one(objects, 'AuthorizationPolicy', 'waypoint-allow').spec.rules).toHaveLength(2);
    // (on a cluster the waypoint Deployment, from the istio-waypoint Gateway, has the pod; docs/ambient-gateway-api.md)
    expect(validateManifests(objects.map((manifest) => ({ manifest }))).filter((f) => f.level !== 'info').map((f) => `${f.code} ${f.message}`)).toEqual([
      'IST0127 spec.selector: "gateway.networking.k8s.io/gateway-name=waypoint" matches no pod in the mesh in namespace "production"',
    ]);
  });

  test('the setting is refused on a sidecar mesh and must be a boolean', () => {
    expect(() => meshChart({ layeredWaypointAuthorization: true })).toThrow(/props.layeredWaypointAuthorization: true is invalid: layered waypoint authorization is an ambient setting/);
    expect(() => meshChart({ dataPlane: DataPlaneMode.AMBIENT, layeredWaypointAuthorization: 'yes' as any })).toThrow(/props.layeredWaypointAuthorization: "yes" is invalid: must be a boolean/);
  });
});
