import { MeshSimulator, SimulatorError } from '../../src';
import { ORDER_FQDN, ORDER_HOST, PAYMENT_FQDN, PAYMENT_HOST, referenceSim, workloadYaml } from './helpers';

const SPLIT = [
  { host: ORDER_FQDN, subset: 'v1', weight: 90 },
  { host: ORDER_FQDN, subset: 'v2', weight: 10 },
];
const V2 = [{ host: ORDER_FQDN, subset: 'v2', weight: 100 }];
const ORDER_RETRIES = { attempts: 3, perTryTimeout: '3s', retryOn: '5xx,reset,connect-failure,refused-stream' };

describe('route: the reference app (reference-app.md, Traffic)', () => {
  // GIVEN the hand-written reference app
  const sim = referenceSim();
  const order = (headers?: Record<string, string>) => sim.route({ host: ORDER_HOST, headers });

  test.each([
    ['x-canary: true goes to v2 (rule 0)', { 'x-canary': 'true' }, 0, V2],
    ['x-canary: TRUE is not the canary: values are case-sensitive', { 'x-canary': 'TRUE' }, 2, SPLIT],
    ['x-canary: false falls through to the split', { 'x-canary': 'false' }, 2, SPLIT],
    ['an even user id goes to v2 (rule 1)', { 'x-user-id': '42' }, 1, V2],
    ['user id 0 is even', { 'x-user-id': '0' }, 1, V2],
    ['an odd user id gets the 90/10 split', { 'x-user-id': '13' }, 2, SPLIT],
    ['an empty x-user-id gets the split: the regex needs one digit', { 'x-user-id': '' }, 2, SPLIT],
    ['a non-numeric user id gets the split', { 'x-user-id': 'abc2' }, 2, SPLIT],
    ['a user id with a trailing newline gets the split ($ is end of text)', { 'x-user-id': '42\n' }, 2, SPLIT],
    ['no headers at all get the split', undefined, 2, SPLIT],
    ['header NAMES are case-insensitive: X-Canary', { 'X-Canary': 'true' }, 0, V2],
    ['header NAMES are case-insensitive: X-USER-ID', { 'X-USER-ID': '8' }, 1, V2],
    ['the canary header wins over an odd user id (first match wins)', { 'x-canary': 'true', 'x-user-id': '13' }, 0, V2],
  ])('%s', (_title, headers, rule, destinations) => {
    // WHEN routing a request to order-service
    const r = order(headers as Record<string, string> | undefined);
    // THEN the rule and the destinations are the spec's
    expect(r.noRoute).toBeUndefined();
    expect(r.rule).toBe(rule);
    expect(r.destinations).toEqual(destinations);
  });

  test('every order-service rule has timeout 10s and retries 3 x 3s on 5xx,reset,connect-failure,refused-stream', () => {
    for (const headers of [{ 'x-canary': 'true' }, { 'x-user-id': '2' }, {}] as Record<string, string>[]) {
      const r = order(headers);
      expect(r.timeout).toBe('10s');
      expect(r.retries).toEqual(ORDER_RETRIES);
    }
  });

  test('payment-service: one destination without weight takes 100%, timeout 5s, retries 2 x 2s on 5xx,reset', () => {
    const r = sim.route({ host: PAYMENT_HOST, method: 'POST', path: '/api/payments/42' });
    expect(r).toMatchObject({
      rule: 0,
      destinations: [{ host: PAYMENT_FQDN, weight: 100 }],
      timeout: '5s',
      retries: { attempts: 2, perTryTimeout: '2s', retryOn: '5xx,reset' },
      routedBy: 'VirtualService/production/payment-service',
    });
    expect(r.warnings).toEqual([]);
  });

  test('every subset of the reference app has a DestinationRule subset and pods: no warnings', () => {
    expect(order({ 'x-canary': 'true' }).warnings).toEqual([]);
    expect(order().warnings).toEqual([]);
  });
});

