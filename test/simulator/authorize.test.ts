import { AuthzRequest, MeshSimulator, SimulatorError } from '../../src';
import { INGRESS, ORDER, ORDER_HOST, PAYMENT, PAYMENT_HOST, referenceSim, workloadYaml } from './helpers';

const PAY = { to: PAYMENT_HOST, method: 'POST', path: '/api/payments/42' };

describe('authorize: the decisions of issue 5 on the reference app', () => {
  // GIVEN the hand-written reference app, plus one more workload in production
  const sim = referenceSim(workloadYaml('inventory-service'));

  test('order-service → payment-service POST /api/payments/42 is allowed by the payment-service policy', () => {
    expect(sim.authorize({ ...PAY, fromPrincipal: ORDER })).toMatchObject({ decision: 'ALLOW', policy: 'production/payment-service-allow', rule: 0 });
  });

  test('... but denied with x-user-role: guest', () => {
    const r = sim.authorize({ ...PAY, fromPrincipal: ORDER, headers: { 'x-user-role': 'guest' } });
    expect(r).toMatchObject({ decision: 'DENY', policy: null });
    expect(r.reason).toMatch(/x-user-role/);
  });

  test('... and the header name is case-insensitive: X-User-Role: guest is denied too', () => {
    expect(sim.authorize({ ...PAY, fromPrincipal: ORDER, headers: { 'X-User-Role': 'guest' } }).decision).toBe('DENY');
  });

  test('... while x-user-role: Guest is another value (values are case-sensitive) and is allowed', () => {
    expect(sim.authorize({ ...PAY, fromPrincipal: ORDER, headers: { 'x-user-role': 'Guest' } }).decision).toBe('ALLOW');
  });

  test('GET on payments is denied', () => {
    const r = sim.authorize({ ...PAY, method: 'GET', fromPrincipal: ORDER });
    expect(r).toMatchObject({ decision: 'DENY', policy: null });
    expect(r.reason).toMatch(/method "GET" is not in \["POST"\]/);
  });

  test('methods are case-sensitive: post is denied', () => {
    expect(sim.authorize({ ...PAY, method: 'post', fromPrincipal: ORDER }).decision).toBe('DENY');
  });

  test('/api/payments/* does not match /api/payments itself', () => {
    expect(sim.authorize({ ...PAY, path: '/api/payments', fromPrincipal: ORDER }).decision).toBe('DENY');
    expect(sim.authorize({ ...PAY, path: '/api/payments/', fromPrincipal: ORDER }).decision).toBe('ALLOW');
  });

  test('another caller in production is denied', () => {
    expect(sim.authorize({ ...PAY, fromPrincipal: 'cluster.local/ns/production/sa/inventory-service' }).decision).toBe('DENY');
  });

  test('order-service from another namespace is denied', () => {
    expect(sim.authorize({ ...PAY, fromPrincipal: 'cluster.local/ns/staging/sa/order-service' }).decision).toBe('DENY');
  });

  test('a plaintext caller to payment-service is rejected by STRICT mTLS before authorization', () => {
    expect(sim.authorize({ ...PAY, plaintext: true })).toMatchObject({
      decision: 'DENY',
      policy: 'production/payment-service',
      kind: 'PeerAuthentication',
      mtls: 'STRICT',
    });
  });

  test.each([
    ['GET', '/api/orders'],
    ['GET', '/api/orders/7'],
    ['POST', '/api/orders'],
    ['POST', '/api/orders/7/items'],
  ])('the ingress gateway → order-service %s %s is allowed', (method, path) => {
    expect(sim.authorize({ to: ORDER_HOST, fromPrincipal: INGRESS, method, path })).toMatchObject({ decision: 'ALLOW', policy: 'production/order-service-allow', rule: 0 });
  });

  test.each([
    ['DELETE', '/api/orders/7'],
    ['GET', '/api/ordersX'],
    ['GET', '/health'],
  ])('the ingress gateway → order-service %s %s is denied', (method, path) => {
    expect(sim.authorize({ to: ORDER_HOST, fromPrincipal: INGRESS, method, path }).decision).toBe('DENY');
  });

  test.each([
    ['payment-service', { fromPrincipal: PAYMENT }],
    ['a caller from another namespace', { fromPrincipal: 'cluster.local/ns/other/sa/x' }],
    ['a plaintext caller (PERMISSIVE lets it in, authorization denies it)', { plaintext: true }],
  ])('%s → order-service is denied', (_t, who) => {
    const r = sim.authorize({ to: ORDER_HOST, method: 'GET', path: '/api/orders', ...who } as AuthzRequest);
    expect(r.decision).toBe('DENY');
    expect(r.mtls).toBe('PERMISSIVE');
  });

  test('the ingress gateway checks every order-service workload (v1 and v2)', () => {
    for (const workload of ['order-service-v1', 'order-service-v2']) {
      expect(sim.authorize({ to: ORDER_HOST, workload, fromPrincipal: INGRESS, method: 'GET', path: '/api/orders' })).toMatchObject({ decision: 'ALLOW', workload: `production/${workload}` });
    }
  });

  test.each([
    ['order-service', ORDER],
    ['the ingress gateway', INGRESS],
    ['payment-service', PAYMENT],
  ])('%s → another workload in production is denied by the default deny', (_t, principal) => {
    const r = sim.authorize({ to: 'inventory-service.production', fromPrincipal: principal, method: 'GET', path: '/' });
    expect(r).toMatchObject({ decision: 'DENY', policy: null });
    expect(r.reason).toMatch(/production\/default-deny: it has no rules/);
  });

  test('without the default deny, the other workload is open: no ALLOW policy applies', () => {
    const objects = sim.model.ofKind('AuthorizationPolicy').filter((p) => p.name !== 'default-deny');
    const others = ['Service', 'Deployment', 'PeerAuthentication'].flatMap((k) => sim.model.ofKind(k));
    const open = MeshSimulator.fromManifests([...objects, ...others].map((o) => o.manifest));
    expect(open.authorize({ to: 'inventory-service.production', fromPrincipal: ORDER, method: 'GET', path: '/' })).toMatchObject({ decision: 'ALLOW', policy: null });
  });
});

