/**
 * Consumer-trial finding F0c: with RoutingApi.GATEWAY_API, the HTTPRoute of an exposure carries the
 * same filters per rule as the service's mesh HTTPRoute (one function renders both), so a rewrite,
 * header change, mirror or CORS policy applies to ingress traffic too, and a redirect rule stays a
 * RequestRedirect. Istio 1.30.3 pilot/pkg/config/kube/gateway/conversion.go (convertHTTPRoute): a rule
 * with no backendRefs and no RequestRedirect filter becomes `directResponse: { status: 404 }`.
 */
import { Duration } from 'cdk8s';
import {
  CanaryRoute, Cors, Destination, HeaderMatch, HeaderMutation, IngressGateway, MeshSimulator, Mirror, Redirect, Rewrite,
  RoutePath, RoutingApi, StringMatch,
} from '../src';
import { meshChart, one, service, synth } from './helpers';

const GATEWAY = 'istio-system/gw';

function shop() {
  const { chart, mesh, ns } = meshChart({ routingApi: RoutingApi.GATEWAY_API });
  const web = service(chart, ns, 'web', { versions: [{ name: 'v1' }, { name: 'v2' }] });
  new CanaryRoute(chart, 'R', {
    service: web,
    timeout: Duration.seconds(4),
    rules: [
      { name: 'rw', match: [{ uri: StringMatch.exact('/api/old') }], destination: Destination.version('v1'), rewrite: Rewrite.uri('/api/new'), headers: HeaderMutation.request({ set: { 'x-a': '1' } }) },
      { name: 'moved', match: [{ uri: StringMatch.exact('/api/moved') }], redirect: Redirect.to({ uri: '/api/new', code: 301 }) },
      { name: 'chaos', match: [{ headers: [HeaderMatch.exact('x-chaos', 'on')] }], destination: Destination.version('v2') },
    ],
    defaultDestination: Destination.version('v1'),
    defaultEffects: { mirror: Mirror.toVersion('v2', { percent: 5 }), cors: Cors.of({ allowOrigins: [StringMatch.exact('https://a.example.com')] }) },
  });
  new IngressGateway(chart, 'Gw', { mesh, name: 'gw', hosts: ['shop.example.com'] }).expose(web, { paths: [RoutePath.prefix('/api')] });
  return synth(chart);
}

describe('GIVEN RoutingApi.GATEWAY_API and an exposed service whose rules have effects', () => {
  const out = shop();
  const ingress = one(out, 'HTTPRoute', 'gw-web-shop-example-com');
  const mesh = one(out, 'HTTPRoute', 'web');
  const filtersByRule = (route: any) => Object.fromEntries(route.spec.rules.map((r: any, i: number) => [r.name ?? `#${i}`, r.filters ?? []]));

  test('WHEN synthesized THEN each ingress rule carries the filters of the mesh rule of the same name', () => {
    const meshFilters = filtersByRule(mesh);
    const ingressFilters = filtersByRule(ingress);
    expect(ingressFilters.rw).toEqual(meshFilters.rw);
    expect(ingressFilters.moved).toEqual(meshFilters.moved);
    expect(ingressFilters.rw).toMatchObject([
      { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-a', value: '1' }] } },
      { type: 'URLRewrite', urlRewrite: { path: { type: 'ReplaceFullPath', replaceFullPath: '/api/new' } } },
    ]);
    // The default rule (no name): mirror and CORS, as in the mesh HTTPRoute's last rule.
    expect(ingress.spec.rules[ingress.spec.rules.length - 1].filters).toEqual(mesh.spec.rules[mesh.spec.rules.length - 1].filters);
    expect(ingress.spec.rules[ingress.spec.rules.length - 1].filters).toMatchObject([
      { type: 'RequestMirror', requestMirror: { backendRef: { name: 'web-v2' }, percent: 5 } },
      { type: 'CORS', cors: { allowOrigins: ['https://a.example.com'] } },
    ]);
  });

  test('WHEN synthesized THEN the redirect rule is a RequestRedirect filter with no backendRefs and no timeout (not a rule Istio answers with 404)', () => {
    const moved = ingress.spec.rules.find((r: any) => r.name === 'moved');
    expect(moved).toMatchObject({ filters: [{ type: 'RequestRedirect', requestRedirect: { path: { type: 'ReplaceFullPath', replaceFullPath: '/api/new' }, statusCode: 301 } }] });
    expect(moved.backendRefs).toBeUndefined();
    expect(moved.timeouts).toBeUndefined();
  });

  describe('WHEN the simulator routes at the Gateway API gateway', () => {
    const sim = MeshSimulator.fromManifests(out);

    test('THEN the ingress HTTPRoute routes the host, and the rewrite and header change apply', () => {
      expect(sim.route({ host: 'shop.example.com', gateway: GATEWAY, path: '/api/old' })).toMatchObject({
        routedBy: 'HTTPRoute/production/gw-web-shop-example-com',
        destinations: [{ host: 'web-v1.production.svc.cluster.local', weight: 100 }],
        rewrite: { path: '/api/new' },
        headers: { request: { set: { 'x-a': '1' } } },
      });
    });

    test('THEN the redirect rule redirects', () => {
      expect(sim.route({ host: 'shop.example.com', gateway: GATEWAY, path: '/api/moved' })).toMatchObject({
        destinations: [], redirect: { path: { replaceFullPath: '/api/new' }, statusCode: 301 },
      });
    });

    test('THEN the default rule mirrors 5% to v2 and answers CORS', () => {
      expect(sim.route({ host: 'shop.example.com', gateway: GATEWAY, path: '/api/items' })).toMatchObject({
        mirrors: [{ host: 'web-v2.production.svc.cluster.local', percent: 5 }],
        cors: { allowOrigins: ['https://a.example.com'] },
      });
    });

    test('THEN a path that is not exposed has no route, and a mesh request still follows the mesh HTTPRoute', () => {
      expect(sim.route({ host: 'shop.example.com', gateway: GATEWAY, path: '/admin' })).toMatchObject({ noRoute: true });
      expect(sim.route({ host: 'web.production', path: '/api/old' })).toMatchObject({ routedBy: 'HTTPRoute/production/web', rewrite: { path: '/api/new' } });
    });
  });
});
