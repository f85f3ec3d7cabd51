import { Testing } from 'cdk8s';
import * as A from '../src';
import { meshChart, one, service, synth } from './helpers';

/**
 * Symbol brands (`Symbol.for('cdk8s-istio.<Type>')`) instead of `instanceof`: an app that ends up with
 * two copies of the package (a wrapper library pinning another version, two `node_modules`) must get
 * the same behaviour as with one. `jest.isolateModules` loads a second, independent copy of the
 * library, exactly as a second install would.
 */
let B: typeof A;
jest.isolateModules(() => {
  B = require('../src');
});

describe('two copies of the package', () => {
  test('the second copy really is another copy (its classes are different objects)', () => {
    expect(B.Mesh).not.toBe(A.Mesh);
    expect(B.ConnectionPool).not.toBe(A.ConnectionPool);
  });

  test('value objects made by the other copy are accepted and give the same manifests', () => {
    // GIVEN the same breaker and route, once with this copy's values and once with the other copy's
    const build = (V: typeof A) => {
      const { chart, ns } = meshChart();
      const svc = service(chart, ns, 'order-service', { versions: [{ name: 'v1' }, { name: 'v2' }] });
      new A.CircuitBreaker(chart, 'Breaker', {
        service: svc,
        connectionPool: V.ConnectionPool.of({ tcp: { maxConnections: 10 }, http: { h2UpgradePolicy: V.H2UpgradePolicy.DO_NOT_UPGRADE } }),
        outlierDetection: V.OutlierDetection.of({ consecutive5xxErrors: 5 }),
      });
      new A.CanaryRoute(chart, 'Route', {
        service: svc,
        rules: [{ match: [{ headers: [V.HeaderMatch.exact('x-canary', 'true')], uri: V.StringMatch.prefix('/api') }], destination: V.Destination.version('v2') }],
        defaultDestination: V.Destination.version('v1'),
        retries: V.RetryPolicy.of({ attempts: 2, retryOn: [V.RetryOn.FIVE_XX] }),
      });
      return synth(chart);
    };
    // WHEN both are synthesized
    const own = build(A);
    const other = build(B);
    // THEN the output is the same
    expect(one(other, 'DestinationRule').spec.trafficPolicy).toMatchObject({ connectionPool: { tcp: { maxConnections: 10 } }, outlierDetection: { consecutive5xxErrors: 5 } });
    expect(other).toEqual(own);
  });

  test('singletons of the other copy (data plane, mTLS mode, risk) mean the same value', () => {
    // GIVEN a mesh of this copy configured with the other copy's DataPlaneMode
    const chart = Testing.chart();
    const mesh = new A.Mesh(chart, 'Mesh', { dataPlane: B.DataPlaneMode.AMBIENT, routingApi: B.RoutingApi.GATEWAY_API });
    // THEN it is ambient, and the other copy's mTLS mode is a mode
    expect(mesh.isAmbient).toBe(true);
    expect(A.MtlsMode.isMtlsMode(B.MtlsMode.STRICT)).toBe(true);
    expect(A.Risk.isRisk(B.Risk.ALLOW_ALL)).toBe(true);
  });

  test('constructs of the other copy are recognized: a namespace of copy B holds a service of copy A', () => {
    // GIVEN a mesh and namespace made by the other copy
    const chart = Testing.chart();
    const mesh = new B.Mesh(chart, 'Mesh');
    const ns = new B.MeshNamespace(chart, 'Shop', { mesh, name: 'shop' });
    // WHEN this copy's TracedService joins it
    const svc = new A.TracedService(chart, 'Cart', { namespace: ns as unknown as A.MeshNamespace, name: 'cart', imageRepository: 'r/cart', versions: [{ name: 'v1' }], openTelemetry: { enabled: false } });
    // THEN it is meshed like any other service
    expect(A.Mesh.isMesh(mesh)).toBe(true);
    expect(mesh instanceof A.Mesh).toBe(true);
    expect(A.TracedService.isTracedService(svc) && B.TracedService.isTracedService(svc)).toBe(true);
    expect(one(synth(chart), 'Deployment', 'cart-v1').metadata.namespace).toBe('shop');
  });

  test('errors thrown by one copy are instances of the other copy\'s error classes', () => {
    // WHEN the other copy rejects bad input
    let thrown: unknown;
    try {
      B.ConnectionPool.of({ tcp: { maxConnections: -1 } });
    } catch (e) {
      thrown = e;
    }
    // THEN this copy's MeshConfigError recognizes it
    expect(thrown).toBeDefined();
    expect(thrown instanceof A.MeshConfigError).toBe(true);
    expect(A.MeshConfigError.isMeshConfigError(thrown)).toBe(true);
  });
});

describe('a brand cannot be forged by shape', () => {
  test('a look-alike object with toIntent() is refused with the property named', () => {
    // GIVEN an object that looks like a ConnectionPool but was not made by ConnectionPool.of
    const { chart, ns } = meshChart();
    const svc = service(chart, ns, 'order-service');
    const fake = { toIntent: () => ({ tcp: { maxConnections: 10 } }) } as unknown as A.ConnectionPool;
    // THEN the breaker refuses it
    expect(() => new A.CircuitBreaker(chart, 'Breaker', { service: svc, connectionPool: fake }))
      .toThrow(/props\.connectionPool: .* is invalid: must be a ConnectionPool/);
    expect(fake instanceof A.ConnectionPool).toBe(false);
  });

  test.each([
    ['Mesh', A.Mesh.isMesh],
    ['MeshNamespace', A.MeshNamespace.isMeshNamespace],
    ['TracedService', A.TracedService.isTracedService],
    ['Destination', A.Destination.isDestination],
    ['MtlsMode', A.MtlsMode.isMtlsMode],
  ])('%s guard is false for undefined, null, a string and a plain object', (_name, guard) => {
    for (const x of [undefined, null, 'x', {}, { value: 'STRICT' }]) expect(guard(x)).toBe(false);
  });
});
