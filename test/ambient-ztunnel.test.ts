/**
 * Ambient data plane: what ztunnel can enforce, following Istio 1.30.3's conversion of
 * AuthorizationPolicies for ztunnel (pilot/pkg/serviceregistry/ambient/authorization.go) and its
 * PeerAuthentication handling (the same file, `convertedSelectorPeerAuthentications`).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  Condition,
  DataPlaneMode,
  ExternalIdentity,
  HttpMethod,
  MeshNamespace,
  MeshSimulator,
  MtlsMode,
  PathMatch,
  Risk,
  RoutingApi,
  ZeroTrustPolicy,
} from '../src';
import { collectFindings } from '../src/warnings';
import { authzCommand } from '../src/cli/simulate';
import { ZTUNNEL_WHEN_KEYS } from '../src/rules/authz';
import { isL4Rule } from '../src/render/ambient-security';
import { meshChart, one, service, synth } from './helpers';

const INGRESS = ExternalIdentity.serviceAccount({ namespace: 'istio-system', serviceAccount: 'istio-ingressgateway-service-account' });
const ORDER = 'cluster.local/ns/shop/sa/order-service';

/** GIVEN an ambient mesh whose namespace `shop` may not have a waypoint (ztunnel enforces everything). */
function noWaypoint() {
  const { chart, mesh } = meshChart({ dataPlane: DataPlaneMode.AMBIENT, routingApi: RoutingApi.GATEWAY_API });
  const shop = new MeshNamespace(chart, 'Shop', { mesh, name: 'shop', waypoint: false });
  const order = service(chart, shop, 'order-service');
  const payment = service(chart, shop, 'payment-service');
  return { chart, mesh, shop, order, payment };
}

describe('ambient L4 attributes (authorization.go l4WhenAttributes)', () => {
  test('the L4 when keys are exactly the five istiod converts for ztunnel', () => {
    expect([...ZTUNNEL_WHEN_KEYS].sort()).toEqual(['destination.ip', 'destination.port', 'source.ip', 'source.namespace', 'source.principal']);
  });

  test.each([
    ['source.ip', Condition.sourceIp().values('10.0.0.0/8')],
    ['source.namespace', Condition.sourceNamespace().values('shop')],
    ['destination.ip', Condition.destinationIp().values('10.1.2.3')],
    ['destination.port', Condition.destinationPort(8080)],
  ])('a rule with %s is L4: rendered with a selector for ztunnel, no waypoint', (_key, condition) => {
    const { chart, order, payment } = noWaypoint();
    payment.allowFrom(order, { when: [condition] });
    const objects = synth(chart);
    expect(one(objects, 'AuthorizationPolicy', 'payment-service-allow').spec).toMatchObject({ selector: { matchLabels: { app: 'payment-service' } } });
    expect(objects.filter((o) => o.kind === 'Gateway')).toEqual([]);
  });

  test('source.principal (Condition.sourceIdentityIn) and ports are L4', () => {
    const { chart, order, payment } = noWaypoint();
    payment.allowFrom(order, { ports: [8080], when: [Condition.sourceIdentityIn(order)] });
    expect(one(synth(chart), 'AuthorizationPolicy', 'payment-service-allow').spec.rules[0].when).toEqual([{ key: 'source.principal', values: [ORDER] }]);
  });

  test.each([
    ['source.serviceAccount', () => Condition.sourceServiceAccount().values('shop/order-service')],
    ['source.trustDomain', () => Condition.sourceTrustDomain().values('cluster.local')],
    ['remote.ip', () => Condition.remoteIp().values('10.0.0.1')],
    ['connection.sni', () => Condition.connectionSni().values('payment.example.com')],
  ])('a rule with %s is L7 (ztunnel would drop the ALLOW rule): refused without a waypoint', (key, condition) => {
    const { order, payment } = noWaypoint();
    expect(() => payment.allowFrom(order, { when: [condition()] }))
      .toThrow(new RegExp(`uses attributes ztunnel cannot enforce \\(${key.replace('.', '\\.')}\\); in ambient mode only a waypoint can`));
    expect(payment.security.allowRules).toEqual([]);
  });

  test('a DENY rule with an L7 key is refused without a waypoint too (ztunnel would deny more than asked)', () => {
    const { order, payment } = noWaypoint();
    expect(() => payment.security.denyFrom(order, { when: [Condition.sourceTrustDomain().values('cluster.local')] }))
      .toThrow(/this DENY rule uses attributes ztunnel cannot enforce \(source\.trustDomain\).*denying more than asked/);
  });

  test('isL4Rule names every L7 part: methods, paths and the non-L4 keys', () => {
    const rule = (when: string[], methods: string[] = []) => ({ when: when.map((key) => ({ key, values: ['x'], notValues: [] })), operation: { methods, paths: [], ports: [] }, addedBy: 'x' });
    expect(isL4Rule(rule(['source.ip', 'destination.port']))).toBe(true);
    expect(isL4Rule(rule(['source.serviceAccount']))).toBe(false);
    expect(isL4Rule(rule([], ['GET']))).toBe(false);
  });
});

