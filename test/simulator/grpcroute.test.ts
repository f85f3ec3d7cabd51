import { MeshSimulator, parseManifestText } from '../../src';
import { grpcPathCondition } from '../../src/simulator/grpcroute';
import { ORDER_HOST, referenceManifests } from './helpers';

/**
 * GRPCRoute (Gateway API, GAMMA) routing as istiod translates it: pilot/pkg/config/kube/gateway/
 * conversion.go `createGRPCURIMatch` turns a method match into a path condition, and
 * `sortHTTPRoutes` orders the routes of one Service port (Istio 1.30.3).
 */

/** GIVEN the reference workloads, per-version Services, and a GRPCRoute (plus `extra` objects) attached to order-service port 8080. */
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
kind: GRPCRoute
metadata: { name: order-grpc, namespace: production }
spec:
  parentRefs: [{ group: "", kind: Service, name: order-service, port: 8080 }]
  rules: ${rules}
`;
  return MeshSimulator.fromManifests([...base, ...parseManifestText([perVersion, route, extra].join('\n---\n'))]);
}

const V1 = 'order-service-v1.production.svc.cluster.local';
const V2 = 'order-service-v2.production.svc.cluster.local';

describe('GRPCRoute method matches become path conditions (createGRPCURIMatch)', () => {
  test.each([
    [{ service: 'shop.Orders', method: 'Get' }, { kind: 'exact', value: '/shop.Orders/Get' }],
    [{ type: 'Exact', service: 'shop.Orders' }, { kind: 'prefix', value: '/shop.Orders/' }],
    [{ method: 'Get' }, { kind: 'regex', value: '/[^/]+/Get' }],
    [{ type: 'RegularExpression', service: 'shop\\..*', method: 'Get.*' }, { kind: 'regex', value: '/shop\\..*/Get.*' }],
    [{ type: 'RegularExpression', service: 'shop.Orders' }, { kind: 'regex', value: '/shop.Orders/.+' }],
    [{ type: 'Exact' }, undefined],
  ])('%j → %j', (method, condition) => {
    expect(grpcPathCondition(method)).toEqual(condition);
  });
});

describe('GRPCRoute routing', () => {
  const sim = gamma(`[
    { matches: [{ headers: [{ name: x-canary, value: "true" }] }], backendRefs: [{ name: order-service-v2, port: 8080 }] },
    { matches: [{ method: { service: shop.Orders } }], backendRefs: [{ name: order-service-v1, port: 8080, weight: 3 }, { name: order-service-v2, port: 8080, weight: 1 }] },
    { matches: [{ method: { service: shop.Orders, method: Cancel } }], backendRefs: [{ name: order-service-v2, port: 8080 }] },
    { backendRefs: [{ name: order-service-v1, port: 8080 }] }]`);
  const call = (path: string, headers: Record<string, string> = {}) => sim.route({ host: ORDER_HOST, method: 'POST', path, headers });

  test.each([
    // service + method (an exact path) outranks the service alone (a prefix), whatever the list order
    ['/shop.Orders/Cancel', {}, 2, [{ host: V2, port: 8080, weight: 100 }]],
    ['/shop.Orders/Get', {}, 1, [{ host: V1, port: 8080, weight: 75 }, { host: V2, port: 8080, weight: 25 }]],
    // a match without method has no path: it ranks below every path match
    ['/shop.Orders/Get', { 'x-canary': 'true' }, 1, [{ host: V1, port: 8080, weight: 75 }, { host: V2, port: 8080, weight: 25 }]],
    ['/shop.Users/Get', { 'x-canary': 'true' }, 0, [{ host: V2, port: 8080, weight: 100 }]],
    // a rule without matches takes the rest, last
    ['/shop.Users/Get', {}, 3, [{ host: V1, port: 8080, weight: 100 }]],
  ])('%s %j → rule %s', (path, headers, rule, destinations) => {
    const r = call(path, headers);
    expect(r).toMatchObject({ rule, destinations, timeout: null, routedBy: 'GRPCRoute/production/order-grpc' });
    expect(r.retries).toMatchObject({ default: true });
  });

  test('GIVEN a GRPCRoute on port 8080 WHEN a request goes to another port of the Service THEN the GRPCRoute does not apply', () => {
    const r = sim.route({ host: ORDER_HOST, port: 9999, path: '/shop.Orders/Get' });
    expect(r.routedBy).not.toBe('GRPCRoute/production/order-grpc');
  });

  test('GIVEN a header modifier and a mirror on a GRPCRoute rule THEN the answer reports both', () => {
    const s = gamma(`[{ matches: [{ method: { service: shop.Orders } }], filters: [
      { type: RequestHeaderModifier, requestHeaderModifier: { set: [{ name: x-env, value: prod }] } },
      { type: RequestMirror, requestMirror: { backendRef: { name: order-service-v2, port: 8080 }, percent: 10 } }],
      backendRefs: [{ name: order-service-v1, port: 8080 }] }]`);
    expect(s.route({ host: ORDER_HOST, path: '/shop.Orders/Get' })).toMatchObject({
      rule: 0, headers: { request: { set: { 'x-env': 'prod' } } }, mirrors: [{ host: V2, port: 8080, percent: 10 }],
    });
  });
});