describe('route: host resolution', () => {
  const sim = referenceSim();
  test.each([
    ['svc.ns', 'order-service.production'],
    ['FQDN', 'order-service.production.svc.cluster.local'],
    ['svc.ns.svc', 'order-service.production.svc'],
    ['upper case', 'Order-Service.Production'],
  ])('%s resolves to the same VirtualService', (_t, host) => {
    const r = sim.route({ host, headers: { 'x-canary': 'true' } });
    expect(r.routedBy).toBe('VirtualService/production/order-service');
    expect(r.host).toBe(ORDER_FQDN);
    expect(r.rule).toBe(0);
  });

  test('a short name resolves relative to sourceNamespace', () => {
    expect(sim.route({ host: 'order-service', sourceNamespace: 'production' }).host).toBe(ORDER_FQDN);
  });

  test('a short name without sourceNamespace is an error', () => {
    expect(() => sim.route({ host: 'order-service' })).toThrow(SimulatorError);
    expect(() => sim.route({ host: 'order-service' })).toThrow(/short name/);
  });

  test('a short VirtualService host resolves relative to the VirtualService namespace, not the caller', () => {
    // GIVEN a VirtualService in `staging` for the short host order-service
    const s = referenceSim(`
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: order-service, namespace: staging }
spec:
  hosts: [order-service]
  http: [{ route: [{ destination: { host: order-service } }], timeout: 1s }]
`);
    // THEN it binds order-service.staging, and production's host keeps its own VirtualService
    expect(s.route({ host: 'order-service.staging' }).routedBy).toBe('VirtualService/staging/order-service');
    expect(s.route({ host: 'order-service.staging' }).destinations).toEqual([{ host: 'order-service.staging.svc.cluster.local', weight: 100 }]);
    expect(s.route({ host: ORDER_HOST }).routedBy).toBe('VirtualService/production/order-service');
  });

  test('a host with no VirtualService takes the default route to its Service, and says so', () => {
    const s = referenceSim(workloadYaml('inventory-service'));
    const r = s.route({ host: 'inventory-service.production' });
    expect(r.defaultRoute).toBe(true);
    expect(r.routedBy).toBeNull();
    expect(r.destinations).toEqual([{ host: 'inventory-service.production.svc.cluster.local', weight: 100 }]);
    expect(r.timeout).toBeNull();
    expect(r.retries).toEqual({ attempts: 2, retryOn: 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes', default: true });
    expect(r.reason).toMatch(/default route/);
  });

  test('a host with neither routing object, Service nor ServiceEntry is an error, as for authz (exit 2 in the CLI)', () => {
    expect(() => referenceSim().route({ host: 'nothing.production' })).toThrow(SimulatorError);
    expect(() => referenceSim().route({ host: 'nothing.production' })).toThrow(/no VirtualService, HTTPRoute, Service or ServiceEntry for nothing\.production\.svc\.cluster\.local/);
  });

  test('an exact host beats a wildcard host', () => {
    const s = referenceSim(`
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: wildcard, namespace: production }
spec:
  hosts: ['*.production.svc.cluster.local']
  http: [{ route: [{ destination: { host: payment-service } }] }]
`, workloadYaml('inventory-service'));
    expect(s.route({ host: ORDER_HOST }).routedBy).toBe('VirtualService/production/order-service');
    expect(s.route({ host: 'inventory-service.production' }).routedBy).toBe('VirtualService/production/wildcard');
  });

  test('a VirtualService bound only to a gateway does not route mesh traffic', () => {
    const s = referenceSim(workloadYaml('inventory-service'), `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: inventory-edge, namespace: production }
spec:
  hosts: [inventory-service]
  gateways: [edge]
  http: [{ route: [{ destination: { host: inventory-service } }], timeout: 2s }]
`);
    expect(s.route({ host: 'inventory-service.production' }).defaultRoute).toBe(true);
    expect(s.route({ host: 'inventory-service.production', gateway: 'production/edge' }).routedBy).toBe('VirtualService/production/inventory-edge');
  });
});

/** GIVEN a VirtualService for inventory-service with the given http rules (YAML flow text). */
function simWith(http: string): MeshSimulator {
  return referenceSim(workloadYaml('inventory-service'), `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: inventory-service, namespace: production }
spec:
  hosts: [inventory-service]
  http: ${http}
`);
}
const INV = 'inventory-service.production';
const TO = (extra = '') => `route: [{ destination: { host: inventory-service${extra} } }]`;

describe('route: matching semantics (istio-rules.md §4)', () => {
  test('no rule matches: noRoute (404 NR), Istio appends no default route', () => {
    const s = simWith(`[{ match: [{ headers: { x-a: { exact: '1' } } }], ${TO()} }]`);
    const r = s.route({ host: INV });
    expect(r.noRoute).toBe(true);
    expect(r.destinations).toEqual([]);
    expect(r.reason).toMatch(/404.*NR/);
  });

  test('conditions inside one match block are ANDed', () => {
    const s = simWith(`[{ match: [{ headers: { x-a: { exact: '1' }, x-b: { exact: '2' } } }], ${TO()} }]`);
    expect(s.route({ host: INV, headers: { 'x-a': '1', 'x-b': '2' } }).rule).toBe(0);
    expect(s.route({ host: INV, headers: { 'x-a': '1' } }).noRoute).toBe(true);
  });

  test('match blocks are ORed, and the answer names the block that matched', () => {
    const s = simWith(`[{ match: [{ headers: { x-a: { exact: '1' } } }, { uri: { prefix: /admin } }], ${TO()} }]`);
    expect(s.route({ host: INV, headers: { 'x-a': '1' } })).toMatchObject({ rule: 0, match: 0 });
    expect(s.route({ host: INV, path: '/admin/x' })).toMatchObject({ rule: 0, match: 1 });
    expect(s.route({ host: INV, path: '/other' }).noRoute).toBe(true);
  });

  test('a missing header matches no exact, prefix or regex condition, even regex .*', () => {
    const s = simWith(`[{ match: [{ headers: { x-a: { regex: '.*' } } }], ${TO()} }]`);
    expect(s.route({ host: INV }).noRoute).toBe(true);
    expect(s.route({ host: INV, headers: { 'x-a': '' } }).rule).toBe(0);
  });

  test('regex is a full match: abc does not match xabcx', () => {
    const s = simWith(`[{ match: [{ headers: { x-a: { regex: 'abc' } } }], ${TO()} }]`);
    expect(s.route({ host: INV, headers: { 'x-a': 'abc' } }).rule).toBe(0);
    expect(s.route({ host: INV, headers: { 'x-a': 'xabcx' } }).noRoute).toBe(true);
  });

  test('a regex RE2 rejects (lookahead) is an error, not a silent mismatch', () => {
    const s = simWith(`[{ match: [{ headers: { x-a: { regex: '(?=a)a' } } }], ${TO()} }]`);
    expect(() => s.route({ host: INV, headers: { 'x-a': 'a' } })).toThrow(/not valid RE2/);
  });

  test('uri: exact and regex ignore the query string, prefix does not; ignoreUriCase lowers both sides', () => {
    const s = simWith(`[
      { match: [{ uri: { exact: /a } }], ${TO()} },
      { match: [{ uri: { regex: '/b/[0-9]+' } }], ${TO()} },
      { match: [{ uri: { prefix: /C }, ignoreUriCase: true }], ${TO()} }]`);
    expect(s.route({ host: INV, path: '/a?x=1' }).rule).toBe(0);
    expect(s.route({ host: INV, path: '/b/12?x=1' }).rule).toBe(1);
    expect(s.route({ host: INV, path: '/c/d' }).rule).toBe(2);
    expect(s.route({ host: INV, path: '/A' }).noRoute).toBe(true);
  });

  test('method, queryParams and withoutHeaders', () => {
    const s = simWith(`[
      { match: [{ method: { exact: POST } }], ${TO()} },
      { match: [{ queryParams: { debug: { exact: '1' } } }], ${TO()} },
      { match: [{ withoutHeaders: { x-internal: { exact: 'yes' } } }], ${TO()} }]`);
    expect(s.route({ host: INV, method: 'POST' }).rule).toBe(0);
    expect(s.route({ host: INV, method: 'post', path: '/?debug=1' }).rule).toBe(1);
    expect(s.route({ host: INV, headers: { 'x-internal': 'no' } }).rule).toBe(2);
    expect(s.route({ host: INV, headers: { 'x-internal': 'yes' } }).noRoute).toBe(true);
    // pilot/pkg/networking/core/route/route.go: withoutHeaders is inverted with treat_missing_header_as_empty,
    // so a missing header is compared as '' and `exact: yes` does not match it: the rule matches.
    expect(s.route({ host: INV }).rule).toBe(2);
  });

  test('a rule without match matches everything, later rules are unreachable', () => {
    const s = simWith(`[{ ${TO()} }, { match: [{ headers: { x-a: { exact: '1' } } }], ${TO()}, timeout: 1s }]`);
    expect(s.route({ host: INV, headers: { 'x-a': '1' } }).rule).toBe(0);
  });
});

describe('route: weights, timeouts, retries', () => {
  test('weights are weight / sum x 100, not rounded, and need not sum to 100', () => {
    const s = simWith(`[{ route: [
      { destination: { host: inventory-service, subset: a }, weight: 1 },
      { destination: { host: inventory-service, subset: b }, weight: 2 }] }]`);
    expect(s.route({ host: INV }).destinations.map((d) => d.weight)).toEqual([100 / 3, 200 / 3]);
  });

  test('a lone destination with weight 0 still takes 100%', () => {
    const s = simWith(`[{ route: [{ destination: { host: inventory-service }, weight: 0 }] }]`);
    expect(s.route({ host: INV }).destinations[0].weight).toBe(100);
  });

  test('unset timeout is null (disabled) and unset retries are Istio defaults, flagged default', () => {
    const r = simWith(`[{ ${TO()} }]`).route({ host: INV });
    expect(r.timeout).toBeNull();
    expect(r.retries).toEqual({ attempts: 2, retryOn: 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes', default: true });
  });

  test('attempts 0 disables retries', () => {
    const r = simWith(`[{ ${TO()}, retries: { attempts: 0 } }]`).route({ host: INV });
    expect(r.retries).toEqual({ attempts: 0 });
  });

  test('attempts without retryOn keep the default retryOn; bare status codes add retriable-status-codes', () => {
    expect(simWith(`[{ ${TO()}, retries: { attempts: 5 } }]`).route({ host: INV }).retries).toEqual({
      attempts: 5,
      retryOn: 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes',
    });
    expect(simWith(`[{ ${TO()}, retries: { attempts: 1, retryOn: '503' } }]`).route({ host: INV }).retries).toEqual({
      attempts: 1,
      retryOn: '503,retriable-status-codes',
    });
  });

  test('durations are normalized: 1500ms stays 1500ms, 10000ms is 10s', () => {
    expect(simWith(`[{ ${TO()}, timeout: 1500ms }]`).route({ host: INV }).timeout).toBe('1500ms');
    expect(simWith(`[{ ${TO()}, timeout: 10000ms }]`).route({ host: INV }).timeout).toBe('10s');
  });
});

describe('route: subset checks', () => {
  test('a subset no DestinationRule defines is reported', () => {
    const r = simWith(`[{ route: [{ destination: { host: inventory-service, subset: v9 } }] }]`).route({ host: INV });
    expect(r.warnings).toEqual([expect.stringMatching(/subset v9 .* defined in no DestinationRule/)]);
  });

  test('a subset whose labels select no pods is reported', () => {
    const s = simWith(`[{ route: [{ destination: { host: inventory-service, subset: v2 } }] }]`);
    const withDr = MeshSimulator.fromManifests([
      ...(s.model.ofKind('VirtualService').map((o) => o.manifest)),
      ...(s.model.ofKind('Service').map((o) => o.manifest)),
      ...(s.model.ofKind('Deployment').map((o) => o.manifest)),
      { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'inv', namespace: 'production' }, spec: { host: 'inventory-service', subsets: [{ name: 'v2', labels: { version: 'v2' } }] } },
    ]);
    expect(withDr.route({ host: INV }).warnings).toEqual([expect.stringMatching(/subset v2 .* selects no pods/)]);
  });

  test('a destination host with no Service is reported', () => {
    const r = simWith(`[{ route: [{ destination: { host: ghost } }] }]`).route({ host: INV });
    expect(r.warnings).toEqual([expect.stringMatching(/ghost.production.svc.cluster.local names no Service/)]);
  });
});

describe('route: conflicts', () => {
  test('two VirtualServices on one host: the first by namespace/name is used, with a warning (IST0109)', () => {
    // GIVEN a second VirtualService for order-service, named so it sorts first
    const s = referenceSim(`
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: a-order-override, namespace: production }
spec:
  hosts: [order-service.production.svc.cluster.local]
  http: [{ route: [{ destination: { host: order-service, subset: v1 } }] }]
`);
    // WHEN routing the canary header THEN the override answers, and the conflict is reported
    const r = s.route({ host: ORDER_HOST, headers: { 'x-canary': 'true' } });
    expect(r.routedBy).toBe('VirtualService/production/a-order-override');
    expect(r.warnings).toEqual([expect.stringMatching(/2 VirtualServices bind host .*IST0109/)]);
  });
});
