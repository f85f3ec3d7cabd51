import * as fc from 'fast-check';
import { MeshSimulator } from '../../src';
import { weigh } from '../../src/simulator/destination';
import { ORDER_HOST, referenceSim } from './helpers';

describe('properties', () => {
  test('weights of two or more destinations with a positive sum add up to 100 and keep their ratios', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 2, maxLength: 6 }).filter((ws) => ws.some((w) => w > 0)), (ws) => {
        const out = weigh(ws.map((raw, i) => ({ host: `h${i}`, raw })));
        const sum = ws.reduce((a, b) => a + b, 0);
        expect(out.reduce((a, d) => a + d.weight, 0)).toBeCloseTo(100, 9);
        out.forEach((d, i) => expect(d.weight).toBeCloseTo((ws[i] / sum) * 100, 9));
      }),
    );
  });

  const sim = referenceSim();
  test('the reference route depends only on the x-canary and x-user-id values, never on header-name case', () => {
    const caseVariant = (name: string) => fc.array(fc.boolean(), { minLength: name.length, maxLength: name.length }).map((up) => [...name].map((c, i) => (up[i] ? c.toUpperCase() : c)).join(''));
    fc.assert(
      fc.property(caseVariant('x-user-id'), fc.string({ maxLength: 6 }), fc.option(fc.constantFrom('true', 'TRUE', 'false', '')), (name, userId, canary) => {
        const headers: Record<string, string> = { [name]: userId };
        if (canary !== null) headers['X-Canary'] = canary;
        const r = sim.route({ host: ORDER_HOST, headers });
        const expectedRule = canary === 'true' ? 0 : /^[0-9]*[02468]$/.test(userId) ? 1 : 2;
        expect(r.rule).toBe(expectedRule);
        expect(sim.versionSplit({ host: ORDER_HOST, headers })).toEqual(expectedRule === 2 ? { v1: 90, v2: 10 } : { v2: 100 });
      }),
    );
  });

  test('an unrelated header never changes an authorization decision of the reference app', () => {
    const order = 'cluster.local/ns/production/sa/order-service';
    const base = { to: 'payment-service.production', fromPrincipal: order, method: 'POST', path: '/api/payments/42' };
    fc.assert(
      fc.property(fc.stringMatching(/^x-[a-z]{1,8}$/).filter((n) => n !== 'x-user-role'), fc.string({ maxLength: 8 }), (name, value) => {
        expect(sim.authorize({ ...base, headers: { [name]: value } }).decision).toBe('ALLOW');
        expect(sim.authorize({ ...base, headers: { [name]: value, 'x-user-role': 'guest' } }).decision).toBe('DENY');
      }),
    );
  });

  test('MeshSimulator instances over the same objects agree', () => {
    const again = MeshSimulator.fromManifests(sim.model.ofKind('VirtualService').concat(sim.model.ofKind('DestinationRule'), sim.model.ofKind('Service'), sim.model.ofKind('Deployment')).map((o) => o.manifest));
    expect(again.route({ host: ORDER_HOST, headers: { 'x-user-id': '7' } })).toEqual(sim.route({ host: ORDER_HOST, headers: { 'x-user-id': '7' } }));
  });
});