/** GIVEN an `inventory-service` in production (PERMISSIVE) with the given policies and nothing else. */
function inventoryWith(...yaml: string[]): MeshSimulator {
  return MeshSimulator.fromYaml([workloadYaml('inventory-service'), ...yaml].join('\n---\n'));
}
const INV = 'inventory-service.production';
const policy = (name: string, spec: string, ns = 'production') => `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: ${name}, namespace: ${ns} }
spec: ${spec}
`;
const ALLOW_ALL = policy('allow-all', '{ rules: [{}] }');

describe('authorize: decision order and policy shapes (istio-rules.md §3)', () => {
  test('no policy at all: allow', () => {
    expect(inventoryWith().authorize({ to: INV, plaintext: true }).decision).toBe('ALLOW');
  });

  test('an ALLOW policy without rules allows nothing; an empty rule {} matches everything', () => {
    expect(inventoryWith(policy('nothing', '{}')).authorize({ to: INV, fromPrincipal: ORDER }).decision).toBe('DENY');
    expect(inventoryWith(ALLOW_ALL).authorize({ to: INV, fromPrincipal: ORDER })).toMatchObject({ decision: 'ALLOW', policy: 'production/allow-all' });
  });

  test('a matching DENY beats a matching ALLOW', () => {
    const s = inventoryWith(ALLOW_ALL, policy('no-admin', '{ action: DENY, rules: [{ to: [{ operation: { paths: [/admin*] } }] }] }'));
    expect(s.authorize({ to: INV, fromPrincipal: ORDER, path: '/admin/users' })).toMatchObject({ decision: 'DENY', policy: 'production/no-admin', rule: 0 });
    expect(s.authorize({ to: INV, fromPrincipal: ORDER, path: '/public' }).decision).toBe('ALLOW');
  });

  test('a matching CUSTOM policy is taken to deny unless customDecisions says otherwise, and comes before DENY', () => {
    const s = inventoryWith(ALLOW_ALL, policy('ext', '{ action: CUSTOM, provider: { name: opa }, rules: [{}] }'), policy('deny-all', '{ action: DENY, rules: [{}] }'));
    expect(s.authorize({ to: INV, fromPrincipal: ORDER })).toMatchObject({ decision: 'DENY', policy: 'production/ext' });
    expect(s.authorize({ to: INV, fromPrincipal: ORDER, customDecisions: { opa: 'ALLOW' } })).toMatchObject({ decision: 'DENY', policy: 'production/deny-all' });
  });

  test('AUDIT never decides, but is reported', () => {
    const s = inventoryWith(policy('audit', '{ action: AUDIT, rules: [{}] }'));
    expect(s.authorize({ to: INV, fromPrincipal: ORDER })).toMatchObject({ decision: 'ALLOW', policy: null, audit: ['production/audit'] });
  });

  test('root-namespace policies apply mesh-wide; other namespaces do not', () => {
    const root = inventoryWith(policy('mesh-deny', '{ action: DENY, rules: [{ to: [{ operation: { methods: [DELETE] } }] }] }', 'istio-system'));
    expect(root.authorize({ to: INV, fromPrincipal: ORDER, method: 'DELETE' })).toMatchObject({ decision: 'DENY', policy: 'istio-system/mesh-deny' });
    const other = inventoryWith(policy('elsewhere', '{ action: DENY, rules: [{}] }', 'staging'));
    expect(other.authorize({ to: INV, fromPrincipal: ORDER }).decision).toBe('ALLOW');
  });

  test('a selector applies the policy only to workloads whose labels match', () => {
    const s = inventoryWith(policy('v2-only', '{ selector: { matchLabels: { version: v2 } }, action: DENY, rules: [{}] }'));
    expect(s.authorize({ to: INV, fromPrincipal: ORDER }).decision).toBe('ALLOW');
    const t = inventoryWith(policy('v1-only', '{ selector: { matchLabels: { version: v1 } }, action: DENY, rules: [{}] }'));
    expect(t.authorize({ to: INV, fromPrincipal: ORDER }).decision).toBe('DENY');
  });

  test('a policy with targetRefs is not enforced by a sidecar', () => {
    const s = inventoryWith(policy('via-waypoint', '{ targetRefs: [{ kind: Service, group: "", name: inventory-service }], action: DENY, rules: [{}] }'));
    expect(s.authorize({ to: INV, fromPrincipal: ORDER })).toMatchObject({ decision: 'ALLOW', enforcedBy: 'sidecar' });
  });
});

