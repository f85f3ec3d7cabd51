import { MeshSimulator } from '../../src';
import { ORDER_FQDN, referenceSim, workloadYaml } from './helpers';

describe('graph of the reference app', () => {
  // GIVEN the reference app
  const sim = referenceSim();
  const g = sim.graph();

  test('both services are default-deny; payment-service is STRICT', () => {
    expect(g.services).toEqual([
      { id: 'order-service.production', mtls: 'PERMISSIVE', defaultDeny: true },
      { id: 'payment-service.production', mtls: 'STRICT', defaultDeny: true },
    ]);
  });

  test('who may call whom: the ingress gateway → order-service, order-service → payment-service, nothing else', () => {
    expect(g.calls).toEqual([
      { from: 'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account', to: 'order-service.production', policy: 'production/order-service-allow', rule: 0, operations: 'GET,POST /api/orders, /api/orders/*' },
      {
        from: 'order-service.production',
        to: 'payment-service.production',
        policy: 'production/payment-service-allow',
        rule: 0,
        operations: 'POST /api/payments/*',
        conditions: 'from namespaces production; request.headers[x-user-role] not in guest',
      },
    ]);
  });

  test('how order-service splits', () => {
    expect(g.splits.filter((s) => s.host === 'order-service.production').map((s) => [s.rule, s.match, s.destinations])).toEqual([
      [0, 'header x-canary exact "true"', [{ host: ORDER_FQDN, subset: 'v2', weight: 100 }]],
      [1, 'header x-user-id regex "^[0-9]*[02468]$"', [{ host: ORDER_FQDN, subset: 'v2', weight: 100 }]],
      [2, 'any request', [{ host: ORDER_FQDN, subset: 'v1', weight: 90 }, { host: ORDER_FQDN, subset: 'v2', weight: 10 }]],
    ]);
  });

  test('mermaid draws calls as solid edges and splits as dashed ones, with quotes escaped', () => {
    const m = sim.renderGraph('mermaid');
    expect(m).toContain('-->|"GET,POST /api/orders, /api/orders/*"|');
    expect(m).toContain('-.->|"rule 2: any request → 90%"|');
    expect(m).toContain('header x-canary exact #quot;true#quot;');
  });

  test('dot is a digraph with escaped labels', () => {
    const d = sim.renderGraph('dot');
    expect(d).toMatch(/^digraph mesh \{/);
    expect(d).toContain('header x-canary exact \\"true\\"');
    expect(d.trim().endsWith('}')).toBe(true);
  });

  test('the output is deterministic: the same for objects in another order', () => {
    const reversed = MeshSimulator.fromManifests([...sim.model.ofKind('Service'), ...sim.model.ofKind('Deployment'), ...sim.model.ofKind('AuthorizationPolicy'), ...sim.model.ofKind('PeerAuthentication'), ...sim.model.ofKind('VirtualService'), ...sim.model.ofKind('DestinationRule')].reverse().map((o) => o.manifest));
    expect(reversed.renderGraph('mermaid')).toBe(sim.renderGraph('mermaid'));
  });
});

describe('graph of open and denied services', () => {
  test('a service no ALLOW policy covers may be called by anyone', () => {
    const g = MeshSimulator.fromYaml(workloadYaml('inventory-service')).graph();
    expect(g.calls).toEqual([{ from: '*', to: 'inventory-service.production', policy: null, operations: 'any request' }]);
    expect(g.splits).toEqual([{ host: 'inventory-service.production', routedBy: null, rule: 0, match: 'any request (default route)', destinations: [{ host: 'inventory-service.production.svc.cluster.local', weight: 100 }] }]);
  });

  test('DENY rules are listed', () => {
    const g = MeshSimulator.fromYaml(`${workloadYaml('inventory-service')}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: no-delete, namespace: production }
spec: { action: DENY, rules: [{ to: [{ operation: { methods: [DELETE] } }] }] }
`).graph();
    expect(g.denies).toEqual([{ to: 'inventory-service.production', policy: 'production/no-delete', action: 'DENY', rule: 0, description: 'anyone: DELETE' }]);
  });
});
