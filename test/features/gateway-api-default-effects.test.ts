import { CanaryRoute, Cors, Destination, Fault, HeaderMatch, Rewrite, RouteEffects, RoutingApi, StringMatch } from '../../src';
import { meshChart, service } from '../helpers';

// Consumer trial F4: under the Gateway API, a refusal of a route's default effects named `rules[N]…`,
// a property the user never wrote; house style: errors name the property written.

function routed(defaultEffects: RouteEffects, rules = 0) {
  const { chart, ns } = meshChart({ routingApi: RoutingApi.GATEWAY_API });
  const order = service(chart, ns, 'order-service', { versions: [{ name: 'v1' }, { name: 'v2' }] });
  const ruleList = Array.from({ length: rules }, (_, i) => ({ match: [{ headers: [HeaderMatch.exact(`x-r${i}`, '1')] }], destination: Destination.version('v2') }));
  return () => new CanaryRoute(chart, 'Route', { service: order, defaultDestination: Destination.version('v1'), defaultEffects, rules: ruleList });
}

describe('Gateway API refusals of defaultEffects name props.defaultEffects', () => {
  test.each([
    ['cors', { cors: Cors.of({ allowOrigins: [StringMatch.prefix('https://')] }) }, /\[test\/Route\] props\.defaultEffects\.cors\.allowOrigins: "prefix: https:\/\/" is invalid: Gateway API CORS origins/],
    ['fault', { fault: Fault.abort({ httpStatus: 503, percent: 5 }) }, /\[test\/Route\] props\.defaultEffects\.fault: .* is invalid: Gateway API v1\.5\.1 has no fault injection/],
    ['rewrite', { rewrite: Rewrite.uri('/x') }, /\[test\/Route\] props\.defaultEffects\.rewrite\.uri: "\/x" is invalid: .*Hint: the default rule matches every path, so its path cannot be rewritten here/],
  ] as Array<[string, RouteEffects, RegExp]>)('GIVEN a default %s Gateway API cannot carry, with and without rules THEN the error names props.defaultEffects', (_k, effects, message) => {
    expect(routed(effects)).toThrow(message);
    expect(routed(effects, 2)).toThrow(message);
  });

  test('GIVEN the same effect on a rule THEN the error still names the rule', () => {
    const { chart, ns } = meshChart({ routingApi: RoutingApi.GATEWAY_API });
    const order = service(chart, ns, 'order-service', { versions: [{ name: 'v1' }, { name: 'v2' }] });
    expect(() => new CanaryRoute(chart, 'Route', {
      service: order, defaultDestination: Destination.version('v1'),
      rules: [{ match: [{ headers: [HeaderMatch.exact('x', '1')] }], destination: Destination.version('v2'), fault: Fault.abort({ httpStatus: 503, percent: 5 }) }],
    })).toThrow(/rules\[0\]\.fault: .* is invalid: Gateway API v1\.5\.1 has no fault injection/);
  });
});
