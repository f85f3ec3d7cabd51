import { Duration } from 'cdk8s';
import {
  CanaryRoute,
  CircuitBreaker,
  ConnectionPool,
  Destination,
  H2UpgradePolicy,
  OutlierDetection,
  TracedService,
} from '../src';
import { meshChart, one, service, synth } from './helpers';

const INT32_MAX = 2147483647;
const UINT32_MAX = 4294967295;

/** GIVEN order-service running v1 and v2. */
function orderHost() {
  const { chart, ns } = meshChart();
  const order = service(chart, ns, 'order-service', { versions: [{ name: 'v1' }, { name: 'v2' }] });
  return { chart, order };
}

function drOf(chart: any, name = 'order-service') {
  return one(synth(chart), 'DestinationRule', name).spec;
}

describe('CircuitBreaker: rendering', () => {
  test('every connection pool field renders under tcp and http', () => {
    const { chart, order } = orderHost();
    new CircuitBreaker(chart, 'Breaker', {
      service: order,
      connectionPool: ConnectionPool.of({
        tcp: { maxConnections: 100, connectTimeout: Duration.millis(250), idleTimeout: Duration.minutes(5) },
        http: {
          http1MaxPendingRequests: 10,
          http2MaxRequests: 20,
          maxRequestsPerConnection: 1,
          maxRetries: 3,
          idleTimeout: Duration.seconds(30),
          h2UpgradePolicy: H2UpgradePolicy.DO_NOT_UPGRADE,
          useClientProtocol: true,
        },
      }),
    });
    expect(drOf(chart)).toEqual({
      host: 'order-service',
      trafficPolicy: {
        connectionPool: {
          tcp: { maxConnections: 100, connectTimeout: '250ms', idleTimeout: '300s' },
          http: {
            http1MaxPendingRequests: 10,
            http2MaxRequests: 20,
            maxRequestsPerConnection: 1,
            maxRetries: 3,
            idleTimeout: '30s',
            h2UpgradePolicy: 'DO_NOT_UPGRADE',
            useClientProtocol: true,
          },
        },
      },
    });
  });

  test('every outlier detection field renders; no connectionPool object when none is set', () => {
    const { chart, order } = orderHost();
    new CircuitBreaker(chart, 'Breaker', {
      service: order,
      outlierDetection: OutlierDetection.of({
        consecutive5xxErrors: 3,
        consecutiveGatewayErrors: 2,
        interval: Duration.seconds(30),
        baseEjectionTime: Duration.seconds(60),
        maxEjectionPercent: 50,
        minHealthPercent: 25,
      }),
    });
    expect(drOf(chart).trafficPolicy).toEqual({
      outlierDetection: {
        consecutive5xxErrors: 3,
        consecutiveGatewayErrors: 2,
        interval: '30s',
        baseEjectionTime: '60s',
        maxEjectionPercent: 50,
        minHealthPercent: 25,
      },
    });
  });

  test('only tcp set: no http object, and a whole-host breaker needs no subsets', () => {
    const { chart, order } = orderHost();
    new CircuitBreaker(chart, 'Breaker', { service: order, connectionPool: ConnectionPool.of({ tcp: { maxConnections: 1 } }) });
    expect(drOf(chart)).toEqual({ host: 'order-service', trafficPolicy: { connectionPool: { tcp: { maxConnections: 1 } } } });
  });

  test('h2UpgradePolicy values', () => {
    expect([H2UpgradePolicy.DEFAULT, H2UpgradePolicy.DO_NOT_UPGRADE, H2UpgradePolicy.UPGRADE].map((p) => p.value)).toEqual(['DEFAULT', 'DO_NOT_UPGRADE', 'UPGRADE']);
  });
});

