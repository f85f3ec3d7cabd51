import { installMeshMatchers, meshMatchers } from '../../src';
import { INGRESS, ORDER, ORDER_HOST, PAYMENT_HOST, referenceSim } from './helpers';

installMeshMatchers();

describe('jest matchers over the reference app', () => {
  const sim = referenceSim();

  test('toRoute: subset and weight', () => {
    expect(sim).toRoute({ host: ORDER_HOST, headers: { 'x-canary': 'true' } }, { subset: 'v2', weight: 100 });
    expect(sim).toRoute({ host: ORDER_HOST, headers: { 'x-user-id': '13' } }, { subset: 'v1', weight: 90 });
    expect(sim).toRoute({ host: ORDER_HOST }, { destinations: [{ subset: 'v1', weight: 90 }, { host: ORDER_HOST, subset: 'v2', weight: 10 }], rule: 2, timeout: '10s', retries: { attempts: 3 } });
    expect(sim).not.toRoute({ host: ORDER_HOST, headers: { 'x-canary': 'TRUE' } }, { subset: 'v2', weight: 100 });
  });

  test('toAllow / toDeny with the deciding policy', () => {
    const pay = { to: PAYMENT_HOST, method: 'POST', path: '/api/payments/42' };
    expect(sim).toAllow({ ...pay, fromPrincipal: ORDER }, { policy: 'production/payment-service-allow', rule: 0 });
    expect(sim).toDeny({ ...pay, plaintext: true }, { kind: 'PeerAuthentication' });
    expect(sim).toDeny({ ...pay, fromPrincipal: ORDER, headers: { 'x-user-role': 'guest' } }, { policy: null });
    expect(sim).toAllow({ to: ORDER_HOST, fromPrincipal: INGRESS, method: 'GET', path: '/api/orders' });
    expect(sim).not.toAllow({ to: ORDER_HOST, fromPrincipal: ORDER, method: 'GET', path: '/api/orders' });
  });

  test('toHaveNoRoute fails for a routed request', () => {
    expect(() => expect(sim).toHaveNoRoute({ host: ORDER_HOST })).toThrow(/rule 2 routes it to/);
  });
});

describe('failure messages say what differs and why', () => {
  const sim = referenceSim();

  test('toRoute names the weight it got', () => {
    expect(() => expect(sim).toRoute({ host: ORDER_HOST }, { subset: 'v2', weight: 100 })).toThrow(/subset v2 gets 10%, expected 100%/);
  });

  test('toRoute names a missing subset and lists the destinations', () => {
    expect(() => expect(sim).toRoute({ host: ORDER_HOST }, { subset: 'v3' })).toThrow(/no destination has subset v3; destinations are \[.*v1 90%.*v2 10%\]/);
  });

  test('toAllow shows the decision and the reason', () => {
    expect(() => expect(sim).toAllow({ to: PAYMENT_HOST, fromPrincipal: ORDER, method: 'GET', path: '/api/payments/1' })).toThrow(/decision is DENY, expected ALLOW[\s\S]*method "GET" is not in \["POST"\]/);
  });

  test('toDeny with the wrong policy names both', () => {
    expect(() => expect(sim).toDeny({ to: PAYMENT_HOST, plaintext: true, method: 'POST', path: '/api/payments/1' }, { policy: 'production/default-deny' })).toThrow(/deciding policy is "production\/payment-service", expected "production\/default-deny"/);
  });

  test('.not explains that it does', () => {
    expect(() => expect(sim).not.toDeny({ to: PAYMENT_HOST, plaintext: true, method: 'POST', path: '/' })).toThrow(/not to deny .* but it does/);
  });

  test('a received value that is not a simulator is an error', () => {
    expect(() => expect({}).toAllow({ to: PAYMENT_HOST, plaintext: true })).toThrow(/must be a MeshSimulator/);
  });

  test('meshMatchers are plain functions for expect.extend', () => {
    expect(Object.keys(meshMatchers).sort()).toEqual(['toAllow', 'toDeny', 'toHaveNoRoute', 'toRoute']);
  });
});