describe('authorize: sources, plaintext and notX', () => {
  test('DENY + notPrincipals fails closed for plaintext: an empty principal is in no list', () => {
    const s = inventoryWith(policy('outsiders', '{ action: DENY, rules: [{ from: [{ source: { notPrincipals: ["cluster.local/ns/production/sa/*"] } }] }] }'));
    expect(s.authorize({ to: INV, plaintext: true }).decision).toBe('DENY');
    expect(s.authorize({ to: INV, fromPrincipal: ORDER }).decision).toBe('ALLOW');
    expect(s.authorize({ to: INV, fromPrincipal: 'cluster.local/ns/other/sa/x' }).decision).toBe('DENY');
  });

  test('ALLOW + notNamespaces fails open for plaintext', () => {
    const s = inventoryWith(policy('not-staging', '{ rules: [{ from: [{ source: { notNamespaces: [staging] } }] }] }'));
    expect(s.authorize({ to: INV, plaintext: true }).decision).toBe('ALLOW');
    expect(s.authorize({ to: INV, fromPrincipal: 'cluster.local/ns/staging/sa/x' }).decision).toBe('DENY');
  });

  test('principals "*" means any authenticated caller: plaintext never matches it', () => {
    const s = inventoryWith(policy('authn', '{ rules: [{ from: [{ source: { principals: ["*"] } }] }] }'));
    expect(s.authorize({ to: INV, fromPrincipal: ORDER }).decision).toBe('ALLOW');
    expect(s.authorize({ to: INV, plaintext: true }).decision).toBe('DENY');
  });

  test('the source namespace is derived from the principal', () => {
    const s = inventoryWith(policy('prod', '{ rules: [{ from: [{ source: { namespaces: [production] } }] }] }'));
    expect(s.authorize({ to: INV, fromPrincipal: 'cluster.local/ns/production/sa/anything' }).decision).toBe('ALLOW');
    expect(s.authorize({ to: INV, fromPrincipal: 'cluster.local/ns/productionx/sa/anything' }).decision).toBe('DENY');
  });

  test('fields inside one source are ANDed; sources are ORed', () => {
    const s = inventoryWith(policy('mix', `{ rules: [{ from: [
      { source: { principals: ["${ORDER}"], namespaces: [staging] } },
      { source: { principals: ["${PAYMENT}"] } }] }] }`));
    expect(s.authorize({ to: INV, fromPrincipal: ORDER }).decision).toBe('DENY');
    expect(s.authorize({ to: INV, fromPrincipal: PAYMENT }).decision).toBe('ALLOW');
  });

  test('a plaintext caller is let in only when the workload is not STRICT', () => {
    const strict = `
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: { name: ns-strict, namespace: production }
spec: { mtls: { mode: STRICT } }`;
    expect(inventoryWith(strict).authorize({ to: INV, plaintext: true })).toMatchObject({ decision: 'DENY', kind: 'PeerAuthentication', policy: 'production/ns-strict' });
    expect(inventoryWith().authorize({ to: INV, plaintext: true })).toMatchObject({ decision: 'ALLOW', mtls: 'PERMISSIVE' });
  });
});

