/**
 * Consumer-trial finding F0e: the workload's proxy authorizes the path it receives, i.e. the path
 * after the route's rewrite (Istio 1.30.3 pilot/pkg/networking/core/route/route.go writes
 * `rewrite.uri` as Envoy's `prefix_rewrite`, applied by the calling proxy before the request leaves
 * it; the destination's RBAC filter reads `:path`). So:
 * - an exposure's allow rule (the gateway's identity, the exposed paths) also admits the rewritten
 *   images of the exposed paths: the gateway sends nothing but what its route maps;
 * - an allow rule of a mesh caller whose paths miss the rewritten path is left as written (a mesh
 *   caller could send the rewritten path itself) and synth warns CI5010, naming the rule, its paths,
 *   the route rule and the rewritten path.
 */
import {
  CanaryRoute, Destination, IngressGateway, MeshSimulator, MtlsMode, PathMatch, Rewrite, RoutePath, StringMatch,
  ZeroTrustPolicy,
} from '../src';
import { collectFindings } from '../src/warnings';
import { meshChart, one, service, synth } from './helpers';

const INGRESS = 'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account';

describe('GIVEN a service exposed on /api whose route rewrites /api/old to /internal/new, behind a default deny', () => {
  function setup() {
    const { chart, mesh, ns } = meshChart();
    const web = service(chart, ns, 'web');
    new CanaryRoute(chart, 'R', {
      service: web,
      rules: [
        { name: 'rw', match: [{ uri: StringMatch.exact('/api/old') }], destination: Destination.version('v1'), rewrite: Rewrite.uri('/internal/new') },
        { name: 'legacy', match: [{ uri: StringMatch.prefix('/api/legacy/') }], destination: Destination.version('v1'), rewrite: Rewrite.uri('/v2/') },
      ],
      defaultDestination: Destination.version('v1'),
    });
    new IngressGateway(chart, 'Gw', { mesh, name: 'gw', hosts: ['shop.example.com'] }).expose(web, { paths: [RoutePath.prefix('/api')] });
    new ZeroTrustPolicy(chart, 'ZT', { mesh, meshMtls: MtlsMode.STRICT, namespaces: [{ namespace: ns }] });
    return { chart, web };
  }

  test('WHEN synthesized THEN the gateway\'s allow rule admits the exposed paths and their rewritten images', () => {
    const { chart } = setup();
    expect(one(synth(chart), 'AuthorizationPolicy', 'web-allow').spec).toMatchObject({
      action: 'ALLOW',
      rules: [{ from: [{ source: { principals: [INGRESS] } }], to: [{ operation: { paths: ['/api', '/api/*', '/internal/new', '/v2/*'] } }] }],
    });
  });

  test('WHEN the simulator follows GET /api/old through the gateway THEN the route rewrites it and the workload allows the rewritten path', () => {
    const { chart } = setup();
    const sim = MeshSimulator.fromManifests(synth(chart));
    const routed = sim.route({ host: 'shop.example.com', gateway: 'istio-system/gw', path: '/api/old' });
    expect(routed).toMatchObject({ rewrite: { path: '/internal/new' } });
    expect(sim.authorize({ to: 'web.production', fromPrincipal: INGRESS, path: routed.rewrite!.path!, method: 'GET' })).toMatchObject({ decision: 'ALLOW' });
    const legacy = sim.route({ host: 'shop.example.com', gateway: 'istio-system/gw', path: '/api/legacy/items' });
    expect(legacy).toMatchObject({ rewrite: { path: '/v2/items' } });
    expect(sim.authorize({ to: 'web.production', fromPrincipal: INGRESS, path: '/v2/items', method: 'GET' })).toMatchObject({ decision: 'ALLOW' });
  });

  test('WHEN synthesized THEN paths outside the exposure and its rewrites stay denied to the gateway', () => {
    const { chart } = setup();
    const sim = MeshSimulator.fromManifests(synth(chart));
    expect(sim.authorize({ to: 'web.production', fromPrincipal: INGRESS, path: '/internal/other', method: 'GET' })).toMatchObject({ decision: 'DENY' });
  });

  test('WHEN synthesized THEN no CI5010 warning: the library wrote both the route and the rule', () => {
    const { chart } = setup();
    synth(chart);
    expect(collectFindings(chart).filter((f) => f.code === 'CI5010')).toEqual([]);
  });
});

describe('GIVEN issue 18\'s mesh-internal case: a route rewriting /v1/ to / and allowFrom(order, { paths: prefix /v1/ })', () => {
  function setup() {
    const { chart, mesh, ns } = meshChart();
    const web = service(chart, ns, 'web');
    const order = service(chart, ns, 'order');
    new CanaryRoute(chart, 'R', {
      service: web,
      rules: [{ name: 'v1-api', match: [{ uri: StringMatch.prefix('/v1/') }], destination: Destination.version('v1'), rewrite: Rewrite.uri('/') }],
      defaultDestination: Destination.version('v1'),
    });
    new ZeroTrustPolicy(chart, 'ZT', { mesh, meshMtls: MtlsMode.STRICT, namespaces: [{ namespace: ns }] });
    return { chart, web, order };
  }

  test('WHEN synthesized THEN the rule is left as written and synth warns CI5010 naming the rule, its paths, the route rule and the rewritten path', () => {
    const { chart, web, order } = setup();
    web.allowFrom(order, { paths: [PathMatch.prefix('/v1/')] });
    const out = synth(chart);
    expect(one(out, 'AuthorizationPolicy', 'web-allow').spec.rules[0].to).toEqual([{ operation: { paths: ['/v1/*'] } }]);
    const findings = collectFindings(chart).filter((f) => f.code === 'CI5010');
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toMatch(/allow rule added by .* admits paths \/v1\/\* on web, but route rules\[0\] \(v1-api\) .* rewrites those requests to \/\*.*denied \(403\)\. Hint: add the rewritten path/);
    // The simulator agrees: the route rewrites /v1/items to /items, which the rule does not admit.
    const sim = MeshSimulator.fromManifests(out);
    expect(sim.route({ host: 'web.production', path: '/v1/items' })).toMatchObject({ rewrite: { path: '/items' } });
    expect(sim.authorize({ to: 'web.production', fromPrincipal: 'cluster.local/ns/production/sa/order', path: '/items', method: 'GET' })).toMatchObject({ decision: 'DENY' });
  });

  test('WHEN the rule also admits the rewritten path THEN no warning, and the simulator allows the rewritten request', () => {
    const { chart, web, order } = setup();
    web.allowFrom(order, { paths: [PathMatch.prefix('/v1/'), PathMatch.prefix('/')] });
    const out = synth(chart);
    expect(collectFindings(chart).filter((f) => f.code === 'CI5010')).toEqual([]);
    expect(MeshSimulator.fromManifests(out).authorize({ to: 'web.production', fromPrincipal: 'cluster.local/ns/production/sa/order', path: '/items', method: 'GET' })).toMatchObject({ decision: 'ALLOW' });
  });
});
