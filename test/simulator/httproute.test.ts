import { MeshSimulator, parseManifestText } from '../../src';
import { ORDER_HOST, referenceManifests, workloadYaml } from './helpers';

/** GIVEN the reference workloads, per-version Services, and the given HTTPRoute rules attached to order-service. */
function gamma(rules: string, extra = ''): MeshSimulator {
  const base = referenceManifests().filter((o) => !['VirtualService', 'DestinationRule'].includes(String(o.kind)));
  const perVersion = ['v1', 'v2']
    .map((v) => `
apiVersion: v1
kind: Service
metadata: { name: order-service-${v}, namespace: production }
spec:
  selector: { app: order-service, version: ${v} }
  ports: [{ name: http, port: 8080, targetPort: 8080 }]`)
    .join('\n---\n');
  const route = `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: order-service, namespace: production }
spec:
  parentRefs: [{ group: "", kind: Service, name: order-service, port: 8080 }]
  rules: ${rules}
`;
  return MeshSimulator.fromManifests([...base, ...parseManifestText([perVersion, route, extra].join('\n---\n'))]);
}

const V1 = 'order-service-v1.production.svc.cluster.local';
const V2 = 'order-service-v2.production.svc.cluster.local';
const CANARY = `[
  { matches: [{ headers: [{ type: Exact, name: x-canary, value: "true" }] }], backendRefs: [{ name: order-service-v2, port: 8080 }], timeouts: { request: 10s } },
  { matches: [{ headers: [{ type: RegularExpression, name: x-user-id, value: "^[0-9]*[02468]$" }] }], backendRefs: [{ name: order-service-v2, port: 8080 }], timeouts: { request: 10s } },
  { backendRefs: [{ name: order-service-v1, port: 8080, weight: 90 }, { name: order-service-v2, port: 8080, weight: 10 }], timeouts: { request: 10s } }]`;

describe('HTTPRoute (Gateway API, GAMMA) routing: the reference canary', () => {
  const sim = gamma(CANARY);
  const SPLIT = [{ host: V1, port: 8080, weight: 90 }, { host: V2, port: 8080, weight: 10 }];
  test.each([
    [{ 'x-canary': 'true' }, 0, [{ host: V2, port: 8080, weight: 100 }]],
    [{ 'X-Canary': 'true' }, 0, [{ host: V2, port: 8080, weight: 100 }]],
    [{ 'x-canary': 'TRUE' }, 2, SPLIT],
    [{ 'x-user-id': '42' }, 1, [{ host: V2, port: 8080, weight: 100 }]],
    [{ 'x-user-id': '13' }, 2, SPLIT],
    [{ 'x-user-id': '' }, 2, SPLIT],
    [{}, 2, SPLIT],
  ])('%j → rule %s', (headers, rule, destinations) => {
    const r = sim.route({ host: ORDER_HOST, headers });
    expect(r).toMatchObject({ rule, destinations, timeout: '10s', routedBy: 'HTTPRoute/production/order-service' });
    expect(r.retries).toMatchObject({ attempts: 2, default: true });
    expect(r.warnings).toEqual([]);
  });

  test('the graph lists the HTTPRoute rules', () => {
    expect(sim.graph().splits.filter((s) => s.host === ORDER_HOST).map((s) => [s.rule, s.match])).toEqual([
      [0, 'header x-canary Exact "true"'],
      [1, 'header x-user-id RegularExpression "^[0-9]*[02468]$"'],
      [2, 'any request'],
    ]);
  });
});