describe('the simulator at ztunnel uses the same L4 keys', () => {
  /** A namespace-wide ALLOW policy for ztunnel (no waypoint) with one `when` condition. */
  function sim(key: string, value: string, action = 'ALLOW') {
    const yaml = `
apiVersion: v1
kind: Namespace
metadata: { name: shop, labels: { istio.io/dataplane-mode: ambient } }
---
apiVersion: v1
kind: Service
metadata: { name: payment-service, namespace: shop }
spec: { selector: { app: payment-service }, ports: [{ name: http, port: 8080, targetPort: 8080 }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: payment-service-v1, namespace: shop }
spec:
  selector: { matchLabels: { app: payment-service } }
  template:
    metadata: { labels: { app: payment-service } }
    spec: { containers: [{ name: app, image: x:1, ports: [{ containerPort: 8080 }] }] }
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: p, namespace: shop }
spec:
  selector: { matchLabels: { app: payment-service } }
  action: ${action}
  rules: [{ from: [{ source: { principals: ['${ORDER}'] } }], when: [{ key: '${key}', values: ['${value}'] }] }]
`;
    return MeshSimulator.fromYaml(yaml);
  }

  test('an ALLOW rule on source.serviceAccount never matches at ztunnel, even for the right caller', () => {
    const r = sim('source.serviceAccount', 'shop/order-service').authorize({ to: 'payment-service.shop', fromPrincipal: ORDER });
    expect(r).toMatchObject({ decision: 'DENY', enforcedBy: 'ztunnel' });
    expect(r.reason).toMatch(/source\.serviceAccount is not one of the keys ztunnel enforces/);
  });

  test('an ALLOW rule on source.namespace matches at ztunnel', () => {
    expect(sim('source.namespace', 'shop').authorize({ to: 'payment-service.shop', fromPrincipal: ORDER })).toMatchObject({ decision: 'ALLOW', enforcedBy: 'ztunnel' });
  });

  test('a DENY rule on source.trustDomain drops the condition at ztunnel, so it denies the caller', () => {
    const r = sim('source.trustDomain', 'example.org', 'DENY').authorize({ to: 'payment-service.shop', fromPrincipal: ORDER });
    expect(r).toMatchObject({ decision: 'DENY', policy: 'shop/p', enforcedBy: 'ztunnel' });
  });
});

describe('L4 rules with a waypoint', () => {
  test('the ingress allow of the reference app with methods is L7 and attaches to the waypoint', () => {
    const { chart, mesh, ns } = meshChart({ dataPlane: DataPlaneMode.AMBIENT, routingApi: RoutingApi.GATEWAY_API });
    new ZeroTrustPolicy(chart, 'Zt', { mesh, namespaces: [{ namespace: ns }] });
    service(chart, ns, 'order-service').allowFrom(INGRESS, { methods: [HttpMethod.GET] });
    expect(one(synth(chart), 'AuthorizationPolicy', 'order-service-allow').spec.targetRefs).toEqual([{ group: '', kind: 'Service', name: 'order-service' }]);
  });
});