describe('CircuitBreaker: per version and the merge into one DestinationRule', () => {
  test('a per-version breaker adds a subset policy that inherits the host fields it does not set', () => {
    // GIVEN a host pool and a v1 override
    const { chart, order } = orderHost();
    new CircuitBreaker(chart, 'Host', {
      service: order,
      connectionPool: ConnectionPool.of({ tcp: { maxConnections: 100 }, http: { http1MaxPendingRequests: 100, h2UpgradePolicy: H2UpgradePolicy.DEFAULT } }),
      outlierDetection: OutlierDetection.of({ consecutive5xxErrors: 7 }),
    });
    new CircuitBreaker(chart, 'V1', { service: order, version: 'v1', connectionPool: ConnectionPool.of({ http: { http1MaxPendingRequests: 50 } }) });
    // THEN Istio replaces a subset's connectionPool as a whole, so the inherited fields are written out
    const dr = drOf(chart);
    expect(dr.subsets).toEqual([
      {
        name: 'v1',
        labels: { version: 'v1' },
        trafficPolicy: { connectionPool: { tcp: { maxConnections: 100 }, http: { http1MaxPendingRequests: 50, h2UpgradePolicy: 'DEFAULT' } } },
      },
      { name: 'v2', labels: { version: 'v2' } },
    ]);
    expect(dr.trafficPolicy.outlierDetection).toEqual({ consecutive5xxErrors: 7 });
  });

  test('a per-version outlier override inherits host outlier fields and leaves the pool to the host', () => {
    const { chart, order } = orderHost();
    new CircuitBreaker(chart, 'Host', {
      service: order,
      connectionPool: ConnectionPool.of({ tcp: { maxConnections: 10 } }),
      outlierDetection: OutlierDetection.of({ consecutive5xxErrors: 5, interval: Duration.seconds(10) }),
    });
    new CircuitBreaker(chart, 'V2', { service: order, version: 'v2', outlierDetection: OutlierDetection.of({ consecutive5xxErrors: 1 }) });
    expect(drOf(chart).subsets[1]).toEqual({
      name: 'v2',
      labels: { version: 'v2' },
      trafficPolicy: { outlierDetection: { consecutive5xxErrors: 1, interval: '10s' } },
    });
  });

  test('CanaryRoute and CircuitBreaker share one DestinationRule, in either construction order', () => {
    for (const breakerFirst of [true, false]) {
      const { chart, order } = orderHost();
      const breaker = () => new CircuitBreaker(chart, 'Breaker', { service: order, connectionPool: ConnectionPool.of({ tcp: { maxConnections: 100 } }) });
      const route = () => new CanaryRoute(chart, 'Route', {
        service: order,
        defaultDestination: Destination.split([{ version: 'v1', percent: 90 }, { version: 'v2', percent: 10 }]),
      });
      if (breakerFirst) { breaker(); route(); } else { route(); breaker(); }
      const objects = synth(chart);
      const drs = objects.filter((o) => o.kind === 'DestinationRule');
      expect(drs).toHaveLength(1);
      expect(objects.filter((o) => o.kind === 'VirtualService')).toHaveLength(1);
      expect(drs[0].spec).toEqual({
        host: 'order-service',
        trafficPolicy: { connectionPool: { tcp: { maxConnections: 100 } } },
        subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }],
      });
    }
  });

  test('two breakers may set different fields; the same field twice fails with both paths', () => {
    const { chart, order } = orderHost();
    new CircuitBreaker(chart, 'Pool', { service: order, connectionPool: ConnectionPool.of({ tcp: { maxConnections: 5 } }) });
    new CircuitBreaker(chart, 'Outlier', { service: order, outlierDetection: OutlierDetection.of({ maxEjectionPercent: 100 }) });
    expect(drOf(chart).trafficPolicy).toEqual({ connectionPool: { tcp: { maxConnections: 5 } }, outlierDetection: { maxEjectionPercent: 100 } });
    expect(() => new CircuitBreaker(chart, 'Again', { service: order, connectionPool: ConnectionPool.of({ tcp: { maxConnections: 6 } }) }))
      .toThrow(/\[test\/Again\] tcp.maxConnections: 6 is invalid: .*already set by test\/Pool \(to 5\)/);
  });

  test('an unknown version fails with the property', () => {
    const { chart, order } = orderHost();
    expect(() => new CircuitBreaker(chart, 'B', { service: order, version: 'v3', connectionPool: ConnectionPool.of({ tcp: { maxConnections: 1 } }) }))
      .toThrow(/\[test\/B\] props.version: "v3" is invalid: version "v3" is not a version of order-service/);
  });

  test('a breaker needs a pool or outlier detection; the service must be a TracedService', () => {
    const { chart, order } = orderHost();
    expect(() => new CircuitBreaker(chart, 'Empty', { service: order })).toThrow(/\[test\/Empty\] props: .*trafficPolicy: \{\}/);
    expect(() => new CircuitBreaker(chart, 'X', { service: {} as TracedService, outlierDetection: OutlierDetection.of({ consecutive5xxErrors: 1 }) }))
      .toThrow(/props.service/);
  });
});

