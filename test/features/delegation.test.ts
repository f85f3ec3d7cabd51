import {
  CanaryAnalysis,
  CanaryRoute,
  DelegateRoute,
  Destination,
  Fault,
  HeaderMatch,
  HeaderMutation,
  MeshNamespace,
  MeshSimulator,
  MetricCheck,
  Redirect,
  StringMatch,
} from '../../src';
import { mergeDelegateRoute } from '../../src/rules/delegation';
import { validateManifests } from '../../src/validation';
import { meshChart, one, service, synth } from '../helpers';

/** GIVEN shop (v1, v2) in production, shared with the cart and checkout teams' namespaces. */
function sharedHost() {
  const { chart, mesh, ns } = meshChart();
  const cart = new MeshNamespace(chart, 'Cart', { mesh, name: 'cart-team' });
  const checkout = new MeshNamespace(chart, 'Checkout', { mesh, name: 'checkout-team' });
  const shop = service(chart, ns, 'shop', { versions: [{ name: 'v1' }, { name: 'v2' }] });
  new CanaryRoute(chart, 'ShopRoute', {
    service: shop,
    delegates: [
      { name: 'shop-cart', namespace: cart, match: [{ uri: StringMatch.prefix('/cart/') }] },
      { name: 'shop-checkout', namespace: checkout, match: [{ uri: StringMatch.prefix('/checkout/') }] },
    ],
    defaultDestination: Destination.version('v1'),
  });
  return { chart, cart, checkout, shop };
}

describe('VirtualService delegation', () => {
  test('GIVEN a host shared by two teams WHEN synthesized THEN a root with delegate entries and one hostless delegate per team', () => {
    const { chart, cart, checkout, shop } = sharedHost();
    new DelegateRoute(chart, 'CartRoute', {
      service: shop, name: 'shop-cart', namespace: cart,
      rules: [{ match: [{ uri: StringMatch.prefix('/cart/v2/') }], destination: Destination.version('v2'), headers: HeaderMutation.request({ set: { 'x-team': 'cart' } }) }],
      defaultDestination: Destination.version('v1'),
    });
    new DelegateRoute(chart, 'CheckoutRoute', {
      service: shop, name: 'shop-checkout', namespace: checkout,
      rules: [{ match: [{ uri: StringMatch.prefix('/checkout/'), headers: [HeaderMatch.exact('x-chaos', 'on')] }], destination: Destination.version('v1'), fault: Fault.abort({ httpStatus: 503, percent: 50 }) }],
      defaultDestination: Destination.version('v1'),
    });
    const objects = synth(chart);
    expect(one(objects, 'VirtualService', 'shop').spec).toEqual({
      hosts: ['shop'],
      http: [
        { match: [{ uri: { prefix: '/cart/' } }], delegate: { name: 'shop-cart', namespace: 'cart-team' } },
        { match: [{ uri: { prefix: '/checkout/' } }], delegate: { name: 'shop-checkout', namespace: 'checkout-team' } },
        { route: [{ destination: { host: 'shop', subset: 'v1' }, weight: 100 }] },
      ],
    });
    const cartVs = one(objects, 'VirtualService', 'shop-cart');
    expect(cartVs.metadata.namespace).toBe('cart-team');
    expect(cartVs.spec.hosts).toBeUndefined();
    // a delegate in another namespace names the host by FQDN (short names resolve in the delegate's namespace)
    expect(cartVs.spec.http[0]).toMatchObject({ route: [{ destination: { host: 'shop.production.svc.cluster.local', subset: 'v2' } }], headers: { request: { set: { 'x-team': 'cart' } } } });
    // the versions delegates route to get subsets in the host's DestinationRule
    expect(one(objects, 'DestinationRule', 'shop').spec.subsets.map((s: any) => s.name)).toEqual(['v1', 'v2']);

    const errors = validateManifests(objects.map((manifest) => ({ manifest }))).filter((f) => f.level !== 'info');
    expect(errors.map((f) => `${f.code} ${f.kind}/${f.name} ${f.message}`)).toEqual([]);

    // the simulator follows delegation as istiod merges it
    const sim = MeshSimulator.fromManifests(objects);
    expect(sim.route({ host: 'shop.production', path: '/cart/v2/items' })).toMatchObject({
      routedBy: 'VirtualService/production/shop', delegate: 'VirtualService/cart-team/shop-cart', rule: 0,
      destinations: [{ subset: 'v2', weight: 100 }], headers: { request: { set: { 'x-team': 'cart' } } },
    });
    expect(sim.route({ host: 'shop.production', path: '/cart/list' })).toMatchObject({ delegate: 'VirtualService/cart-team/shop-cart', rule: 1, destinations: [{ subset: 'v1' }] });
    expect(sim.route({ host: 'shop.production', path: '/checkout/pay', headers: { 'x-chaos': 'on' } })).toMatchObject({
      delegate: 'VirtualService/checkout-team/shop-checkout', fault: { abort: { httpStatus: 503, percent: 50 } },
    });
    const rest = sim.route({ host: 'shop.production', path: '/home' });
    expect(rest).toMatchObject({ routedBy: 'VirtualService/production/shop', rule: 2, destinations: [{ subset: 'v1' }] });
    expect(rest.delegate).toBeUndefined();
  });

  test('GIVEN a delegate match outside its root entry THEN refused where written (istiod would drop the rule silently)', () => {
    const { chart, cart, shop } = sharedHost();
    expect(() => new DelegateRoute(chart, 'CartRoute', {
      service: shop, name: 'shop-cart', namespace: cart,
      rules: [{ match: [{ uri: StringMatch.prefix('/checkout/') }], destination: Destination.version('v2') }],
    })).toThrow(/\[test\/CartRoute\] rules\[0\]\.match\[0\].*must stay within its root entry/);
  });

  test('GIVEN a regex delegate match under a prefix root THEN refused (stringMatchConflict)', () => {
    const { chart, cart, shop } = sharedHost();
    expect(() => new DelegateRoute(chart, 'CartRoute', {
      service: shop, name: 'shop-cart', namespace: cart,
      rules: [{ match: [{ uri: StringMatch.regex('/cart/.*') }], destination: Destination.version('v2') }],
    })).toThrow(/must stay within its root entry/);
  });

  test('GIVEN a delegate the root does not list THEN refused naming the listed ones', () => {
    const { chart, cart, shop } = sharedHost();
    expect(() => new DelegateRoute(chart, 'Other', { service: shop, name: 'shop-other', namespace: cart, defaultDestination: Destination.version('v1') }))
      .toThrow(/delegates only to cart-team\/shop-cart, checkout-team\/shop-checkout/);
  });

  test('GIVEN a second route on a shared host THEN refused naming the root', () => {
    const { chart, shop } = sharedHost();
    expect(() => new CanaryRoute(chart, 'Again', { service: shop, defaultDestination: Destination.version('v1') })).toThrow(/already routed by test\/ShopRoute/);
  });

  test('GIVEN a delegation entry without a match THEN refused (the default would be unreachable)', () => {
    const { chart, mesh, ns } = meshChart();
    const cart = new MeshNamespace(chart, 'Cart', { mesh, name: 'cart-team' });
    const shop = service(chart, ns, 'shop');
    expect(() => new CanaryRoute(chart, 'ShopRoute', { service: shop, delegates: [{ name: 'shop-cart', namespace: cart, match: [] }], defaultDestination: Destination.version('v1') }))
      .toThrow(/props\.delegates\[0\]\.match.*IST0130/);
  });

  test('mergeDelegateRoute follows istiod: matches ANDed, root effects inherited, conflicts dropped', () => {
    const root = { match: [{ uri: { prefix: '/cart/' } }], delegate: { name: 'x' }, headers: { request: { set: { a: '1' } } } };
    expect(mergeDelegateRoute(root, { match: [{ headers: { 'x-v': { exact: '2' } } }], route: [] })).toEqual({
      match: [{ uri: { prefix: '/cart/' }, headers: { 'x-v': { exact: '2' } } }], route: [], headers: { request: { set: { a: '1' } } },
    });
    expect(mergeDelegateRoute(root, { match: [{ uri: { prefix: '/other/' } }], route: [] })).toBeUndefined();
  });
});

