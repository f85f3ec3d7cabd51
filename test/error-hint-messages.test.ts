import {
  CircuitBreaker,
  ConnectionPool,
  ExternalPort,
  ExternalService,
  MeshConfigError,
  MeshNamespace,
  OutlierDetection,
  Resolution,
} from '../src';
import { meshChart, service } from './helpers';

/** The MeshConfigError `fn` throws (fails the test when it throws nothing or something else). */
function errorOf(fn: () => unknown): MeshConfigError {
  try {
    fn();
  } catch (e) {
    if (MeshConfigError.isMeshConfigError(e)) return e;
    throw e;
  }
  throw new Error('expected a MeshConfigError, nothing was thrown');
}

/**
 * Representative bad-input errors carry a hint in full (`[path] property: value is invalid: rule.
 * Hint: …`): a value factory (no construct yet, so its path is the factory), a construct prop, and a
 * conflict between two constructs. test/error-hints.test.ts checks every call site statically.
 */
describe('bad-input errors end with a hint', () => {
  test('a value factory names itself as the path and gives an example value', () => {
    // WHEN a connection pool gets a negative connection limit
    const e = errorOf(() => ConnectionPool.of({ tcp: { maxConnections: -1 } }));
    // THEN the message names the factory, the property, the value, the rule and the hint
    expect(e.message).toBe("[ConnectionPool.of] tcp.maxConnections: -1 is invalid: must be an integer in 0..2147483647. Hint: e.g. maxConnections: 100, or leave it out for Istio's default");
    expect(e).toMatchObject({ path: 'ConnectionPool.of', property: 'tcp.maxConnections', value: -1, hint: "e.g. maxConnections: 100, or leave it out for Istio's default" });
  });

  test('a value factory rule at its bound: the hint is there one past the max', () => {
    // WHEN the ejection percentage is 101 (max 100)
    const e = errorOf(() => OutlierDetection.of({ maxEjectionPercent: 101 }));
    // THEN
    expect(e.message).toMatch(/^\[OutlierDetection\.of\] maxEjectionPercent: 101 is invalid: a percent must be an integer in 0\.\.100\. Hint: e\.g\. maxEjectionPercent: 50$/);
  });

  test('a construct prop: a bad namespace name gets a name derived from it that the rule accepts', () => {
    // GIVEN a mesh
    const { chart, mesh } = meshChart();
    // WHEN a namespace is named with capitals and an underscore
    const e = errorOf(() => new MeshNamespace(chart, 'Team', { mesh, name: 'Shop_Team' }));
    // THEN the path is the construct's, and the hint suggests a valid name
    expect(e.path).toBe('test/Team');
    expect(e.message).toMatch(/^\[test\/Team\] props\.name: "Shop_Team" is invalid: a namespace name must be a DNS-1123 label: .*\. Hint: try "shop-team"$/);
  });

  test('a construct prop whose name cannot be repaired by lowercasing gets an example instead', () => {
    const { chart, mesh } = meshChart();
    const e = errorOf(() => new MeshNamespace(chart, 'Team', { mesh, name: '-' }));
    expect(e.hint).toBe('e.g. "shop"');
  });

  test('a boolean option says what it takes', () => {
    const { chart, ns } = meshChart();
    const order = service(chart, ns, 'order-service');
    const e = errorOf(() => new CircuitBreaker(chart, 'Breaker', {
      service: order,
      connectionPool: ConnectionPool.of({ tcp: { maxConnections: 10 } }),
      overridable: 'yes' as unknown as boolean,
    }));
    expect(e.message).toBe('[test/Breaker] props.overridable: "yes" is invalid: must be a boolean. Hint: pass true or false, or leave the option out for its default');
  });

  test('a conflict between two constructs names the first one and says how to share', () => {
    // GIVEN a mesh with namespace "shop" declared by one construct
    const { chart, mesh } = meshChart();
    new MeshNamespace(chart, 'First', { mesh, name: 'shop' });
    // WHEN a second construct declares the same namespace
    const e = errorOf(() => new MeshNamespace(chart, 'Second', { mesh, name: 'shop' }));
    // THEN the error blames the second, names the first, and says to declare it once
    expect(e.message).toBe('[test/Second] owner: "namespace:shop" is invalid: the objects of namespace:shop are already owned by test/First. '
      + 'Hint: give this construct another name, or declare namespace:shop once and pass that construct where it is needed');
  });

  test('a version a service does not run: the hint lists the versions it runs', () => {
    const { chart, ns } = meshChart();
    const order = service(chart, ns, 'order-service', { versions: [{ name: 'v1' }, { name: 'v2' }] });
    const e = errorOf(() => new CircuitBreaker(chart, 'Breaker', { service: order, version: 'v3', connectionPool: ConnectionPool.of({ tcp: { maxConnections: 10 } }) }));
    expect(e.hint).toBe('use one of "v1", "v2", or add the version to the service\'s versions');
    expect(e.message).toContain('. Hint: use one of "v1", "v2"');
  });

  test('an external service with STATIC resolution and no endpoints says what to add', () => {
    const { chart, ns } = meshChart();
    const e = errorOf(() => new ExternalService(chart, 'Payments', {
      namespace: ns, hosts: ['api.payments.example.com'], ports: [ExternalPort.tls(443)], resolution: Resolution.STATIC,
    }));
    expect(e.message).toMatch(/props\.endpoints: \[\] is invalid: Resolution\.STATIC needs endpoint addresses\. Hint: e\.g\. endpoints: \['203\.0\.113\.10'\], or use Resolution\.DNS$/);
  });
});