describe('MtlsMode.DISABLE in ambient (ztunnel treats it as PERMISSIVE: authorization.go)', () => {
  function ambient() {
    const { chart, mesh, ns } = meshChart({ dataPlane: DataPlaneMode.AMBIENT, routingApi: RoutingApi.GATEWAY_API });
    return { chart, mesh, ns, payment: service(chart, ns, 'payment-service'), order: service(chart, ns, 'order-service') };
  }

  test('mesh-wide DISABLE is refused, naming the property, the rule and the alternative', () => {
    const { chart, mesh } = ambient();
    expect(() => new ZeroTrustPolicy(chart, 'Zt', { mesh, meshMtls: MtlsMode.DISABLE }))
      .toThrow(/\[test\/Zt\] meshMtls: "DISABLE" is invalid: ztunnel does not support mTLS mode DISABLE: istiod treats it as PERMISSIVE for ambient workloads.*Hint: use MtlsMode\.PERMISSIVE \(what ztunnel applies\) or MtlsMode\.STRICT/);
    expect(mesh.model.meshSecurity.meshMtls).toBeUndefined();
  });

  test('namespace-wide, workload and port-level DISABLE are refused; PERMISSIVE and STRICT are fine', () => {
    const { chart, mesh, ns, payment } = ambient();
    expect(() => new ZeroTrustPolicy(chart, 'Zt0', { mesh, namespaces: [{ namespace: ns, mtls: MtlsMode.DISABLE }] })).toThrow(/mtls\.mode: "DISABLE" is invalid: ztunnel does not support/);
    const zt = new ZeroTrustPolicy(chart, 'Zt', { mesh, meshMtls: MtlsMode.PERMISSIVE, namespaces: [{ namespace: ns, mtls: MtlsMode.STRICT }] });
    expect(() => zt.requireMtls(payment, MtlsMode.DISABLE)).toThrow(/mtls\.mode: "DISABLE" is invalid/);
    expect(() => zt.requireMtls(payment, MtlsMode.STRICT, { portLevel: { 9090: MtlsMode.DISABLE } })).toThrow(/mtls\.portLevel\.9090: "DISABLE" is invalid/);
    zt.requireMtls(payment, MtlsMode.STRICT, { portLevel: { 9090: MtlsMode.PERMISSIVE } });
    expect(one(synth(chart), 'PeerAuthentication', 'payment-service').spec.portLevelMtls).toEqual({ 9090: { mode: 'PERMISSIVE' } });
  });

  test('so CI5002 (ALLOW by principal under DISABLE) can only fire on the sidecar data plane, where it is true', () => {
    const { chart, mesh, ns } = meshChart();
    const payment = service(chart, ns, 'payment-service');
    const zt = new ZeroTrustPolicy(chart, 'Zt', { mesh });
    zt.requireMtls(payment, MtlsMode.DISABLE);
    payment.allowFrom(service(chart, ns, 'order-service'));
    synth(chart);
    expect(collectFindings(chart).filter((f) => f.code === 'CI5002').map((f) => f.message)).toEqual([
      expect.stringMatching(/client sidecars send it plaintext, so no request carries a principal/),
    ]);
  });

  test('the simulator treats a hand-written DISABLE on an ambient workload as PERMISSIVE: the caller keeps its identity', () => {
    const yaml = `
apiVersion: v1
kind: Namespace
metadata: { name: shop, labels: { istio.io/dataplane-mode: ambient } }
---
apiVersion: v1
kind: Service
metadata: { name: payment-service, namespace: shop }
spec: { selector: { app: payment-service }, ports: [{ name: http, port: 8080, targetPort: 8080 }] }
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: { name: default, namespace: shop }
spec: { mtls: { mode: DISABLE } }
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: p, namespace: shop }
spec:
  selector: { matchLabels: { app: payment-service } }
  rules: [{ from: [{ source: { principals: ['${ORDER}'] } }] }]
`;
    expect(MeshSimulator.fromYaml(yaml).authorize({ to: 'payment-service.shop', fromPrincipal: ORDER })).toMatchObject({ decision: 'ALLOW', mtls: 'PERMISSIVE', enforcedBy: 'ztunnel' });
  });
});