describe('Flagger delegation mode', () => {
  function progressive(extra: Record<string, unknown>) {
    const { chart, ns } = meshChart();
    const order = service(chart, ns, 'order-service', { versions: [{ name: 'v1' }, { name: 'v2' }] });
    new CanaryRoute(chart, 'Route', {
      service: order,
      defaultDestination: Destination.version('v1'),
      progressive: CanaryAnalysis.weighted({ stepWeight: 10, maxWeight: 50, metrics: [MetricCheck.requestSuccessRate({ minPercent: 99 })] }),
      ...extra,
    });
    return chart;
  }

  test('GIVEN progressiveDelegation WHEN synthesized THEN the Canary delegates and a root VirtualService keeps the redirect and the effects', () => {
    const chart = progressive({
      progressiveDelegation: true,
      rules: [{ name: 'moved', match: [{ uri: StringMatch.exact('/old') }], redirect: Redirect.to({ uri: '/new' }) }],
      defaultEffects: { headers: HeaderMutation.response({ remove: ['server'] }) },
    });
    const objects = synth(chart);
    expect(one(objects, 'Canary', 'order-service').spec.service).toMatchObject({ delegation: true });
    expect(one(objects, 'VirtualService', 'order-service-root').spec).toEqual({
      hosts: ['order-service'],
      http: [
        { name: 'moved', match: [{ uri: { exact: '/old' } }], redirect: { uri: '/new', redirectCode: 301 } },
        { delegate: { name: 'order-service', namespace: 'production' }, headers: { response: { remove: ['server'] } } },
      ],
    });
    const errors = validateManifests(objects.map((manifest) => ({ manifest }))).filter((f) => f.level === 'error');
    expect(errors.map((f) => `${f.code} ${f.message}`)).toEqual([]);
  });

  test.each([
    ['a redirect rule', { rules: [{ match: [{ uri: StringMatch.exact('/old') }], redirect: Redirect.to({ uri: '/new' }) }] }, /props\.rules\[0\]\.redirect.*would vanish.*progressiveDelegation: true/],
    ['a default fault (the Canary has no fault field)', { defaultEffects: { fault: Fault.abort({ httpStatus: 503, percent: 5 }) } }, /props\.defaultEffects\.fault.*has no fault field.*would vanish.*progressiveDelegation: true/],
  ])('GIVEN %s without delegation mode THEN refused (Flagger would drop it)', (_what, extra, message) => {
    expect(() => progressive(extra)).toThrow(message);
  });

  test('GIVEN progressiveDelegation without progressive THEN refused', () => {
    const { chart, ns } = meshChart();
    const order = service(chart, ns, 'order-service');
    expect(() => new CanaryRoute(chart, 'Route', { service: order, defaultDestination: Destination.version('v1'), progressiveDelegation: true }))
      .toThrow(/props\.progressiveDelegation.*progressive route only/);
  });
});
