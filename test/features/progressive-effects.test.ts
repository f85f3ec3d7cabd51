import { Duration } from 'cdk8s';
import { CanaryAnalysis, CanaryRoute, Cors, Destination, HeaderMatch, HeaderMutation, HttpMethod, MeshSimulator, MetricCheck, Mirror, Rewrite, RouteEffects, StringMatch } from '../../src';
import { validateManifests } from '../../src/validation';
import { meshChart, one, service, synth } from '../helpers';

// Flagger v1.44.0's Canary `spec.service` has `headers`, `corsPolicy` and `rewrite` (imports/schemas/flagger.json,
// flagger.app/v1beta1 Canary), and its Istio router copies them onto every HTTP route of the VirtualService it
// writes (pkg/router/istio.go reconcileVirtualService: `Rewrite: GetIstioRewrite()`, `CorsPolicy`, `Headers`).
// It has no fault and no mirror field.

const weighted = () => CanaryAnalysis.weighted({ interval: Duration.minutes(1), threshold: 5, stepWeight: 10, maxWeight: 50, metrics: [MetricCheck.requestSuccessRate({ minPercent: 99 })] });

function progressive(defaultEffects: RouteEffects, analysis = weighted(), extra: Record<string, unknown> = {}) {
  const { chart, ns } = meshChart();
  const order = service(chart, ns, 'order-service', { versions: [{ name: 'v1' }, { name: 'v2' }] });
  new CanaryRoute(chart, 'Route', { service: order, defaultDestination: Destination.version('v1'), defaultEffects, progressive: analysis, ...extra });
  return chart;
}

describe('progressive route: default effects Flagger carries in the Canary', () => {
  test('GIVEN headers, CORS and a rewrite on a weighted progressive route THEN the Canary service block carries them, schema-valid', () => {
    // GIVEN
    const chart = progressive({
      headers: HeaderMutation.request({ set: { 'x-env': 'prod' } }),
      cors: Cors.of({ allowOrigins: [StringMatch.exact('https://shop.example.com')], allowMethods: [HttpMethod.GET], maxAge: Duration.hours(1) }),
      rewrite: Rewrite.authority('order.internal'),
    });
    // WHEN
    const objects = synth(chart);
    // THEN
    expect(one(objects, 'Canary', 'order-service').spec.service).toMatchObject({
      headers: { request: { set: { 'x-env': 'prod' } } },
      corsPolicy: { allowOrigins: [{ exact: 'https://shop.example.com' }], allowMethods: ['GET'], maxAge: '3600s' },
      rewrite: { authority: 'order.internal' },
    });
    expect(objects.filter((o) => o.kind === 'VirtualService')).toEqual([]);
    expect(validateManifests(objects.map((manifest) => ({ manifest }))).filter((f) => f.level === 'error')).toEqual([]);
  });

  test('GIVEN a header change on a weighted progressive route THEN the simulator answers with it on the route Flagger writes', () => {
    const chart = progressive({ headers: HeaderMutation.response({ set: { 'x-served-by': 'order' } }) });
    const sim = MeshSimulator.fromManifests(synth(chart));
    expect(sim.route({ host: 'order-service.production', path: '/' })).toMatchObject({ headers: { response: { set: { 'x-served-by': 'order' } } } });
  });

  test.each([
    ['headers', { headers: HeaderMutation.request({ set: { 'x-a': '1' } }) }],
    ['cors', { cors: Cors.of({ allowOrigins: [StringMatch.exact('https://a.example')] }) }],
  ] as Array<[string, RouteEffects]>)('GIVEN default %s in an A/B test THEN refused: Flagger would also put it on the A/B route', (k, effects) => {
    const ab = CanaryAnalysis.abTesting({ interval: Duration.minutes(1), threshold: 5, iterations: 10, metrics: [MetricCheck.requestSuccessRate({ minPercent: 99 })] });
    const rules = [{ match: [{ headers: [HeaderMatch.exact('x-canary', 'true')] }], destination: Destination.version('v2') }];
    expect(() => progressive(effects, ab, { rules })).toThrow(new RegExp(`props\\.defaultEffects\\.${k}: .* is invalid: in an A/B test Flagger copies .*every route it writes.*Hint: set progressiveDelegation: true`));
  });

  test('GIVEN a default mirror without delegation THEN still refused: the Canary has no mirror field', () => {
    expect(() => progressive({ mirror: Mirror.toVersion('v2', { percent: 10 }) })).toThrow(/props\.defaultEffects\.mirror: .* is invalid: .*has no mirror field/);
  });

  test('GIVEN the same effects with progressiveDelegation THEN the root VirtualService carries them and the Canary does not (no double application)', () => {
    const chart = progressive({ headers: HeaderMutation.request({ set: { 'x-env': 'prod' } }) }, weighted(), { progressiveDelegation: true });
    const objects = synth(chart);
    expect(one(objects, 'Canary', 'order-service').spec.service.headers).toBeUndefined();
    expect(JSON.stringify(one(objects, 'VirtualService').spec)).toContain('x-env');
  });
});