describe('HTTPRoute semantics', () => {
  const to = (svc: string) => `backendRefs: [{ name: ${svc}, port: 8080 }]`;
  test('precedence, not rule order: an Exact path beats an earlier prefix, a longer prefix beats a shorter one', () => {
    const sim = gamma(`[
      { matches: [{ path: { type: PathPrefix, value: /api } }], ${to('order-service-v1')} },
      { matches: [{ path: { type: PathPrefix, value: /api/orders } }], ${to('order-service-v2')} },
      { matches: [{ path: { type: Exact, value: /api/x } }], ${to('order-service-v2')} }]`);
    expect(sim.route({ host: ORDER_HOST, path: '/api/orders/7' }).rule).toBe(1);
    expect(sim.route({ host: ORDER_HOST, path: '/api/x' }).rule).toBe(2);
    expect(sim.route({ host: ORDER_HOST, path: '/api/y' }).rule).toBe(0);
  });

  test('RegularExpression paths rank after every PathPrefix (Istio), longest regex first', () => {
    const sim = gamma(`[
      { matches: [{ path: { type: RegularExpression, value: "/api/orders/.*" } }], ${to('order-service-v2')} },
      { matches: [{ path: { type: RegularExpression, value: "/api/.*" } }], ${to('order-service-v1')} },
      { matches: [{ path: { type: PathPrefix, value: / } }], ${to('order-service-v1')} }]`);
    // PathPrefix / outranks both regexes, although it is listed last and shorter.
    expect(sim.route({ host: ORDER_HOST, path: '/api/orders/7' }).rule).toBe(2);
    const regexOnly = gamma(`[
      { matches: [{ path: { type: RegularExpression, value: "/api/.*" } }], ${to('order-service-v1')} },
      { matches: [{ path: { type: RegularExpression, value: "/api/orders/.*" } }], ${to('order-service-v2')} }]`);
    expect(regexOnly.route({ host: ORDER_HOST, path: '/api/orders/7' }).rule).toBe(1);
    expect(regexOnly.route({ host: ORDER_HOST, path: '/api/x' }).rule).toBe(0);
  });

  test('PathPrefix matches whole path elements: /api does not match /apix', () => {
    const sim = gamma(`[{ matches: [{ path: { type: PathPrefix, value: /api } }], ${to('order-service-v1')} }]`);
    expect(sim.route({ host: ORDER_HOST, path: '/api' }).rule).toBe(0);
    expect(sim.route({ host: ORDER_HOST, path: '/api/' }).rule).toBe(0);
    expect(sim.route({ host: ORDER_HOST, path: '/apix' }).noRoute).toBe(true);
  });

  test('more header matches win over fewer; a method match wins over none', () => {
    const sim = gamma(`[
      { matches: [{ headers: [{ name: a, value: "1" }] }], ${to('order-service-v1')} },
      { matches: [{ headers: [{ name: a, value: "1" }, { name: b, value: "2" }] }], ${to('order-service-v2')} },
      { matches: [{ method: DELETE }], ${to('order-service-v2')} }]`);
    expect(sim.route({ host: ORDER_HOST, headers: { a: '1', b: '2' } }).rule).toBe(1);
    expect(sim.route({ host: ORDER_HOST, headers: { a: '1' } }).rule).toBe(0);
    expect(sim.route({ host: ORDER_HOST, method: 'DELETE', headers: { a: '1', b: '2' } }).rule).toBe(2);
  });

  test('a single backendRef without weight takes 100%; weights default to 1', () => {
    const sim = gamma(`[{ backendRefs: [{ name: order-service-v1, port: 8080 }, { name: order-service-v2, port: 8080, weight: 3 }] }]`);
    expect(sim.route({ host: ORDER_HOST }).destinations.map((d) => d.weight)).toEqual([25, 75]);
  });

  test('a VirtualService on the same host wins, with a warning', () => {
    const sim = gamma(CANARY, `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: order-service, namespace: production }
spec: { hosts: [order-service], http: [{ route: [{ destination: { host: order-service-v1 } }] }] }`);
    const r = sim.route({ host: ORDER_HOST });
    expect(r.routedBy).toBe('VirtualService/production/order-service');
    expect(r.warnings).toEqual([expect.stringMatching(/both VirtualService .* and HTTPRoute/)]);
  });

  test('an HTTPRoute attached to another Service does not route this host', () => {
    const sim = MeshSimulator.fromYaml(`${workloadYaml('inventory-service')}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: other, namespace: production }
spec:
  parentRefs: [{ group: "", kind: Service, name: other }]
  rules: [{ backendRefs: [{ name: other, port: 80 }] }]`);
    expect(sim.route({ host: 'inventory-service.production' }).defaultRoute).toBe(true);
  });
});

describe('versionSplit: the same answer for subsets and per-version Services', () => {
  test.each([
    [{ 'x-canary': 'true' }, { v2: 100 }],
    [{ 'x-user-id': '42' }, { v2: 100 }],
    [{ 'x-user-id': '13' }, { v1: 90, v2: 10 }],
    [{}, { v1: 90, v2: 10 }],
  ])('%j', (headers, split) => {
    // GIVEN the reference app as VirtualService + subsets, and as HTTPRoute + per-version Services
    const istio = MeshSimulator.fromManifests(referenceManifests());
    const gatewayApi = gamma(CANARY);
    // THEN both send the same share to each version
    expect(istio.versionSplit({ host: ORDER_HOST, headers })).toEqual(split);
    expect(gatewayApi.versionSplit({ host: ORDER_HOST, headers })).toEqual(split);
  });

  test('a subset with no pods is reported as (no pods)', () => {
    const objects = referenceManifests().filter((o) => o.metadata?.name !== 'order-service-v2');
    expect(MeshSimulator.fromManifests(objects).versionSplit({ host: ORDER_HOST })).toEqual({ '(no pods)': 10, v1: 90 });
  });
});