describe('issue 20 item 7: allow and deny rules hold for traffic sent straight to a pod IP', () => {
  const PAY = { to: 'payment-service.production', method: 'POST', path: '/api/payments/42' };
  const ORDER_P = 'cluster.local/ns/production/sa/order-service';
  const INVENTORY = 'cluster.local/ns/production/sa/inventory-service';

  /** GIVEN an ambient mesh WITHOUT a namespace default deny; payment-service allows order-service POST /api/payments/*. */
  function given(dataPlane = DataPlaneMode.AMBIENT) {
    const { chart, ns } = meshChart({ dataPlane, routingApi: RoutingApi.GATEWAY_API });
    const order = service(chart, ns, 'order-service');
    const payment = service(chart, ns, 'payment-service');
    const inventory = service(chart, ns, 'inventory-service');
    payment.allowFrom(order, { methods: [HttpMethod.POST], paths: [PathMatch.prefix('/api/payments/')] });
    return { chart, order, payment, inventory };
  }

  test('ztunnel gets an ALLOW policy selecting the workload that admits only the waypoint', () => {
    const objects = synth(given().chart);
    expect(objects.filter((o) => o.kind === 'AuthorizationPolicy' && o.metadata.name === 'default-deny')).toEqual([]);
    expect(one(objects, 'AuthorizationPolicy', 'payment-service-ztunnel-allow').spec).toEqual({
      selector: { matchLabels: { app: 'payment-service' } },
      action: 'ALLOW',
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/production/sa/waypoint'] } }] }],
    });
  });

  test('the bypass is closed: straight to a pod IP, ztunnel denies every caller the waypoint would have checked', () => {
    const sim = MeshSimulator.fromManifests(synth(given().chart));
    expect(sim.authorize({ ...PAY, fromPrincipal: ORDER_P })).toMatchObject({ decision: 'ALLOW', enforcedBy: 'waypoint' });
    expect(sim.authorize({ ...PAY, method: 'GET', fromPrincipal: ORDER_P })).toMatchObject({ decision: 'DENY', enforcedBy: 'waypoint' });
    for (const req of [{ ...PAY, method: 'GET', fromPrincipal: ORDER_P }, { ...PAY, fromPrincipal: INVENTORY }, { ...PAY, fromPrincipal: ORDER_P }]) {
      const r = sim.authorize({ ...req, via: 'pod' });
      expect(r).toMatchObject({ decision: 'DENY', enforcedBy: 'ztunnel' });
      expect(r.reason).toMatch(/sent straight to a pod IP, so the waypoint and its policies are skipped/);
    }
  });

  test('without the ztunnel policy the same pod-IP requests were allowed (the bypass of issue 20)', () => {
    const objects = synth(given().chart).filter((o) => o.metadata.name !== 'payment-service-ztunnel-allow');
    const sim = MeshSimulator.fromManifests(objects);
    expect(sim.authorize({ ...PAY, method: 'GET', fromPrincipal: INVENTORY, via: 'pod' })).toMatchObject({ decision: 'ALLOW', policy: null, enforcedBy: 'ztunnel' });
  });

  test('the sidecar data plane enforces the same intent on both paths (the parity ambient now has)', () => {
    const sim = MeshSimulator.fromManifests(synth(given(DataPlaneMode.SIDECAR).chart));
    for (const via of ['service', 'pod'] as const) {
      expect(sim.authorize({ ...PAY, method: 'GET', fromPrincipal: INVENTORY, via })).toMatchObject({ decision: 'DENY', enforcedBy: 'sidecar' });
    }
  });

  test('an L4-only allow rule is enforced by ztunnel too: its caller may connect straight to a pod, as with sidecars', () => {
    const { chart, payment, inventory } = given();
    payment.allowFrom(inventory, { ports: [8080] });
    const objects = synth(chart);
    expect(one(objects, 'AuthorizationPolicy', 'payment-service-ztunnel-allow').spec.rules).toEqual([
      { from: [{ source: { principals: ['cluster.local/ns/production/sa/waypoint'] } }] },
      { from: [{ source: { principals: [INVENTORY], namespaces: ['production'] } }], to: [{ operation: { ports: ['8080'] } }] },
    ]);
    const sim = MeshSimulator.fromManifests(objects);
    expect(sim.authorize({ ...PAY, method: 'GET', fromPrincipal: INVENTORY, via: 'pod' })).toMatchObject({ decision: 'ALLOW', policy: 'production/payment-service-ztunnel-allow', rule: 1 });
    expect(sim.authorize({ ...PAY, method: 'GET', fromPrincipal: ORDER_P, via: 'pod' }).decision).toBe('DENY');
  });

  test('a DENY rule holds on the pod path too: its HTTP parts dropped, ztunnel denies the caller\'s direct connections', () => {
    const { chart, ns } = meshChart({ dataPlane: DataPlaneMode.AMBIENT, routingApi: RoutingApi.GATEWAY_API });
    const order = service(chart, ns, 'order-service');
    const payment = service(chart, ns, 'payment-service');
    service(chart, ns, 'inventory-service');
    payment.security.denyFrom(order, { paths: [PathMatch.prefix('/admin/')], ports: [8080] });
    const objects = synth(chart);
    expect(one(objects, 'AuthorizationPolicy', 'payment-service-ztunnel-deny').spec).toEqual({
      selector: { matchLabels: { app: 'payment-service' } },
      action: 'DENY',
      rules: [{ from: [{ source: { principals: [ORDER_P], namespaces: ['production'] } }], to: [{ operation: { ports: ['8080'] } }] }],
    });
    const sim = MeshSimulator.fromManifests(objects);
    expect(sim.authorize({ to: 'payment-service.production', fromPrincipal: ORDER_P, path: '/ok' })).toMatchObject({ decision: 'ALLOW' });
    expect(sim.authorize({ to: 'payment-service.production', fromPrincipal: ORDER_P, path: '/admin/x' })).toMatchObject({ decision: 'DENY', enforcedBy: 'waypoint' });
    expect(sim.authorize({ to: 'payment-service.production', fromPrincipal: ORDER_P, path: '/ok', via: 'pod' })).toMatchObject({ decision: 'DENY', enforcedBy: 'ztunnel', policy: 'production/payment-service-ztunnel-deny' });
    expect(sim.authorize({ to: 'payment-service.production', fromPrincipal: INVENTORY, path: '/admin/x', via: 'pod' }).decision).toBe('ALLOW');
  });

  test('a caller-less DENY rule with HTTP parts excludes the waypoint at ztunnel (it would otherwise drop every forwarded request)', () => {
    const { chart, ns, mesh } = meshChart({ dataPlane: DataPlaneMode.AMBIENT, routingApi: RoutingApi.GATEWAY_API });
    const payment = service(chart, ns, 'payment-service');
    // No construct writes such a rule today (denyFrom names a caller, denyAll has no HTTP parts): write the model directly.
    mesh.model.addAuthorizationRule(payment.ref, 'DENY', { operation: { methods: [], paths: [{ kind: 'prefix', value: '/admin/' }], ports: [] }, when: [], addedBy: 'test' }, 'test');
    payment.security.denyAll({ acceptRisk: Risk.DENY_ALL });
    const objects = synth(chart);
    expect(one(objects, 'AuthorizationPolicy', 'payment-service-ztunnel-deny').spec.rules).toEqual([
      { from: [{ source: { notPrincipals: ['cluster.local/ns/production/sa/waypoint'] } }] },
      {}, // denyAll is L4 already: kept as is (it denies the waypoint's requests too, as it denies everything)
    ]);
  });

  test('the simulator refuses an unknown path', () => {
    const sim = MeshSimulator.fromManifests(synth(given().chart));
    expect(() => sim.authorize({ ...PAY, fromPrincipal: ORDER_P, via: 'node' as any })).toThrow(/via "node" must be 'service' or 'pod'/);
  });
});

