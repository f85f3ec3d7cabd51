/**
 * Routing and authorization exactly as Istio 1.30.3 configures Envoy: each test names the Istio source
 * (istio/istio at tag 1.30.3) whose behaviour it pins down.
 */
import { MeshSimulator, SimulatorError } from '../../src';
import { routeCommand } from '../../src/cli/simulate';
import { referenceSim, workloadYaml } from './helpers';

const INV = 'inventory-service.production';
const TO = (subset: string) => `route: [{ destination: { host: inventory-service, subset: ${subset} } }]`;
/** GIVEN the reference app plus inventory-service and a VirtualService with these http rules. */
function routes(rules: string, extra = ''): MeshSimulator {
  return referenceSim(workloadYaml('inventory-service'), `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: inventory-service, namespace: production }
spec:
  hosts: [inventory-service]
  http: ${rules}
`, ...(extra ? [extra] : []));
}

describe('withoutHeaders (pilot/pkg/networking/core/route/route.go TranslateRouteMatch: invert_match + treat_missing_header_as_empty)', () => {
  test.each([
    ['exact', "{ exact: 'yes' }", true],
    ['prefix', "{ prefix: 'y' }", true],
    ['regex that does not match the empty string', "{ regex: 'y.*' }", true],
    ['regex that matches the empty string', "{ regex: '.*' }", false],
    ['exact empty string', "{ exact: '' }", false],
  ])('a missing header is compared as empty: %s → rule matches = %s', (_what, spec, matches) => {
    // GIVEN a rule that excludes requests carrying the header
    const s = routes(`[{ match: [{ withoutHeaders: { x-internal: ${spec} } }], ${TO('a')} }]`);
    // WHEN the request does not carry it THEN Envoy compares '' and inverts the result
    const r = s.route({ host: INV });
    if (matches) expect(r.rule).toBe(0);
    else expect(r.noRoute).toBe(true);
  });

  test('presence ({} or regex "*", canBeConvertedToPresentMatch) inverted matches exactly when the header is absent', () => {
    for (const spec of ['{}', "{ regex: '*' }"]) {
      const s = routes(`[{ match: [{ withoutHeaders: { x-internal: ${spec} } }], ${TO('a')} }]`);
      expect(s.route({ host: INV }).rule).toBe(0);
      expect(s.route({ host: INV, headers: { 'x-internal': '' } }).noRoute).toBe(true);
    }
  });

  test('headers with regex "*" is a presence match, not an RE2 regex', () => {
    const s = routes(`[{ match: [{ headers: { x-debug: { regex: '*' } } }], ${TO('a')} }]`);
    expect(s.route({ host: INV, headers: { 'x-debug': 'anything' } }).rule).toBe(0);
    expect(s.route({ host: INV }).noRoute).toBe(true);
  });
});

describe('query parameters (route.go translateQueryParamMatch; Envoy matches the query string as sent)', () => {
  test('a malformed % escape in the query string is no error, whether or not a rule uses queryParams', () => {
    expect(routes(`[{ ${TO('a')} }]`).route({ host: INV, path: '/a?q=%zz&r=%' }).rule).toBe(0);
    expect(routes(`[{ match: [{ queryParams: { q: { exact: '%zz' } } }], ${TO('a')} }]`).route({ host: INV, path: '/a?q=%zz' }).rule).toBe(0);
  });

  test('values are compared as sent, not percent-decoded', () => {
    const s = routes(`[{ match: [{ queryParams: { q: { exact: 'a b' } } }], ${TO('a')} }, { match: [{ queryParams: { q: { exact: 'a%20b' } } }], ${TO('b')} }]`);
    expect(s.route({ host: INV, path: '/?q=a%20b' }).rule).toBe(1);
  });
});

describe('sourceLabels and gateways (route.go sourceMatchHTTP)', () => {
  test('sourceLabels: {} matches every caller, with or without labels', () => {
    const s = routes(`[{ match: [{ sourceLabels: {} }], ${TO('a')} }]`);
    expect(s.route({ host: INV }).rule).toBe(0);
    expect(s.route({ host: INV, sourceLabels: { app: 'x' } }).rule).toBe(0);
  });

  test('a match that names gateways ignores sourceLabels and sourceNamespace', () => {
    const s = routes(`[{ match: [{ gateways: [mesh], sourceLabels: { app: nobody }, sourceNamespace: nowhere }], ${TO('a')} }]`);
    expect(s.route({ host: INV, sourceLabels: { app: 'other' }, sourceNamespace: 'production' }).rule).toBe(0);
  });

  test('without gateways, sourceLabels must be among the caller labels', () => {
    const s = routes(`[{ match: [{ sourceLabels: { app: order-service } }], ${TO('a')} }]`);
    expect(s.route({ host: INV, sourceLabels: { app: 'order-service', version: 'v1' } }).rule).toBe(0);
    expect(s.route({ host: INV, sourceLabels: { app: 'payment-service' } }).noRoute).toBe(true);
  });
});

