/**
 * Consumer-trial finding F0d: exposing a host shared by delegation (CanaryRoute `delegates` +
 * DelegateRoute) on an IngressGateway. The gateway's VirtualService carries the same delegate entries
 * as the mesh root, narrowed to the exposed paths: Istio 1.30.3 merges any root VirtualService (one
 * with hosts, bound to a gateway or not) with the hostless delegates it names
 * (pilot/pkg/model/virtualservice_controller.go mergeVirtualServices) rule by rule
 * (pilot/pkg/model/virtualservice.go mergeHTTPRoute), and drops a delegate rule whose match is not
 * within the root entry's (hasConflict): an exposure narrower than a delegate rule is refused.
 */
import { CanaryRoute, DelegateRoute, Destination, IngressGateway, MeshNamespace, MeshSimulator, RoutePath, StringMatch } from '../src';
import { meshChart, one, service, synth } from './helpers';

const GATEWAY = 'istio-system/gw';

function sharedHost() {
  const { chart, mesh, ns } = meshChart();
  const cart = new MeshNamespace(chart, 'Cart', { mesh, name: 'cart-team' });
  const shop = service(chart, ns, 'shop', { versions: [{ name: 'v1' }, { name: 'v2' }] });
  new CanaryRoute(chart, 'R', {
    service: shop,
    delegates: [{ name: 'shop-cart', namespace: cart, match: [{ uri: StringMatch.prefix('/cart/') }] }],
    defaultDestination: Destination.version('v1'),
  });
  const gw = new IngressGateway(chart, 'Gw', { mesh, name: 'gw', hosts: ['shop.example.com'] });
  const delegate = () => new DelegateRoute(chart, 'D', {
    service: shop, name: 'shop-cart', namespace: cart,
    rules: [{ name: 'v2', match: [{ uri: StringMatch.prefix('/cart/v2/') }], destination: Destination.version('v2') }],
    defaultDestination: Destination.version('v1'),
  });
  return { chart, shop, gw, delegate };
}

describe('GIVEN a host shared with the cart team by delegation', () => {
  test('WHEN exposed on /cart THEN the gateway VirtualService delegates /cart/ to the same delegate, then routes the rest as the root does', () => {
    const { chart, shop, gw, delegate } = sharedHost();
    delegate();
    gw.expose(shop, { paths: [RoutePath.prefix('/cart')] });
    expect(one(synth(chart), 'VirtualService', 'gw-shop-example-com').spec).toMatchObject({
      hosts: ['shop.example.com'],
      gateways: [GATEWAY],
      http: [
        { match: [{ uri: { prefix: '/cart/' } }], delegate: { name: 'shop-cart', namespace: 'cart-team' } },
        { match: [{ uri: { exact: '/cart' } }, { uri: { prefix: '/cart/' } }], route: [{ destination: { host: 'shop.production.svc.cluster.local', subset: 'v1' } }] },
      ],
    });
  });

  test('WHEN the simulator routes /cart/v2/x at the gateway and in the mesh THEN both follow the cart team\'s rule to v2', () => {
    const { chart, shop, gw, delegate } = sharedHost();
    delegate();
    gw.expose(shop, { paths: [RoutePath.prefix('/cart')] });
    const sim = MeshSimulator.fromManifests(synth(chart));
    expect(sim.versionSplit({ host: 'shop.production', path: '/cart/v2/x' })).toEqual({ v2: 100 });
    expect(sim.versionSplit({ host: 'shop.example.com', gateway: GATEWAY, path: '/cart/v2/x' })).toEqual({ v2: 100 });
    expect(sim.versionSplit({ host: 'shop.example.com', gateway: GATEWAY, path: '/cart/x' })).toEqual({ v1: 100 });
    expect(sim.route({ host: 'shop.example.com', gateway: GATEWAY, path: '/checkout' })).toMatchObject({ noRoute: true });
  });

  test('WHEN exposed on a path outside every delegation entry THEN the gateway VirtualService has no delegate entry', () => {
    const { chart, shop, gw, delegate } = sharedHost();
    delegate();
    gw.expose(shop, { paths: [RoutePath.prefix('/static')] });
    const http = one(synth(chart), 'VirtualService', 'gw-shop-example-com').spec.http;
    expect(http.filter((r: any) => r.delegate)).toEqual([]);
  });

  test('WHEN exposed on a path narrower than a delegate rule\'s match THEN it is refused (istiod would drop the rule for the gateway), whichever is written first', () => {
    const narrow = { paths: [RoutePath.exact('/cart/v2/x')] };
    const rule = /\[.*Gw\] paths: "exact \/cart\/v2\/x" is invalid: rules\[0\] \(v2\) of the delegate route cart-team\/shop-cart .* matches prefix \/cart\/v2\/, which is not within the entry's match narrowed to the exposed paths, so istiod drops that rule for gateway istio-system\/gw .*hasConflict.*Hint: expose a path that covers the delegate's matches/;
    const a = sharedHost();
    a.delegate();
    expect(() => a.gw.expose(a.shop, narrow)).toThrow(rule);
    const b = sharedHost();
    b.gw.expose(b.shop, narrow);
    expect(() => b.delegate()).toThrow(rule);
  });
});
