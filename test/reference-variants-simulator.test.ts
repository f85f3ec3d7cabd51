import { Testing } from 'cdk8s';
import { AMBIENT_VARIANT, buildReferenceApp } from '../examples/reference-app';
import { DataPlaneMode, ISTIO_DEFAULT_RETRIES, MeshSimulator, RoutingApi } from '../src';
import { AUTHZ_MATRIX, ORDER, ORDER_HOST, PAYMENT_HOST, ROUTE_MATRIX } from './simulator/helpers';

// GIVEN both variants of the reference app, synthesized from the same intent
function simulate(build: (chart: any) => void, keep: (o: any) => boolean = () => true): MeshSimulator {
  const chart = Testing.chart();
  build(chart);
  return MeshSimulator.fromManifests(Testing.synth(chart).filter(keep));
}
const buildAmbient = (c: any) => buildReferenceApp(c, { dataPlane: DataPlaneMode.AMBIENT, routingApi: RoutingApi.GATEWAY_API }, AMBIENT_VARIANT);
const sidecar = simulate((c) => buildReferenceApp(c));
const ambient = simulate(buildAmbient);

/** What a request means to a user: where it lands per version, its timeout, and whether it is routed at all. */
function routeAnswers(sim: MeshSimulator) {
  return ROUTE_MATRIX.map((r) => {
    const a = sim.route(r);
    return { request: r, noRoute: !!a.noRoute, split: sim.versionSplit(r), timeout: a.timeout, warnings: a.warnings };
  });
}

describe('simulator: sidecar + Istio API and ambient + Gateway API give the same answers on the reference matrix', () => {
  test('routes: canary header, x-canary: TRUE, even/odd/empty/missing user id, paths: same split per version and timeout', () => {
    const a = routeAnswers(ambient);
    expect(a).toEqual(routeAnswers(sidecar));
    // Sanity: the matrix exercises every branch (canary/even → v2, the rest 90/10, payment → v1).
    expect(new Set(a.map((x) => JSON.stringify(x.split)))).toEqual(new Set([
      JSON.stringify({ v2: 100 }), JSON.stringify({ v1: 90, v2: 10 }), JSON.stringify({ v1: 100 }),
    ]));
  });

  test('the ambient variant routes with the HTTPRoutes, in the rule the intent names', () => {
    const rules = ROUTE_MATRIX.filter((r) => r.host === ORDER_HOST).map((r) => [ambient.route(r).rule, sidecar.route(r).rule]);
    for (const [a, s] of rules) expect(a).toBe(s);
    expect(ambient.route({ host: ORDER_HOST, headers: { 'x-canary': 'true' } }).routedBy).toBe('HTTPRoute/production/order-service');
    expect(sidecar.route({ host: ORDER_HOST, headers: { 'x-canary': 'true' } }).routedBy).toBe('VirtualService/production/order-service');
  });

  test('the one documented difference: retries (explicit in the sidecar app, Istio\'s default in the variant)', () => {
    expect(sidecar.route({ host: ORDER_HOST }).retries).toMatchObject({ attempts: 3 });
    expect(sidecar.route({ host: PAYMENT_HOST }).retries).toMatchObject({ attempts: 2, retryOn: '5xx,reset' });
    expect(ambient.route({ host: ORDER_HOST }).retries).toEqual(ISTIO_DEFAULT_RETRIES);
    expect(ambient.route({ host: PAYMENT_HOST }).retries).toEqual(ISTIO_DEFAULT_RETRIES);
  });

  test('authorization: every decision of issue 5 is the same', () => {
    const decisions = (sim: MeshSimulator) => AUTHZ_MATRIX.map((r) => ({ request: r, decision: sim.authorize(r).decision }));
    expect(decisions(ambient)).toEqual(decisions(sidecar));
    expect(new Set(decisions(ambient).map((d) => d.decision))).toEqual(new Set(['ALLOW', 'DENY']));
  });

  test('ambient: L7 decisions are made at the waypoint, with the allow rule of the destination Service', () => {
    const ok = ambient.authorize({ to: PAYMENT_HOST, fromPrincipal: ORDER, method: 'POST', path: '/api/payments/42' });
    expect(ok).toMatchObject({ decision: 'ALLOW', policy: 'production/payment-service-allow' });
    const guest = ambient.authorize({ to: PAYMENT_HOST, fromPrincipal: ORDER, method: 'POST', path: '/api/payments/42', headers: { 'x-user-role': 'guest' } });
    expect(guest).toMatchObject({ decision: 'DENY', enforcedBy: 'waypoint' });
  });

  test('why payment-service-ztunnel-allow admits the waypoint: without it, ztunnel sees the waypoint identity and its default deny drops the allowed call', () => {
    const broken = simulate(buildAmbient, (o) => !(o.kind === 'AuthorizationPolicy' && o.metadata.name === 'payment-service-ztunnel-allow'));
    const req = { to: PAYMENT_HOST, fromPrincipal: ORDER, method: 'POST', path: '/api/payments/42' };
    expect(broken.authorize(req)).toMatchObject({ decision: 'DENY', enforcedBy: 'ztunnel' });
    expect(ambient.authorize(req)).toMatchObject({ decision: 'ALLOW' });
  });
});