describe('hosts', () => {
  const se = `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: example, namespace: production }
spec: { hosts: [example.com], ports: [{ number: 443, name: https, protocol: HTTPS }], resolution: DNS }
`;
  test('a two-label host served by a ServiceEntry is that host, not a Service "example" of namespace "com"', () => {
    const r = referenceSim(se).route({ host: 'example.com' });
    expect(r).toMatchObject({ defaultRoute: true, host: 'example.com', destinations: [{ host: 'example.com', weight: 100 }] });
  });

  test('route on a host nothing serves is an error, as authz on an unknown Service (CLI exit 2)', () => {
    expect(() => referenceSim().route({ host: 'nothing.production' })).toThrow(SimulatorError);
    let stderr = '';
    const code = routeCommand({ out: () => undefined, err: (t) => (stderr += t) }).run([require('./helpers').REFERENCE_DIR, '--host', 'nothing.production']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/no VirtualService, HTTPRoute, Service or ServiceEntry/);
  });
});

describe('AuthorizationPolicy sources (pilot/pkg/security/authz/model)', () => {
  // A namespace of its own: the reference app's production namespace has a default deny.
  const INV_HOST = 'inventory-service.shop';
  const policy = (name: string, spec: string, annotations = '') => `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: ${name}, namespace: shop${annotations} }
spec: ${spec}
`;
  const sim = (...docs: string[]) => referenceSim(workloadYaml('inventory-service', 'shop'), ...docs);
  const from = (ns: string) => `cluster.local/ns/${ns}/sa/caller`;

  test.each([
    ['team-*-prod', 'team-a-prod', 'ALLOW'],
    ['team-*-prod', 'team-a-staging', 'DENY'],
    ['*ro*', 'production', 'ALLOW'],
    ['*ro*', 'staging', 'DENY'],
    ['prod*', 'production', 'ALLOW'],
  ])('namespaces: every * is a wildcard (generator.go srcNamespaceGenerator): %s vs %s → %s', (pattern, ns, decision) => {
    const s = sim(policy('allow', `{ selector: { matchLabels: { app: inventory-service } }, rules: [{ from: [{ source: { namespaces: ['${pattern}'] } }] }] }`));
    expect(s.authorize({ to: INV_HOST, fromPrincipal: from(ns) }).decision).toBe(decision);
  });

  test('namespaces never match a plaintext caller, even "*"', () => {
    const s = sim(policy('allow', "{ selector: { matchLabels: { app: inventory-service } }, rules: [{ from: [{ source: { namespaces: ['*'] } }] }] }"));
    expect(s.authorize({ to: INV_HOST, plaintext: true }).decision).toBe('DENY');
    expect(s.authorize({ to: INV_HOST, fromPrincipal: from('anything') }).decision).toBe('ALLOW');
  });

  test('an explicitly empty list is ignored, as if absent (model.go ruleList.insertFront/appendLast skip empty keys)', () => {
    const s = sim(policy('allow', '{ selector: { matchLabels: { app: inventory-service } }, rules: [{ from: [{ source: { principals: [], notNamespaces: [] } }] }] }'));
    expect(s.authorize({ to: INV_HOST, fromPrincipal: from('anyone') }).decision).toBe('ALLOW');
  });

  test('a dry-run policy (istio.io/dry-run: "true", builder.go isDryRun) is not enforced; its shadow decision is reported', () => {
    const deny = policy('deny-all', '{ selector: { matchLabels: { app: inventory-service } }, action: DENY, rules: [{}] }', ', annotations: { istio.io/dry-run: "true" }');
    const r = sim(deny).authorize({ to: INV_HOST, fromPrincipal: from('production') });
    expect(r.decision).toBe('ALLOW');
    expect(r.shadow).toEqual([expect.objectContaining({ action: 'DENY', decision: 'DENY', policy: 'shop/deny-all', rule: 0, enforcedBy: 'sidecar' })]);
    // An unparseable value enforces the policy, as strconv.ParseBool fails.
    const enforced = policy('deny-all', '{ selector: { matchLabels: { app: inventory-service } }, action: DENY, rules: [{}] }', ', annotations: { istio.io/dry-run: "yes" }');
    expect(sim(enforced).authorize({ to: INV_HOST, fromPrincipal: from('production') }).decision).toBe('DENY');
  });

  test('a dry-run ALLOW policy shadows a default deny without changing the decision', () => {
    const allow = policy('allow-x', "{ selector: { matchLabels: { app: inventory-service } }, rules: [{ from: [{ source: { namespaces: ['x'] } }] }] }", ', annotations: { istio.io/dry-run: "true" }');
    const r = sim(allow).authorize({ to: INV_HOST, fromPrincipal: from('production') });
    expect(r.decision).toBe('ALLOW');
    expect(r.shadow).toEqual([expect.objectContaining({ action: 'ALLOW', decision: 'DENY', policy: null })]);
  });
});