describe('cdk8s-istio authz --via', () => {
  test('--via pod asks ztunnel alone; an unknown value is a usage error', () => {
    // GIVEN the ambient variant of the reference app written as YAML
    const { chart, ns, mesh } = meshChart({ dataPlane: DataPlaneMode.AMBIENT, routingApi: RoutingApi.GATEWAY_API });
    new ZeroTrustPolicy(chart, 'Zt', { mesh, namespaces: [{ namespace: ns }] });
    service(chart, ns, 'payment-service').allowFrom(service(chart, ns, 'order-service'), { methods: [HttpMethod.POST] });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'via-'));
    fs.writeFileSync(path.join(dir, 'app.yaml'), synth(chart).map((o) => JSON.stringify(o)).join('\n---\n'));
    const run = (...argv: string[]) => {
      let out = '';
      let err = '';
      const code = authzCommand({ out: (t) => (out += t), err: (t) => (err += t) }).run([dir, '--to', 'payment-service.production', '--from-principal', 'cluster.local/ns/production/sa/order-service', '--method', 'POST', '--path', '/', ...argv]);
      return { code, out, err };
    };
    // WHEN / THEN
    expect(JSON.parse(run().out)).toMatchObject({ decision: 'ALLOW', enforcedBy: 'waypoint' });
    expect(JSON.parse(run('--via', 'pod').out)).toMatchObject({ decision: 'DENY', enforcedBy: 'ztunnel' });
    const bad = run('--via', 'node');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--via "node": must be service or pod/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