describe('authorize: PeerAuthentication resolution', () => {
  const pa = (name: string, ns: string, spec: string) => `
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: { name: ${name}, namespace: ${ns} }
spec: ${spec}`;

  test('workload selector beats namespace beats root namespace', () => {
    const mesh = pa('default', 'istio-system', '{ mtls: { mode: STRICT } }');
    const ns = pa('ns', 'production', '{ mtls: { mode: PERMISSIVE } }');
    const wl = pa('wl', 'production', '{ selector: { matchLabels: { app: inventory-service } }, mtls: { mode: STRICT } }');
    expect(inventoryWith(mesh).authorize({ to: INV, plaintext: true })).toMatchObject({ decision: 'DENY', policy: 'istio-system/default' });
    expect(inventoryWith(mesh, ns).authorize({ to: INV, plaintext: true }).decision).toBe('ALLOW');
    expect(inventoryWith(mesh, ns, wl).authorize({ to: INV, plaintext: true })).toMatchObject({ decision: 'DENY', policy: 'production/wl' });
  });

  test('UNSET inherits from the level above', () => {
    const mesh = pa('default', 'istio-system', '{ mtls: { mode: STRICT } }');
    const wl = pa('wl', 'production', '{ selector: { matchLabels: { app: inventory-service } }, mtls: { mode: UNSET } }');
    expect(inventoryWith(mesh, wl).authorize({ to: INV, plaintext: true })).toMatchObject({ decision: 'DENY', policy: 'istio-system/default' });
  });

  test('port-level mTLS overrides the workload mode on that port only', () => {
    const wl = pa('wl', 'production', '{ selector: { matchLabels: { app: inventory-service } }, mtls: { mode: STRICT }, portLevelMtls: { "9090": { mode: PERMISSIVE } } }');
    expect(inventoryWith(wl).authorize({ to: INV, plaintext: true, port: 9090 }).decision).toBe('ALLOW');
    expect(inventoryWith(wl).authorize({ to: INV, plaintext: true, port: 8080 }).decision).toBe('DENY');
    expect(inventoryWith(wl).authorize({ to: INV, plaintext: true }).decision).toBe('DENY');
  });

  test('DISABLE: the caller arrives without a principal, so principal-based ALLOW rules do not match', () => {
    const off = pa('off', 'production', '{ mtls: { mode: DISABLE } }');
    const allowOrder = policy('order', `{ rules: [{ from: [{ source: { principals: ["${ORDER}"] } }] }] }`);
    const r = inventoryWith(off, allowOrder).authorize({ to: INV, fromPrincipal: ORDER });
    expect(r).toMatchObject({ decision: 'DENY', mtls: 'DISABLE' });
    expect(r.reason).toMatch(/DISABLE/);
  });
});

