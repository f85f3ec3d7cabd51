import { MeshSimulator, parseManifestText } from '../../src';
import { INGRESS, ORDER, ORDER_HOST, referenceSim, workloadYaml } from './helpers';

/**
 * Boundary tests for the approximations documented in docs/simulator.md, "Differences from Envoy and
 * approximations". Each pins down what the simulator answers on the side of the boundary it documents.
 */

const INV = 'inventory-service.production';
const policy = (name: string, spec: string, ns = 'production') => `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: ${name}, namespace: ${ns} }
spec: ${spec}
`;
const inventoryWith = (...yaml: string[]) => MeshSimulator.fromYaml([workloadYaml('inventory-service'), ...yaml].join('\n---\n'));

describe('documented differences', () => {
  test('regex: a JavaScript-only construct (backreference) is an error, not a silent mismatch', () => {
    const s = referenceSim(workloadYaml('inventory-service'), `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: inv, namespace: production }
spec: { hosts: [inventory-service], http: [{ match: [{ headers: { x-a: { regex: '(a)\\1' } } }], route: [{ destination: { host: inventory-service } }] }] }`);
    expect(() => s.route({ host: INV, headers: { 'x-a': 'aa' } })).toThrow(/not valid RE2/);
  });

  test('regex: non-ASCII values match by code point (. matches é and an emoji)', () => {
    const s = referenceSim(workloadYaml('inventory-service'), `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: inv, namespace: production }
spec: { hosts: [inventory-service], http: [{ match: [{ headers: { x-a: { regex: 'a.c' } } }], route: [{ destination: { host: inventory-service } }] }] }`);
    expect(s.route({ host: INV, headers: { 'x-a': 'aéc' } }).rule).toBe(0);
    expect(s.route({ host: INV, headers: { 'x-a': 'a😀c' } }).rule).toBe(0);
    expect(s.route({ host: INV, headers: { 'x-a': 'ac' } }).noRoute).toBe(true);
  });

  test('headers: an empty StringMatch {} means present, even with an empty value', () => {
    const s = referenceSim(workloadYaml('inventory-service'), `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: inv, namespace: production }
spec: { hosts: [inventory-service], http: [{ match: [{ headers: { x-debug: {} } }], route: [{ destination: { host: inventory-service } }] }] }`);
    expect(s.route({ host: INV, headers: { 'x-debug': '' } }).rule).toBe(0);
    expect(s.route({ host: INV }).noRoute).toBe(true);
  });

  test('paths are not normalized: /api/orders/../admin is matched as written', () => {
    const s = referenceSim();
    // /api/orders/* matches it literally; Istio would normalize it to /api/admin first and deny.
    expect(s.authorize({ to: ORDER_HOST, fromPrincipal: INGRESS, method: 'GET', path: '/api/orders/../admin' }).decision).toBe('ALLOW');
  });

  test('unmodelled attributes: request.auth.claims values never match, notValues always do', () => {
    const values = inventoryWith(policy('c', '{ rules: [{ when: [{ key: "request.auth.claims[group]", values: [admin] }] }] }'));
    expect(values.authorize({ to: INV, fromPrincipal: ORDER }).decision).toBe('DENY');
    const notValues = inventoryWith(policy('c', '{ rules: [{ when: [{ key: "request.auth.claims[group]", notValues: [admin] }] }] }'));
    expect(notValues.authorize({ to: INV, fromPrincipal: ORDER }).decision).toBe('ALLOW');
  });

  test('trust domains compare literally: an alias is not applied', () => {
    const s = inventoryWith(policy('td', `{ rules: [{ from: [{ source: { principals: ["${ORDER}"] } }] }] }`));
    expect(s.authorize({ to: INV, fromPrincipal: 'example.org/ns/production/sa/order-service' }).decision).toBe('DENY');
  });

  test('serviceAccounts are <ns>/<sa>', () => {
    const s = inventoryWith(policy('sa', '{ rules: [{ from: [{ source: { serviceAccounts: [production/order-service] } }] }] }'));
    expect(s.authorize({ to: INV, fromPrincipal: ORDER }).decision).toBe('ALLOW');
    expect(s.authorize({ to: INV, fromPrincipal: 'cluster.local/ns/staging/sa/order-service' }).decision).toBe('DENY');
  });

  test('several workload PeerAuthentications: the first by name decides', () => {
    const pa = (name: string, mode: string) => `
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: { name: ${name}, namespace: production }
spec: { selector: { matchLabels: { app: inventory-service } }, mtls: { mode: ${mode} } }`;
    expect(inventoryWith(pa('b', 'PERMISSIVE'), pa('a', 'STRICT')).authorize({ to: INV, plaintext: true })).toMatchObject({ decision: 'DENY', policy: 'production/a' });
    expect(inventoryWith(pa('a', 'PERMISSIVE'), pa('b', 'STRICT')).authorize({ to: INV, plaintext: true }).decision).toBe('ALLOW');
  });

  test('ambient: targetRefs to the waypoint named by istio.io/use-waypoint apply; to another Gateway they do not', () => {
    const ns = `
apiVersion: v1
kind: Namespace
metadata: { name: production, labels: { istio.io/dataplane-mode: ambient, istio.io/use-waypoint: waypoint } }`;
    const deny = (gw: string) => policy('wp', `{ targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: ${gw} }], action: DENY, rules: [{ to: [{ operation: { methods: [DELETE] } }] }] }`);
    expect(inventoryWith(ns, deny('waypoint')).authorize({ to: INV, fromPrincipal: ORDER, method: 'DELETE' })).toMatchObject({ decision: 'DENY', policy: 'production/wp' });
    expect(inventoryWith(ns, deny('other')).authorize({ to: INV, fromPrincipal: ORDER, method: 'DELETE' }).decision).toBe('ALLOW');
  });

  test('the answers do not depend on the order of the objects', () => {
    const objects = parseManifestText([workloadYaml('inventory-service'), policy('b', '{ action: DENY, rules: [{}] }'), policy('a', '{ action: DENY, rules: [{}] }')].join('\n---\n'));
    const forward = MeshSimulator.fromManifests(objects).authorize({ to: INV, fromPrincipal: ORDER });
    const backward = MeshSimulator.fromManifests([...objects].reverse()).authorize({ to: INV, fromPrincipal: ORDER });
    expect(forward).toEqual(backward);
    expect(forward.policy).toBe('production/a');
  });
});
