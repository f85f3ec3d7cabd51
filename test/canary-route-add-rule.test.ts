import { Duration } from 'cdk8s';
import { CanaryRoute, Destination, HeaderMatch, RoutingApi, StringMatch } from '../src';
import { meshChart, one, service, synth } from './helpers';

/** GIVEN catalog (v1, v2, v3) routed by a wrapper: one header rule and a catch-all to v1. */
function routed(meshProps = {}) {
  const { chart, ns } = meshChart(meshProps);
  const catalog = service(chart, ns, 'catalog', { versions: [{ name: 'v1' }, { name: 'v2' }, { name: 'v3' }] });
  const route = new CanaryRoute(chart, 'Route', {
    service: catalog,
    rules: [{ name: 'beta', match: [{ headers: [HeaderMatch.exact('x-beta', 'true')] }], destination: Destination.version('v3') }],
    defaultDestination: Destination.version('v1'),
  });
  return { chart, route };
}

const CANARY = { headers: [HeaderMatch.exact('x-canary', 'true')] };

describe('CanaryRoute.addRule', () => {
  test('appends after the existing rules and before the catch-all', () => {
    const { chart, route } = routed();
    route.addRule({ name: 'canary', match: [CANARY], destination: Destination.version('v2') });
    expect(one(synth(chart), 'VirtualService', 'catalog').spec.http.map((r: any) => r.name ?? r.route[0].destination.subset)).toEqual(['beta', 'canary', 'v1']);
  });

  test('position 0 puts the rule first; the last position is right before the catch-all', () => {
    const { chart, route } = routed();
    route.addRule({ name: 'first', match: [CANARY], destination: Destination.version('v2') }, { position: 0 });
    route.addRule({ name: 'last', match: [{ uri: StringMatch.prefix('/new') }], destination: Destination.version('v2') }, { position: 2 });
    expect(one(synth(chart), 'VirtualService', 'catalog').spec.http.map((r: any) => r.name ?? 'default')).toEqual(['first', 'beta', 'last', 'default']);
  });

  test.each([-1, 2, 0.5])('position %p (one past either end, or not an integer) is refused', (position) => {
    const { route } = routed();
    expect(() => route.addRule({ match: [CANARY], destination: Destination.version('v2') }, { position }))
      .toThrow(/\[test\/Route\] addRule\.options\.position: .* is invalid: a position among the 1 rule\(s\) before the catch-all: 0\.\.1/);
  });

  test('an added rule is checked like the props: duplicate match, unknown version, duplicate name', () => {
    const { route } = routed();
    expect(() => route.addRule({ match: [{ headers: [HeaderMatch.exact('x-beta', 'true')] }], destination: Destination.version('v2') }))
      .toThrow(/addRule\.rule\.match\[0\].*duplicates props\.rules\[0\]\.match\[0\].*IST0131/);
    expect(() => route.addRule({ match: [CANARY], destination: Destination.version('v9') })).toThrow(/addRule\.rule\.destination: "v9"/);
    expect(() => route.addRule({ name: 'beta', match: [CANARY], destination: Destination.version('v2') })).toThrow(/addRule\.rule\.name: "beta" is invalid: rule names must be unique/);
  });

  test('a refused rule leaves no trace: the same match can be added correctly afterwards', () => {
    const { chart, route } = routed();
    expect(() => route.addRule({ name: 'canary', match: [CANARY], destination: Destination.version('v9') })).toThrow();
    route.addRule({ name: 'canary', match: [CANARY], destination: Destination.version('v2'), timeout: Duration.seconds(3) });
    expect(one(synth(chart), 'VirtualService', 'catalog').spec.http[1]).toMatchObject({ name: 'canary', timeout: '3s', route: [{ destination: { subset: 'v2' } }] });
  });

  test('works with the Gateway API as well', () => {
    const { chart, route } = routed({ routingApi: RoutingApi.GATEWAY_API });
    route.addRule({ match: [CANARY], destination: Destination.version('v2') });
    expect(one(synth(chart), 'HTTPRoute', 'catalog').spec.rules).toHaveLength(3);
  });
});