describe('authorize: value and path matching', () => {
  const allowPaths = (paths: string) => inventoryWith(policy('p', `{ rules: [{ to: [{ operation: { paths: ${paths} } }] }] }`));
  test.each([
    ['/x/*', '/x/a', true],
    ['/x/*', '/x', false],
    ['/x/*', '/x/', true],
    ['*.json', '/a/b.json', true],
    ['*.json', '/a/b.jsonx', false],
    ['/exact', '/exact', true],
    ['/exact', '/exact?q=1', true],
    ['/exact', '/Exact', false],
    ['*', '/anything', true],
    ['/a/{*}/c', '/a/b/c', true],
    ['/a/{*}/c', '/a/b/b/c', false],
    ['/a/{*}/c', '/a//c', false],
    ['/a/{**}', '/a/b/c/d', true],
    ['/a/{**}', '/a/', true],
    ['/a/{**}', '/a', false],
    ['/a/{*}.txt', '/a/x.txt', true],
  ])('path pattern %s vs %s → %s', (pattern, path, allowed) => {
    expect(allowPaths(`["${pattern}"]`).authorize({ to: INV, fromPrincipal: ORDER, path }).decision).toBe(allowed ? 'ALLOW' : 'DENY');
  });

  test('hosts are case-insensitive, and the port in Host is ignored', () => {
    const s = inventoryWith(policy('h', '{ rules: [{ to: [{ operation: { hosts: [inventory.example.com] } }] }] }'));
    expect(s.authorize({ to: INV, fromPrincipal: ORDER, host: 'Inventory.Example.COM' }).decision).toBe('ALLOW');
    expect(s.authorize({ to: INV, fromPrincipal: ORDER, host: 'inventory.example.com:8080' }).decision).toBe('ALLOW');
    expect(s.authorize({ to: INV, fromPrincipal: ORDER, host: 'other.example.com' }).decision).toBe('DENY');
  });

  test('when request.headers: "*" means present and non-empty; notValues match a missing header', () => {
    const present = inventoryWith(policy('w', '{ rules: [{ when: [{ key: "request.headers[x-token]", values: ["*"] }] }] }'));
    expect(present.authorize({ to: INV, fromPrincipal: ORDER, headers: { 'x-token': 'abc' } }).decision).toBe('ALLOW');
    expect(present.authorize({ to: INV, fromPrincipal: ORDER, headers: { 'x-token': '' } }).decision).toBe('DENY');
    expect(present.authorize({ to: INV, fromPrincipal: ORDER }).decision).toBe('DENY');
    const notGuest = inventoryWith(policy('w', '{ rules: [{ when: [{ key: "request.headers[x-role]", notValues: [guest] }] }] }'));
    expect(notGuest.authorize({ to: INV, fromPrincipal: ORDER }).decision).toBe('ALLOW');
  });

  test('ports compare with the workload port; the default is the Service targetPort', () => {
    const s = inventoryWith(policy('p', '{ rules: [{ to: [{ operation: { ports: ["8080"] } }] }] }'));
    expect(s.authorize({ to: INV, fromPrincipal: ORDER }).decision).toBe('ALLOW');
    expect(s.authorize({ to: INV, fromPrincipal: ORDER, port: 9090 }).decision).toBe('DENY');
  });

  test('ipBlocks and source.ip use CIDRs', () => {
    const s = inventoryWith(policy('ip', '{ rules: [{ from: [{ source: { ipBlocks: [10.0.0.0/8] } }] }] }'));
    expect(s.authorize({ to: INV, fromPrincipal: ORDER, sourceIp: '10.1.2.3' }).decision).toBe('ALLOW');
    expect(s.authorize({ to: INV, fromPrincipal: ORDER, sourceIp: '11.1.2.3' }).decision).toBe('DENY');
  });
});

