import { Testing } from 'cdk8s';
import { MeshSimulator } from '../src';
import { buildReferenceApp } from '../examples/reference-app';

/**
 * Issue 12: the Sidecars' egress hosts, the simulator's view of who may call whom, and the call graph
 * agree for the reference app.
 */
describe('Sidecar egress agrees with the simulator', () => {
  const chart = Testing.chart();
  buildReferenceApp(chart);
  const objects = Testing.synth(chart);
  const sim = MeshSimulator.fromManifests(objects);
  const sidecars = objects.filter((o) => o.kind === 'Sidecar');
  const services = objects.filter((o) => o.kind === 'Service').map((o) => `${o.metadata.name}.${o.metadata.namespace}`);
  const egressOf = (app: string): string[] => {
    const sc = sidecars.find((s) => s.spec.workloadSelector?.labels?.app === app);
    return sc ? sc.spec.egress[0].hosts : [];
  };
  // mesh services a workload's Sidecar lets it reach, as <svc>.<ns>
  const meshEgress = (app: string): string[] =>
    egressOf(app)
      .map((h) => /^([^/]+)\/([^.]+)\.([^.]+)\.svc\.cluster\.local$/.exec(h))
      .filter((m): m is RegExpExecArray => m !== null && services.includes(`${m[2]}.${m[3]}`))
      .map((m) => `${m[2]}.${m[3]}`)
      .sort();

  test('each workload has a Sidecar', () => {
    expect(sidecars.map((s) => s.spec.workloadSelector.labels.app).sort()).toEqual(['order-service', 'payment-service']);
  });

  test.each(['order-service', 'payment-service'])('%s reaches exactly the services the simulator lets it call', (app) => {
    // GIVEN the services the simulator's graph says this workload's identity may call
    const callable = sim
      .graph()
      .calls.filter((c) => c.from === `${app}.production` || c.from === `cluster.local/ns/production/sa/${app}`)
      .map((c) => c.to)
      .sort();
    // THEN the Sidecar's mesh egress hosts are exactly those
    expect(meshEgress(app)).toEqual([...new Set(callable)]);
  });

  test('order-service → payment-service is allowed and in its egress; payment-service → order-service is neither', () => {
    const orderToPayment = sim.authorize({ to: 'payment-service.production', fromPrincipal: 'cluster.local/ns/production/sa/order-service', method: 'POST', path: '/api/payments/1' });
    const paymentToOrder = sim.authorize({ to: 'order-service.production', fromPrincipal: 'cluster.local/ns/production/sa/payment-service', method: 'GET', path: '/api/orders' });
    expect(orderToPayment.decision).toBe('ALLOW');
    expect(meshEgress('order-service')).toContain('payment-service.production');
    expect(paymentToOrder.decision).toBe('DENY');
    expect(meshEgress('payment-service')).not.toContain('order-service.production');
  });

  test('both reach istio-system and the collector', () => {
    for (const app of ['order-service', 'payment-service']) {
      expect(egressOf(app)).toEqual(expect.arrayContaining(['istio-system/*', 'observability/otel-collector.observability.svc.cluster.local']));
    }
  });
});
