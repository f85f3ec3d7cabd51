import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { CircuitBreaker, ConnectionPool, MeshNamespace, OutlierDetection, TracedService } from '../src';
import { meshChart, one, synth } from './helpers';

/** GIVEN a wrapper that sets overridable breaker defaults: a pool and outlier detection. */
class StandardService extends Construct {
  public readonly service: TracedService;
  constructor(scope: Construct, id: string, ns: MeshNamespace) {
    super(scope, id);
    this.service = new TracedService(this, 'Default', { namespace: ns, imageRepository: 'registry.example.com/app', versions: [{ name: 'v1' }, { name: 'v2' }] });
    new CircuitBreaker(this, 'Breaker', {
      service: this.service,
      connectionPool: ConnectionPool.of({ tcp: { maxConnections: 100 }, http: { http1MaxPendingRequests: 1000 } }),
      outlierDetection: OutlierDetection.of({ consecutive5xxErrors: 5, interval: Duration.seconds(10) }),
      overridable: true,
    });
  }
}

describe('CircuitBreaker overridable defaults', () => {
  test('the app overrides one field of the wrapper default; the other fields stay', () => {
    const { chart, ns } = meshChart();
    const catalog = new StandardService(chart, 'Catalog', ns);
    new CircuitBreaker(chart, 'AppBreaker', { service: catalog.service, connectionPool: ConnectionPool.of({ tcp: { maxConnections: 500 } }) });
    expect(one(synth(chart), 'DestinationRule', 'catalog').spec.trafficPolicy).toEqual({
      connectionPool: { tcp: { maxConnections: 500 }, http: { http1MaxPendingRequests: 1000 } },
      outlierDetection: { consecutive5xxErrors: 5, interval: '10s' },
    });
    expect(catalog.service.mesh.model.host(catalog.service.ref).sources.policies.map((p) => p.source)).toEqual(['test/Catalog/Breaker', 'test/AppBreaker']);
  });

  test('the explicit value wins also when it is written before the default', () => {
    const { chart, ns } = meshChart();
    const svc = new TracedService(chart, 'Catalog', { namespace: ns, imageRepository: 'r/catalog', versions: [{ name: 'v1' }] });
    new CircuitBreaker(chart, 'App', { service: svc, connectionPool: ConnectionPool.of({ tcp: { maxConnections: 7 } }) });
    new CircuitBreaker(chart, 'Default', { service: svc, connectionPool: ConnectionPool.of({ tcp: { maxConnections: 100, connectTimeout: Duration.seconds(2) } }), overridable: true });
    expect(one(synth(chart), 'DestinationRule', 'catalog').spec.trafficPolicy.connectionPool.tcp).toEqual({ maxConnections: 7, connectTimeout: '2s' });
  });

  test('a default whose every field is overridden contributes nothing', () => {
    const { chart, ns } = meshChart();
    const catalog = new StandardService(chart, 'Catalog', ns);
    new CircuitBreaker(chart, 'AppBreaker', {
      service: catalog.service,
      connectionPool: ConnectionPool.of({ tcp: { maxConnections: 1 }, http: { http1MaxPendingRequests: 2 } }),
      outlierDetection: OutlierDetection.of({ consecutive5xxErrors: 1, interval: Duration.seconds(1) }),
    });
    expect(catalog.service.mesh.model.host(catalog.service.ref).sources.policies.map((p) => p.source)).toEqual(['test/AppBreaker']);
  });

  test('per version: an override of a subset default keeps the host default apart', () => {
    const { chart, ns } = meshChart();
    const svc = new TracedService(chart, 'Catalog', { namespace: ns, imageRepository: 'r/catalog', versions: [{ name: 'v1' }, { name: 'v2' }] });
    new CircuitBreaker(chart, 'V2Default', { service: svc, version: 'v2', connectionPool: ConnectionPool.of({ tcp: { maxConnections: 10 } }), overridable: true });
    new CircuitBreaker(chart, 'V2App', { service: svc, version: 'v2', connectionPool: ConnectionPool.of({ tcp: { maxConnections: 20 } }) });
    const dr = one(synth(chart), 'DestinationRule', 'catalog');
    expect(dr.spec.subsets.find((s: any) => s.name === 'v2').trafficPolicy).toEqual({ connectionPool: { tcp: { maxConnections: 20 } } });
  });

  test('two explicit breakers on one field still clash, naming both (and two defaults do too)', () => {
    const { chart, ns } = meshChart();
    const catalog = new StandardService(chart, 'Catalog', ns);
    new CircuitBreaker(chart, 'A', { service: catalog.service, connectionPool: ConnectionPool.of({ tcp: { maxConnections: 1 } }) });
    expect(() => new CircuitBreaker(chart, 'B', { service: catalog.service, connectionPool: ConnectionPool.of({ tcp: { maxConnections: 2 } }) }))
      .toThrow(/\[test\/B\] tcp\.maxConnections: 2 is invalid: tcp\.maxConnections of host "catalog" is already set by test\/A \(to 1\)/);
    expect(() => new CircuitBreaker(chart, 'C', { service: catalog.service, outlierDetection: OutlierDetection.of({ consecutive5xxErrors: 9 }), overridable: true }))
      .toThrow(/outlierDetection\.consecutive5xxErrors: 9 is invalid: outlierDetection\.consecutive5xxErrors of host "catalog" is already set by test\/Catalog\/Breaker \(to 5\)/);
  });

  test('overridable must be a boolean', () => {
    const { chart, ns } = meshChart();
    const svc = new TracedService(chart, 'Catalog', { namespace: ns, imageRepository: 'r/catalog', versions: [{ name: 'v1' }] });
    expect(() => new CircuitBreaker(chart, 'B', { service: svc, connectionPool: ConnectionPool.of({ tcp: { maxConnections: 1 } }), overridable: 'yes' as any }))
      .toThrow(/props\.overridable: "yes" is invalid: must be a boolean/);
  });
});