describe('authorize: HTTP-only fields on TCP traffic', () => {
  test('an ALLOW rule using methods drops out for TCP; a DENY rule ignores them (denies more)', () => {
    const tcpSvc = workloadYaml('db', 'production', 'tcp-db');
    const allow = MeshSimulator.fromYaml([tcpSvc, policy('get-only', '{ rules: [{ to: [{ operation: { methods: [GET] } }] }] }')].join('\n---\n'));
    expect(allow.authorize({ to: 'db.production', fromPrincipal: ORDER, method: 'GET' }).decision).toBe('DENY');
    const deny = MeshSimulator.fromYaml([tcpSvc, policy('no-delete', '{ action: DENY, rules: [{ to: [{ operation: { methods: [DELETE] } }] }] }')].join('\n---\n'));
    expect(deny.authorize({ to: 'db.production', fromPrincipal: ORDER, method: 'GET' }).decision).toBe('DENY');
    // the same policies over HTTP
    expect(inventoryWith(policy('no-delete', '{ action: DENY, rules: [{ to: [{ operation: { methods: [DELETE] } }] }] }')).authorize({ to: INV, fromPrincipal: ORDER, method: 'GET' }).decision).toBe('ALLOW');
  });
});

describe('authorize: which ports carry HTTP', () => {
  const getOnly = policy('get-only', '{ rules: [{ to: [{ operation: { methods: [GET] } }] }] }');
  test.each([
    ['http', 'ALLOW'],
    ['grpc-api', 'ALLOW'],
    ['web', 'ALLOW'],
    ['tcp', 'DENY'],
    ['mysql', 'DENY'],
    ['https', 'DENY'],
  ])('a Service port named %s → a GET-only ALLOW rule gives %s', (portName, decision) => {
    const s = MeshSimulator.fromYaml([workloadYaml('svc', 'production', portName), getOnly].join('\n---\n'));
    expect(s.authorize({ to: 'svc.production', fromPrincipal: ORDER, method: 'GET' }).decision).toBe(decision);
  });
});

describe('authorize: bad requests', () => {
  const s = inventoryWith();
  test('neither principal nor plaintext', () => {
    expect(() => s.authorize({ to: INV })).toThrow(/fromPrincipal .* or plaintext/);
  });
  test('both principal and plaintext', () => {
    expect(() => s.authorize({ to: INV, plaintext: true, fromPrincipal: ORDER })).toThrow(SimulatorError);
  });
  test('an unknown Service', () => {
    expect(() => s.authorize({ to: 'ghost.production', plaintext: true })).toThrow(/no Service/);
  });
});

