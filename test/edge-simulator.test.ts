/**
 * The simulator on dist/edge/ (issue 17, item 5): a request through the ingress gateway follows
 * order-service's canary rules on the exposed paths only; POST /api/orders needs a valid token whose
 * scope claim holds orders:write; payment-service's call to api.stripe.com goes to the egress gateway,
 * which forwards it to Stripe and admits only payment-service.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildEdgeApp, SHOP_ISSUER } from '../examples/edge';
import { authzCommand, routeCommand } from '../src/cli/simulate';
import { MeshApp, MeshChart, MeshSimulator } from '../src';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-sim-'));
const app = new MeshApp({ outdir: dir, log: () => undefined });
buildEdgeApp(new MeshChart(app, 'edge', { outputDir: 'edge' }), new MeshChart(app, 'edge-control-plane', { outputDir: 'edge/control-plane' }));
app.synth();
const edge = path.join(dir, 'edge');
const sim = MeshSimulator.fromFiles([edge]);
const GATEWAY = 'istio-system/shop-gateway';
const INGRESS = 'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account';
const ORDER_FQDN = 'order-service.production.svc.cluster.local';

describe('route through the ingress gateway', () => {
  test('GIVEN x-canary: true on /api/orders WHEN routed at the gateway THEN the canary rule sends it to v2', () => {
    expect(sim.route({ host: 'shop.example.com', gateway: GATEWAY, path: '/api/orders', headers: { 'x-canary': 'true' } })).toMatchObject({
      routedBy: 'VirtualService/istio-system/shop-gateway-shop-example-com',
      destinations: [{ host: ORDER_FQDN, subset: 'v2', weight: 100 }],
      timeout: '10s',
    });
  });

  test('GIVEN a plain request below /api/orders WHEN routed at the gateway THEN it splits 90/10 as mesh traffic does', () => {
    expect(sim.versionSplit({ host: 'shop.example.com', gateway: GATEWAY, path: '/api/orders/42' })).toEqual({ v1: 90, v2: 10 });
    expect(sim.versionSplit({ host: 'order-service.production', path: '/api/orders/42' })).toEqual({ v1: 90, v2: 10 });
  });

  test('GIVEN the Host header as a client sends it, with the port WHEN routed at the gateway THEN the same route applies', () => {
    expect(sim.route({ host: 'shop.example.com:443', gateway: GATEWAY, path: '/api/orders', headers: { 'x-canary': 'true' } }).destinations).toEqual([
      { host: ORDER_FQDN, subset: 'v2', port: 8080, weight: 100 },
    ]);
  });

  test('GIVEN a path that is not exposed (or only shares the prefix text) WHEN routed at the gateway THEN there is no route (404 NR)', () => {
    expect(sim.route({ host: 'shop.example.com', gateway: GATEWAY, path: '/api/payments/1' }).noRoute).toBe(true);
    expect(sim.route({ host: 'shop.example.com', gateway: GATEWAY, path: '/api/ordersX' }).noRoute).toBe(true);
  });

  test('GIVEN the CLI WHEN route --gateway is asked THEN it prints the same answer', () => {
    let out = '';
    const code = routeCommand({ out: (t) => (out += t), err: () => undefined }).run([edge, '--host', 'shop.example.com', '--gateway', GATEWAY, '--path', '/api/orders', '--header', 'x-canary=true']);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ destinations: [{ host: ORDER_FQDN, subset: 'v2', weight: 100 }] });
  });
});

describe('authz with an end-user token', () => {
  const post = (extra: object) => sim.authorize({ to: 'order-service.production', fromPrincipal: INGRESS, method: 'POST', path: '/api/orders', ...extra });

  test('GIVEN a valid token with scope "orders:read orders:write" WHEN the gateway POSTs /api/orders THEN the JWT rule allows it', () => {
    expect(post({ claims: { iss: SHOP_ISSUER, sub: 'alice', scope: 'orders:read orders:write' } })).toMatchObject({ decision: 'ALLOW', policy: 'production/order-service-allow', rule: 1 });
  });

  test('GIVEN no token WHEN the gateway POSTs /api/orders THEN it is denied: the rule needs a request principal', () => {
    const r = post({});
    expect(r.decision).toBe('DENY');
    expect(r.reason).toMatch(/request principal \(none\) is not in \["https:\/\/auth\.example\.com\/\*"\]/);
  });

  test('GIVEN a token without orders:write, or of another issuer WHEN the gateway POSTs THEN it is denied', () => {
    expect(post({ claims: { iss: SHOP_ISSUER, sub: 'alice', scope: 'orders:read' } }).reason).toMatch(/request\.auth\.claims\[scope\] \["orders:read"\] has none of \["orders:write"\]/);
    expect(post({ claims: { iss: 'https://evil.example.com', sub: 'alice', scope: 'orders:write' } }).decision).toBe('DENY');
  });

  test('GIVEN no token WHEN the gateway GETs /api/orders/42 THEN it is allowed (reads need no token)', () => {
    expect(sim.authorize({ to: 'order-service.production', fromPrincipal: INGRESS, method: 'GET', path: '/api/orders/42' }).decision).toBe('ALLOW');
  });

  test('GIVEN the CLI WHEN authz is asked with --claim THEN claims and the derived principal decide', () => {
    const ask = (...claims: string[]) => {
      let out = '';
      const code = authzCommand({ out: (t) => (out += t), err: () => undefined }).run([edge, '--to', 'order-service.production', '--from-principal', INGRESS, '--method', 'POST', '--path', '/api/orders', ...claims.flatMap((c) => ['--claim', c])]);
      return { code, ...JSON.parse(out) };
    };
    expect(ask(`iss=${SHOP_ISSUER}`, 'sub=alice', 'scope=orders:write')).toMatchObject({ code: 0, decision: 'ALLOW' });
    expect(ask(`iss=${SHOP_ISSUER}`, 'sub=alice', 'scope=orders:read')).toMatchObject({ code: 0, decision: 'DENY' });
  });
});

describe('egress through the egress gateway', () => {
  test('GIVEN payment-service calls api.stripe.com:443 WHEN routed THEN the sidecar sends it to the egress gateway, which forwards it to Stripe', () => {
    expect(sim.route({ host: 'api.stripe.com', sourceNamespace: 'production', port: 443 })).toMatchObject({
      section: 'tls',
      destinations: [{ host: 'istio-egressgateway.istio-system.svc.cluster.local', subset: 'stripe', port: 443, weight: 100 }],
      warnings: [],
    });
    expect(sim.route({ host: 'api.stripe.com', gateway: 'production/stripe-egress', port: 443 })).toMatchObject({
      section: 'tcp',
      destinations: [{ host: 'api.stripe.com', port: 443, weight: 100 }],
    });
  });

  test('GIVEN the egress gateway WHEN payment-service or order-service connect for api.stripe.com THEN only payment-service is admitted', () => {
    const at = (principal: string, sni: string) => sim.authorize({ to: 'istio-egressgateway.istio-system', fromPrincipal: principal, tcp: true, port: 8443, sni });
    expect(at('cluster.local/ns/production/sa/payment-service', 'api.stripe.com')).toMatchObject({ decision: 'ALLOW', policy: 'istio-system/production-stripe-egress' });
    expect(at('cluster.local/ns/production/sa/order-service', 'api.stripe.com').decision).toBe('DENY');
    expect(at('cluster.local/ns/production/sa/payment-service', 'api.example.org').decision).toBe('DENY');
  });
});

describe('the call graph', () => {
  test('GIVEN dist/edge WHEN the graph is drawn THEN it shows payment-service calling api.stripe.com through the egress gateway, and the gateway calling order-service with the JWT rule', () => {
    const calls = sim.graph().calls;
    expect(calls).toEqual(expect.arrayContaining([
      expect.objectContaining({ from: 'payment-service.production', to: 'istio-egressgateway.istio-system', policy: 'istio-system/production-stripe-egress', conditions: expect.stringContaining('connection.sni in api.stripe.com') }),
      expect.objectContaining({ from: INGRESS, to: 'order-service.production', operations: 'POST /api/orders', conditions: expect.stringContaining('JWT https://auth.example.com/*; request.auth.claims[scope] in orders:write') }),
    ]));
    expect(calls.filter((c) => c.to === 'istio-egressgateway.istio-system').map((c) => c.from)).toEqual(['payment-service.production']);
  });
});
