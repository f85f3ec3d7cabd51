/**
 * Every construct that places objects in a namespace takes an `IMeshNamespace` (open for extension):
 * a MeshNamespace, an adopted one (`MeshNamespace.fromName`), or an app's own implementation of the
 * interface. Here: ExternalService, DelegateRoute and CanaryRoute delegation entries, which used to
 * accept only a MeshNamespace.
 */
import { ApiObject, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import {
  CanaryRoute, DelegateRoute, Destination, ExternalPort, ExternalService, IMeshNamespace, IMeshService, Mesh, MeshNamespace, MeshService, MeshSimulator,
  MeshTesting, StringMatch, Waypoint,
} from '../src';
import { meshChart, one, service } from './helpers';

/** A consumer's own namespace type: a team namespace adopted from its Helm chart, behind the interface. */
class TeamNamespace extends Construct implements IMeshNamespace {
  private readonly inner: IMeshNamespace;
  constructor(scope: Construct, id: string, props: { mesh: Mesh; team: string }) {
    super(scope, id);
    this.inner = MeshNamespace.fromName(this, 'Default', `${props.team}-team`, { mesh: props.mesh });
  }
  public get mesh(): Mesh { return this.inner.mesh; }
  public get name(): string { return this.inner.name; }
  public get waypointAllowed(): boolean { return this.inner.waypointAllowed; }
  public get labels(): { readonly [key: string]: string } { return this.inner.labels; }
  public get waypoint(): Waypoint | undefined { return this.inner.waypoint; }
  public get resource(): ApiObject | undefined { return this.inner.resource; }
}

/** A consumer-style wrapper typed with the interfaces only: a team's part of a shared host and the API it calls. */
interface TeamRouteProps {
  readonly shared: IMeshService;
  readonly namespace: IMeshNamespace;
  readonly team: string;
  readonly prefix: string;
}
class TeamRoute extends Construct {
  public readonly external: ExternalService;
  constructor(scope: Construct, id: string, props: TeamRouteProps) {
    super(scope, id);
    new DelegateRoute(this, 'Route', {
      service: props.shared, name: `${props.shared.name}-${props.team}`, namespace: props.namespace,
      rules: [{ match: [{ uri: StringMatch.prefix(`${props.prefix}v2/`) }], destination: Destination.version('v2') }],
      defaultDestination: Destination.version('v1'),
    });
    this.external = new ExternalService(this, 'Api', { namespace: props.namespace, name: `${props.team}-api`, hosts: [`${props.team}.example.org`], ports: [ExternalPort.tls(443)] });
  }
}

/** GIVEN shop (v1, v2) in production, shared with the cart team (adopted) and the checkout team (the consumer's own IMeshNamespace). */
function sharedWithAdoptedNamespaces() {
  const { chart, mesh, ns } = meshChart();
  const cart = MeshNamespace.fromName(chart, 'Cart', 'cart-team', { mesh });
  const checkout = new TeamNamespace(chart, 'Checkout', { mesh, team: 'checkout' });
  const shop = service(chart, ns, 'shop', { versions: [{ name: 'v1' }, { name: 'v2' }] });
  new CanaryRoute(chart, 'ShopRoute', {
    service: shop,
    delegates: [
      { name: 'shop-cart', namespace: cart, match: [{ uri: StringMatch.prefix('/cart/') }] },
      { name: 'shop-checkout', namespace: checkout, match: [{ uri: StringMatch.prefix('/checkout/') }] },
    ],
    defaultDestination: Destination.version('v1'),
  });
  return { chart, mesh, ns, cart, checkout, shop };
}

describe('constructs take any IMeshNamespace', () => {
  test('GIVEN delegation entries and delegates in an adopted namespace and in a consumer\'s own IMeshNamespace WHEN synthesized THEN the delegates live there and validate cleanly', () => {
    // GIVEN
    const { chart, cart, checkout, shop } = sharedWithAdoptedNamespaces();
    // WHEN the cart team writes its delegate directly and the checkout team through its wrapper
    new DelegateRoute(chart, 'CartRoute', { service: shop, name: 'shop-cart', namespace: cart, defaultDestination: Destination.version('v2') });
    const team = new TeamRoute(chart, 'CheckoutRoute', { shared: shop, namespace: checkout, team: 'checkout', prefix: '/checkout/' });
    team.external.allowFrom(shop);
    const { manifests, errors } = MeshTesting.synth(chart as any);
    // THEN
    expect(errors).toEqual([]);
    expect(one(manifests, 'VirtualService', 'shop').spec.http.slice(0, 2)).toEqual([
      { match: [{ uri: { prefix: '/cart/' } }], delegate: { name: 'shop-cart', namespace: 'cart-team' } },
      { match: [{ uri: { prefix: '/checkout/' } }], delegate: { name: 'shop-checkout', namespace: 'checkout-team' } },
    ]);
    expect(one(manifests, 'VirtualService', 'shop-cart').metadata.namespace).toBe('cart-team');
    expect(one(manifests, 'VirtualService', 'shop-checkout').metadata.namespace).toBe('checkout-team');
    expect(one(manifests, 'ServiceEntry', 'checkout-api')).toMatchObject({ metadata: { namespace: 'checkout-team' }, spec: { hosts: ['checkout.example.org'] } });
    // AND the adopted namespaces are not written
    expect(manifests.filter((m: any) => m.kind === 'Namespace').map((m: any) => m.metadata.name)).toEqual(['production']);
    // AND istiod's delegation merge (the simulator) hands each part to its team
    const sim = MeshSimulator.fromManifests(manifests);
    expect(sim.route({ host: 'shop.production', path: '/cart/x' })).toMatchObject({ delegate: 'VirtualService/cart-team/shop-cart', destinations: [{ subset: 'v2' }] });
    expect(sim.route({ host: 'shop.production', path: '/checkout/v2/pay' })).toMatchObject({ delegate: 'VirtualService/checkout-team/shop-checkout', destinations: [{ subset: 'v2' }] });
  });

  test('GIVEN an ExternalService in an adopted namespace WHEN a service of another namespace calls it THEN the ServiceEntry is written there and exported to the caller', () => {
    // GIVEN
    const { chart, mesh, ns } = meshChart();
    const billing = MeshNamespace.fromName(chart, 'Billing', 'billing', { mesh });
    const order = service(chart, ns, 'order-service');
    // WHEN
    const stripe = new ExternalService(chart, 'Stripe', { namespace: billing, hosts: ['api.stripe.com'], ports: [ExternalPort.tls(443)] });
    stripe.allowFrom(order);
    const { manifests, errors } = MeshTesting.synth(chart as any);
    // THEN
    expect(errors).toEqual([]);
    expect(stripe.namespace).toBe('billing');
    expect(stripe.mesh).toBe(mesh);
    expect(one(manifests, 'ServiceEntry', 'stripe')).toMatchObject({ metadata: { namespace: 'billing' }, spec: { hosts: ['api.stripe.com'], exportTo: expect.arrayContaining(['.', 'production']) } });
  });

  test('GIVEN something that is not a namespace of the mesh THEN each construct refuses it, naming the property, the value and the rule', () => {
    const { chart, ns } = meshChart();
    const shop = service(chart, ns, 'shop', { versions: [{ name: 'v1' }, { name: 'v2' }] });
    // a namespace of another mesh
    const other = meshChart();
    const foreign = new MeshNamespace(other.chart, 'Cart', { mesh: other.mesh, name: 'cart-team' });
    expect(() => new CanaryRoute(chart, 'R1', { service: shop, delegates: [{ name: 'shop-cart', namespace: foreign, match: [{ uri: StringMatch.prefix('/cart/') }] }], defaultDestination: Destination.version('v1') }))
      .toThrow(/^\[test\/R1\] props\.delegates\[0\]\.namespace: "cart-team" is invalid: namespace cart-team belongs to mesh test\/Mesh, not to test\/Mesh.*Hint: use a namespace of the same mesh/s);
    // a plain object shaped like a namespace but declared in no model
    const fake = { mesh: shop.mesh, name: 'nowhere' } as unknown as IMeshNamespace;
    expect(() => new DelegateRoute(chart, 'D1', { service: shop, name: 'x', namespace: fake, defaultDestination: Destination.version('v1') }))
      .toThrow(/^\[test\/D1\] props\.namespace: "nowhere" is invalid: namespace nowhere is not declared in the model of mesh test\/Mesh; the mesh renders only into namespaces its model declares .* or adopts .*\. Hint: pass a MeshNamespace, or adopt a namespace that exists with MeshNamespace\.fromName/);
    // a string (the name alone is for MeshService.fromAttributes only)
    expect(() => new ExternalService(chart, 'E1', { namespace: 'production' as unknown as IMeshNamespace, hosts: ['a.example.org'], ports: [ExternalPort.tls(443)] }))
      .toThrow(/^\[test\/E1\] props\.namespace: "production" is invalid: must be a namespace of the mesh: a MeshNamespace, an adopted one \(MeshNamespace\.fromName\) or another IMeshNamespace/);
  });

  test('GIVEN a namespace only named by a service deployed elsewhere THEN an ExternalService cannot be placed there (the mesh writes nothing of its own there)', () => {
    const { chart, mesh } = meshChart();
    MeshService.fromAttributes(chart, 'Ledger', { mesh, namespace: 'ledger', name: 'ledger', serviceAccount: 'ledger', port: 8080, versions: ['v1'] });
    const named = { mesh, name: 'ledger' } as unknown as IMeshNamespace;
    expect(() => new ExternalService(chart, 'E', { namespace: named, hosts: ['a.example.org'], ports: [ExternalPort.tls(443)] }))
      .toThrow(/props\.namespace: "ledger" is invalid: namespace ledger is only named by a service deployed elsewhere, not declared or adopted/);
  });

  test('ExternalService carries its brand: instanceof and isExternalService agree, a look-alike is neither', () => {
    const { chart, ns } = meshChart();
    const es = new ExternalService(chart, 'E', { namespace: ns, hosts: ['a.example.org'], ports: [ExternalPort.tls(443)] });
    expect(es instanceof ExternalService).toBe(true);
    expect(ExternalService.isExternalService(es)).toBe(true);
    const lookAlike = { ...es };
    expect(lookAlike instanceof ExternalService).toBe(false);
    expect(ExternalService.isExternalService(Testing.chart())).toBe(false);
  });
});
