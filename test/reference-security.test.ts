import { Testing } from 'cdk8s';
import { buildReferenceApp } from '../examples/reference-app';
import { collectFindings, MtlsMode, ZeroTrustPolicy } from '../src';
import { synth } from './helpers';

// GIVEN the reference app, synthesized once
const chart = Testing.chart();
const app = buildReferenceApp(chart);
const manifests = synth(chart);
const securityObjects = manifests.filter((o) => o.apiVersion === 'security.istio.io/v1');

describe('reference app: security manifests (reference-app.md, Security)', () => {
  test('exactly five security objects, all security.istio.io/v1', () => {
    const ids = securityObjects.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`).sort();
    expect(ids).toEqual([
      'AuthorizationPolicy production/default-deny',
      'AuthorizationPolicy production/order-service-allow',
      'AuthorizationPolicy production/payment-service-allow',
      'PeerAuthentication istio-system/default',
      'PeerAuthentication production/payment-service',
    ]);
  });

  test('mesh-wide PeerAuthentication: PERMISSIVE in istio-system, no selector', () => {
    expect(find('PeerAuthentication', 'istio-system', 'default')).toEqual({
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'default', namespace: 'istio-system' },
      spec: { mtls: { mode: 'PERMISSIVE' } },
    });
  });

  test('payment-service PeerAuthentication: STRICT, selecting app: payment-service in production', () => {
    expect(find('PeerAuthentication', 'production', 'payment-service')).toEqual({
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'payment-service', namespace: 'production' },
      spec: { selector: { matchLabels: { app: 'payment-service' } }, mtls: { mode: 'STRICT' } },
    });
  });

  test('default deny in production: an ALLOW policy that matches nothing (not DENY + notPrincipals)', () => {
    expect(find('AuthorizationPolicy', 'production', 'default-deny')).toEqual({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'default-deny', namespace: 'production' },
      spec: { action: 'ALLOW' },
    });
    expect(securityObjects.filter((o) => o.spec.action === 'DENY')).toEqual([]);
    expect(JSON.stringify(securityObjects)).not.toMatch(/notPrincipals|notNamespaces/);
  });

  test('payment-service allows only order-service from production, POST /api/payments/*, x-user-role not guest', () => {
    expect(find('AuthorizationPolicy', 'production', 'payment-service-allow').spec).toEqual({
      selector: { matchLabels: { app: 'payment-service' } },
      action: 'ALLOW',
      rules: [{
        from: [{ source: { principals: ['cluster.local/ns/production/sa/order-service'], namespaces: ['production'] } }],
        to: [{ operation: { methods: ['POST'], paths: ['/api/payments/*'] } }],
        when: [{ key: 'request.headers[x-user-role]', notValues: ['guest'] }],
      }],
    });
  });

  test('order-service allows only the ingress gateway identity, GET/POST on /api/orders and below', () => {
    expect(find('AuthorizationPolicy', 'production', 'order-service-allow').spec).toEqual({
      selector: { matchLabels: { app: 'order-service' } },
      action: 'ALLOW',
      rules: [{
        from: [{
          source: {
            principals: ['cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account'],
            namespaces: ['istio-system'],
          },
        }],
        to: [{ operation: { methods: ['GET', 'POST'], paths: ['/api/orders', '/api/orders/*'] } }],
      }],
    });
  });

  test('the call graph has exactly the two declared edges', () => {
    const zt = app.mesh.membersOf(ZeroTrustPolicy.isZeroTrustPolicy)[0];
    expect(zt.edges.map((e) => `${e.caller.namespace}/${e.caller.serviceAccount} -> ${e.target.name}`)).toEqual([
      'istio-system/istio-ingressgateway-service-account -> order-service',
      'production/order-service -> payment-service',
    ]);
    expect(app.payment.security.effectiveMtlsMode).toBe(MtlsMode.STRICT);
    expect(app.order.security.effectiveMtlsMode).toBe(MtlsMode.PERMISSIVE);
  });

  test('no security warnings', () => {
    expect(collectFindings(chart).filter((f) => f.code.startsWith('CI5'))).toEqual([]);
  });
});

/**
 * Decisions under istio-rules.md §3, computed by a small evaluator written here from the spec (not
 * from the code under test), over the synthesized manifests.
 */
describe('reference app: authorization decisions (istio-rules.md §3)', () => {
  const ORDER = { principal: 'cluster.local/ns/production/sa/order-service', namespace: 'production' };
  const PAYMENT = { principal: 'cluster.local/ns/production/sa/payment-service', namespace: 'production' };
  const INGRESS = { principal: 'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account', namespace: 'istio-system' };
  const ORDER_ELSEWHERE = { principal: 'cluster.local/ns/staging/sa/order-service', namespace: 'staging' };
  const ROGUE = { principal: 'cluster.local/ns/production/sa/rogue', namespace: 'production' };
  const PAYMENT_POD = { namespace: 'production', labels: { app: 'payment-service', version: 'v1' } };
  const ORDER_POD = { namespace: 'production', labels: { app: 'order-service', version: 'v2' } };

  test.each([
    ['no x-user-role header', {}],
    ['x-user-role: admin', { 'x-user-role': 'admin' }],
  ])('order-service → payment-service POST /api/payments/42 is allowed (%s)', (_, headers) => {
    expect(decide(PAYMENT_POD, { caller: ORDER, method: 'POST', path: '/api/payments/42', headers })).toBe('allow');
  });

  test('… but not with x-user-role: guest', () => {
    expect(decide(PAYMENT_POD, { caller: ORDER, method: 'POST', path: '/api/payments/42', headers: { 'x-user-role': 'guest' } })).toBe('deny');
  });

  test.each([
    ['GET', ORDER, 'GET', '/api/payments/42'],
    ['POST on /api/payments itself', ORDER, 'POST', '/api/payments'],
    ['POST outside /api/payments/', ORDER, 'POST', '/api/refunds/1'],
    ['another caller in production', ROGUE, 'POST', '/api/payments/42'],
    ['the ingress gateway', INGRESS, 'POST', '/api/payments/42'],
    ['order-service from another namespace', ORDER_ELSEWHERE, 'POST', '/api/payments/42'],
  ])('payment-service denies: %s', (_, caller, method, path) => {
    expect(decide(PAYMENT_POD, { caller, method, path, headers: {} })).toBe('deny');
  });

  test('a plaintext caller never reaches payment-service (STRICT rejects it before authorization)', () => {
    expect(decide(PAYMENT_POD, { caller: undefined, method: 'POST', path: '/api/payments/42', headers: {} })).toBe('rejected');
  });

  test.each([
    ['GET', '/api/orders'],
    ['POST', '/api/orders'],
    ['GET', '/api/orders/17'],
    ['POST', '/api/orders/17/items'],
  ])('the ingress gateway reaches order-service: %s %s', (method, path) => {
    expect(decide(ORDER_POD, { caller: INGRESS, method, path, headers: {} })).toBe('allow');
  });

  test.each([
    ['the ingress gateway with DELETE', INGRESS, 'DELETE', '/api/orders/17'],
    ['the ingress gateway outside /api/orders', INGRESS, 'GET', '/api/ordersx'],
    ['payment-service', PAYMENT, 'GET', '/api/orders'],
    ['another caller in production', ROGUE, 'GET', '/api/orders'],
    ['a plaintext caller (PERMISSIVE lets it in, authorization denies it)', undefined, 'GET', '/api/orders'],
  ])('nothing else reaches order-service: %s', (_, caller, method, path) => {
    expect(decide(ORDER_POD, { caller, method, path, headers: {} })).toBe('deny');
  });

  test('default deny: a workload in production without allow rules is unreachable', () => {
    const pod = { namespace: 'production', labels: { app: 'inventory' } };
    expect(decide(pod, { caller: ORDER, method: 'GET', path: '/', headers: {} })).toBe('deny');
    expect(decide(pod, { caller: INGRESS, method: 'GET', path: '/', headers: {} })).toBe('deny');
  });

  test('the evaluator itself: without any ALLOW policy a request is allowed', () => {
    expect(decideWith([], { namespace: 'other', labels: { app: 'x' } }, { caller: ROGUE, method: 'GET', path: '/', headers: {} })).toBe('allow');
  });
});

function find(kind: string, namespace: string, name: string): any {
  const found = securityObjects.filter((o) => o.kind === kind && o.metadata.namespace === namespace && o.metadata.name === name);
  expect(found).toHaveLength(1);
  return found[0];
}

interface Caller { readonly principal: string; readonly namespace: string }
interface Request {
  readonly caller?: Caller; // undefined: plaintext
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
}
interface Pod { readonly namespace: string; readonly labels: Record<string, string> }

function decide(pod: Pod, req: Request): 'allow' | 'deny' | 'rejected' {
  return decideWith(manifests, pod, req);
}

function decideWith(objects: any[], pod: Pod, req: Request): 'allow' | 'deny' | 'rejected' {
  const applies = (o: any) =>
    (o.metadata.namespace === 'istio-system' || o.metadata.namespace === pod.namespace) &&
    Object.entries(o.spec?.selector?.matchLabels ?? {}).every(([k, v]) => pod.labels[k] === v);
  if (!req.caller && mtlsMode(objects, pod) === 'STRICT') return 'rejected';
  const policies = objects.filter((o) => o.kind === 'AuthorizationPolicy' && applies(o));
  const matches = (p: any) => (p.spec.rules ?? []).some((r: any) => ruleMatches(r, req));
  if (policies.some((p) => p.spec.action === 'DENY' && matches(p))) return 'deny';
  const allows = policies.filter((p) => (p.spec.action ?? 'ALLOW') === 'ALLOW');
  if (allows.length === 0) return 'allow';
  return allows.some(matches) ? 'allow' : 'deny';
}

function mtlsMode(objects: any[], pod: Pod): string {
  const pas = objects.filter((o) => o.kind === 'PeerAuthentication');
  const workload = pas.find((o) => o.metadata.namespace === pod.namespace && o.spec.selector &&
    Object.entries(o.spec.selector.matchLabels).every(([k, v]) => pod.labels[k] === v));
  const ns = pas.find((o) => o.metadata.namespace === pod.namespace && !o.spec.selector);
  const mesh = pas.find((o) => o.metadata.namespace === 'istio-system' && !o.spec.selector);
  for (const pa of [workload, ns, mesh]) {
    const m = pa?.spec.mtls?.mode;
    if (m && m !== 'UNSET') return m;
  }
  return 'PERMISSIVE';
}

function valueMatches(pattern: string, value: string): boolean {
  if (pattern === '*') return value !== '';
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  return value === pattern;
}

function field(values: string[] | undefined, notValues: string[] | undefined, value: string | undefined): boolean {
  const v = value ?? '';
  if (values && !values.some((p) => value !== undefined && valueMatches(p, v))) return false;
  if (notValues && notValues.some((p) => value !== undefined && valueMatches(p, v))) return false;
  return true;
}

function ruleMatches(rule: any, req: Request): boolean {
  const principal = req.caller?.principal ?? '';
  const namespace = req.caller?.namespace ?? '';
  const fromOk = !rule.from || rule.from.some(({ source: s }: any) =>
    field(s.principals, s.notPrincipals, principal) && field(s.namespaces, s.notNamespaces, namespace));
  const toOk = !rule.to || rule.to.some(({ operation: o }: any) =>
    field(o.methods, o.notMethods, req.method) && field(o.paths, o.notPaths, req.path));
  const whenOk = (rule.when ?? []).every((c: any) => {
    const header = /^request\.headers\[(.+)\]$/.exec(c.key);
    if (!header) throw new Error(`evaluator does not know key ${c.key}`);
    return field(c.values, c.notValues, req.headers[header[1]]);
  });
  return fromOk && toOk && whenOk;
}