describe('authorize: ambient (ztunnel and waypoint)', () => {
  const ambientNs = (waypoint?: string) => `
apiVersion: v1
kind: Namespace
metadata: { name: production, labels: { istio.io/dataplane-mode: ambient${waypoint ? `, istio.io/use-waypoint: ${waypoint}` : ''} } }`;
  const WAYPOINT = 'cluster.local/ns/production/sa/waypoint';
  const getOnly = (spec: string) => policy('get-only', spec);

  test('targetRefs to the Service are enforced at the waypoint, with L7 attributes', () => {
    const s = inventoryWith(ambientNs('waypoint'), getOnly(`{ targetRefs: [{ kind: Service, group: "", name: inventory-service }], rules: [{ from: [{ source: { principals: ["${ORDER}"] } }], to: [{ operation: { methods: [GET] } }] }] }`));
    expect(s.authorize({ to: INV, fromPrincipal: ORDER, method: 'GET' })).toMatchObject({ decision: 'ALLOW', policy: 'production/get-only', enforcedBy: 'waypoint' });
    expect(s.authorize({ to: INV, fromPrincipal: ORDER, method: 'POST' })).toMatchObject({ decision: 'DENY', enforcedBy: 'waypoint' });
    expect(s.authorize({ to: INV, fromPrincipal: PAYMENT, method: 'GET' })).toMatchObject({ decision: 'DENY', enforcedBy: 'waypoint' });
  });

  test('without a waypoint, targetRefs policies are not enforced and ztunnel sees L4 only', () => {
    const s = inventoryWith(ambientNs(), getOnly(`{ targetRefs: [{ kind: Service, group: "", name: inventory-service }], action: DENY, rules: [{}] }`));
    const r = s.authorize({ to: INV, fromPrincipal: ORDER, method: 'POST' });
    expect(r).toMatchObject({ decision: 'ALLOW', enforcedBy: 'ztunnel' });
    expect(r.reason).toMatch(/no waypoint/);
  });

  test('an L7 ALLOW policy bound by selector fails closed in ztunnel', () => {
    const s = inventoryWith(ambientNs(), getOnly('{ selector: { matchLabels: { app: inventory-service } }, rules: [{ to: [{ operation: { methods: [GET] } }] }] }'));
    const r = s.authorize({ to: INV, fromPrincipal: ORDER, method: 'GET' });
    expect(r).toMatchObject({ decision: 'DENY', enforcedBy: 'ztunnel' });
    expect(r.reason).toMatch(/need HTTP/);
  });

  test('with a waypoint, ztunnel sees the waypoint identity: a namespace default deny blocks the waypoint too', () => {
    const l7 = getOnly(`{ targetRefs: [{ kind: Service, group: "", name: inventory-service }], rules: [{ from: [{ source: { principals: ["${ORDER}"] } }] }] }`);
    const blocked = inventoryWith(ambientNs('waypoint'), l7, policy('default-deny', '{}'));
    const r = blocked.authorize({ to: INV, fromPrincipal: ORDER });
    expect(r).toMatchObject({ decision: 'DENY', enforcedBy: 'ztunnel', policy: null });
    expect(r.reason).toContain(WAYPOINT);
    // GIVEN an L4 policy that lets the waypoint in THEN the waypoint's L7 decision stands
    const fixed = inventoryWith(ambientNs('waypoint'), l7, policy('default-deny', '{}'), policy('from-waypoint', `{ rules: [{ from: [{ source: { principals: ["${WAYPOINT}"] } }] }] }`));
    expect(fixed.authorize({ to: INV, fromPrincipal: ORDER })).toMatchObject({ decision: 'ALLOW', enforcedBy: 'waypoint', policy: 'production/get-only' });
    expect(fixed.authorize({ to: INV, fromPrincipal: PAYMENT })).toMatchObject({ decision: 'DENY', enforcedBy: 'waypoint' });
  });

  test('a namespace with istio-injection: enabled stays on sidecars even when labelled ambient', () => {
    const ns = `
apiVersion: v1
kind: Namespace
metadata: { name: production, labels: { istio.io/dataplane-mode: ambient, istio-injection: enabled } }`;
    expect(inventoryWith(ns).authorize({ to: INV, fromPrincipal: ORDER }).enforcedBy).toBe('sidecar');
  });
});

describe('authorize: the default port', () => {
  test('a named targetPort is looked up in the pod template', () => {
    // GIVEN a Service whose targetPort is the container port name `web` (9000)
    const s = MeshSimulator.fromYaml(`
apiVersion: v1
kind: Service
metadata: { name: web, namespace: production }
spec: { selector: { app: web }, ports: [{ name: http, port: 80, targetPort: web }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: production }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: web, image: x, ports: [{ name: web, containerPort: 9000 }] }] }
---
${policy('port', '{ rules: [{ to: [{ operation: { ports: ["9000"] } }] }] }')}`);
    // THEN the policy on port 9000 applies to requests sent to the Service port 80
    expect(s.authorize({ to: 'web.production', fromPrincipal: ORDER }).decision).toBe('ALLOW');
    expect(s.authorize({ to: 'web.production', fromPrincipal: ORDER, port: 80 }).decision).toBe('DENY');
  });
});