describe('ConnectionPool and OutlierDetection: ranges', () => {
  const counters = ['tcp.maxConnections', 'http.http1MaxPendingRequests', 'http.http2MaxRequests', 'http.maxRequestsPerConnection', 'http.maxRetries'];
  const pool = (path: string, v: unknown) => {
    const [part, field] = path.split('.');
    return ConnectionPool.of({ [part]: { [field]: v } } as any);
  };

  test.each(counters)('%s: int32, 0..2147483647', (path) => {
    expect(() => pool(path, 0)).not.toThrow();
    expect(() => pool(path, INT32_MAX)).not.toThrow();
    expect(() => pool(path, -1)).toThrow(new RegExp(`ConnectionPool.of\\] ${path.replace('.', '\\.')}: -1 is invalid: must be an integer in 0..2147483647`));
    expect(() => pool(path, INT32_MAX + 1)).toThrow(/0..2147483647/);
    expect(() => pool(path, 1.5)).toThrow(/integer/);
  });

  test.each(['tcp.connectTimeout', 'tcp.idleTimeout', 'http.idleTimeout'])('%s: at least 1ms, ms precision', (path) => {
    expect(() => pool(path, Duration.millis(1))).not.toThrow();
    expect(() => pool(path, Duration.millis(0))).toThrow(new RegExp(`${path.replace('.', '\\.')}: .* is invalid: a duration must be at least 1ms`));
    expect(() => pool(path, Duration.millis(2.5))).toThrow(/millisecond precision/);
  });

  test('UPGRADE with useClientProtocol fails; other combinations pass', () => {
    expect(() => ConnectionPool.of({ http: { h2UpgradePolicy: H2UpgradePolicy.UPGRADE, useClientProtocol: true } }))
      .toThrow(/http.useClientProtocol: true is invalid: useClientProtocol cannot be combined with h2UpgradePolicy UPGRADE/);
    expect(() => ConnectionPool.of({ http: { h2UpgradePolicy: H2UpgradePolicy.UPGRADE, useClientProtocol: false } })).not.toThrow();
    expect(() => ConnectionPool.of({ http: { h2UpgradePolicy: H2UpgradePolicy.DEFAULT, useClientProtocol: true } })).not.toThrow();
    expect(() => ConnectionPool.of({ http: { h2UpgradePolicy: 'UPGRADE' as any } })).toThrow(/must be an H2UpgradePolicy/);
  });

  test('an empty pool fails: Istio rejects connectionPool: {}', () => {
    expect(() => ConnectionPool.of({})).toThrow(/connectionPool: \{\}/);
    expect(() => ConnectionPool.of({ tcp: {}, http: {} })).toThrow(/at least one setting/);
  });

  test.each(['consecutive5xxErrors', 'consecutiveGatewayErrors'])('%s: uint32, 0..4294967295', (field) => {
    expect(() => OutlierDetection.of({ [field]: 0 })).not.toThrow();
    expect(() => OutlierDetection.of({ [field]: UINT32_MAX })).not.toThrow();
    expect(() => OutlierDetection.of({ [field]: -1 })).toThrow(new RegExp(`OutlierDetection.of\\] ${field}: -1 is invalid: .*uint32`));
    expect(() => OutlierDetection.of({ [field]: UINT32_MAX + 1 })).toThrow(/0..4294967295/);
  });

  test.each(['maxEjectionPercent', 'minHealthPercent'])('%s: 0..100', (field) => {
    expect(() => OutlierDetection.of({ [field]: 0 })).not.toThrow();
    expect(() => OutlierDetection.of({ [field]: 100 })).not.toThrow();
    expect(() => OutlierDetection.of({ [field]: -1 })).toThrow(new RegExp(`${field}: -1 is invalid: a percent must be an integer in 0..100`));
    expect(() => OutlierDetection.of({ [field]: 101 })).toThrow(/0..100/);
  });

  test.each(['interval', 'baseEjectionTime'])('%s: at least 1ms, ms precision', (field) => {
    expect(() => OutlierDetection.of({ [field]: Duration.millis(1) })).not.toThrow();
    expect(() => OutlierDetection.of({ [field]: Duration.millis(0) })).toThrow(new RegExp(`${field}: .* is invalid: a duration must be at least 1ms`));
    expect(() => OutlierDetection.of({ [field]: Duration.millis(1.5) })).toThrow(/millisecond precision/);
  });

  test('empty outlier detection fails', () => {
    expect(() => OutlierDetection.of({})).toThrow(/at least one setting/);
  });
});

describe('escape hatches', () => {
  test('CanaryRoute.virtualService and CircuitBreaker.destinationRule are the host objects', () => {
    const { chart, order } = orderHost();
    const r = new CanaryRoute(chart, 'R', { service: order, defaultDestination: Destination.version('v1') });
    const b = new CircuitBreaker(chart, 'B', { service: order, connectionPool: ConnectionPool.of({ tcp: { maxConnections: 1 } }) });
    expect(r.virtualService).toBe(order.traffic.virtualService);
    expect(b.destinationRule).toBe(order.traffic.destinationRule);
    expect(b.destinationRule!.node.path).toBe('test/order-service/DestinationRule');
  });
});
