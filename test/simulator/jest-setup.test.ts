import '../../src/simulator/jest-setup';
import { ORDER, ORDER_HOST, PAYMENT_HOST, referenceSim } from './helpers';

describe('importing jest-setup registers the matchers', () => {
  test('toRoute and toAllow are available without calling installMeshMatchers', () => {
    const sim = referenceSim();
    expect(sim).toRoute({ host: ORDER_HOST, headers: { 'x-user-id': '2' } }, { subset: 'v2', weight: 100, rule: 1 });
    expect(sim).toAllow({ to: PAYMENT_HOST, fromPrincipal: ORDER, method: 'POST', path: '/api/payments/1' });
  });
});
