/**
 * F0 (consumer trial): a port-level CircuitBreaker must not drop the host's settings on its port.
 *
 * Istio 1.30.3 `pilot/pkg/networking/util/util.go` `GetPortLevelTrafficPolicy`: "port-level settings
 * will override the destination-level settings. Traffic settings specified at the destination-level
 * will not be inherited when overridden by port-level settings, i.e. default values will be applied
 * to fields omitted in port-level traffic policies"; `shadowCopyPortTrafficPolicy` builds the port's
 * policy from the entry's connectionPool, loadBalancer, outlierDetection and tls only (so a host
 * `retryBudget` or `proxyProtocol` is not applied on that port either). Subsets then lay their own
 * fields over that port policy (`MergeSubsetTrafficPolicy`). The library writes the host's fields into
 * each port entry (as it does for subsets, docs/traffic.md), and lint warns (CI2216) on hand-written
 * entries that drop one.
 */
import { CircuitBreaker, ConnectionPool, LoadBalancer, OutlierDetection, RetryBudget, RoutingApi, ServicePort, UpstreamTls, CanaryRoute, Destination } from '../../src';
import { PORT_LEVEL_DROPPED_PARTS, portLevelDroppedFields } from '../../src/rules';
import { validateManifests } from '../../src/validation';
import { Duration } from 'cdk8s';
import { meshChart, one, service, synth } from '../helpers';

const PORTS: ServicePort[] = [{ name: 'http', port: 8080 }, { name: 'grpc', port: 9090 }];

function given(mode: { routingApi?: RoutingApi } = {}) {
  const g = meshChart(mode);
  const catalog = service(g.chart, g.ns, 'catalog', { versions: [{ name: 'v1' }, { name: 'v2' }], ports: PORTS });
  new CircuitBreaker(g.chart, 'Host', {
    service: catalog,
    loadBalancer: LoadBalancer.consistentHash({ httpHeaderName: 'x-user-id' }).withLocality({ failover: [{ from: 'europe-west1', to: 'europe-west4' }] }),
    outlierDetection: OutlierDetection.of({ consecutive5xxErrors: 5, interval: Duration.seconds(10) }),
    connectionPool: ConnectionPool.of({ tcp: { maxConnections: 100 }, http: { http2MaxRequests: 1000, http1MaxPendingRequests: 10 } }),
    tls: UpstreamTls.simple({ sni: 'catalog.example.com' }),
  });
  return { ...g, catalog };
}

const lint = (objects: any[]) => validateManifests(objects.map((manifest) => ({ manifest })), { checks: { analyzers: false } });

describe('a port-level CircuitBreaker keeps the host settings on its port (GetPortLevelTrafficPolicy)', () => {
  test('GIVEN host LB, failover, outlier detection, pool and TLS WHEN a pool is set for port 9090 THEN the port entry carries every host field, its own pool fields laid over the host pool', () => {
    const { chart, catalog } = given();
    new CircuitBreaker(chart, 'GrpcPool', { service: catalog, port: 9090, connectionPool: ConnectionPool.of({ http: { http2MaxRequests: 500 } }) });
    const tp = one(synth(chart), 'DestinationRule', 'catalog').spec.trafficPolicy;
    expect(tp.portLevelSettings).toEqual([{
      port: { number: 9090 },
      connectionPool: { tcp: { maxConnections: 100 }, http: { http2MaxRequests: 500, http1MaxPendingRequests: 10 } },
      loadBalancer: tp.loadBalancer,
      outlierDetection: tp.outlierDetection,
      tls: { mode: 'SIMPLE', caCertificates: '/etc/ssl/certs/ca-certificates.crt', sni: 'catalog.example.com' },
    }]);
    expect(tp.loadBalancer).toMatchObject({ consistentHash: { httpHeaderName: 'x-user-id' }, localityLbSetting: { failover: [{ from: 'europe-west1', to: 'europe-west4' }] } });
    expect(tp.outlierDetection).toMatchObject({ consecutive5xxErrors: 5, interval: '10s' });
  });

  test('GIVEN the port sets its own load-balancer algorithm and outlier field THEN its choice replaces the host\'s algorithm (one oneof) and the other host fields stay', () => {
    const { chart, catalog } = given();
    new CircuitBreaker(chart, 'GrpcLb', { service: catalog, port: 9090, loadBalancer: LoadBalancer.roundRobin(), outlierDetection: OutlierDetection.of({ consecutive5xxErrors: 2 }) });
    const entry = one(synth(chart), 'DestinationRule', 'catalog').spec.trafficPolicy.portLevelSettings[0];
    expect(entry.loadBalancer).toEqual({ simple: 'ROUND_ROBIN', localityLbSetting: { enabled: true, failover: [{ from: 'europe-west1', to: 'europe-west4' }] } });
    expect(entry.outlierDetection).toMatchObject({ consecutive5xxErrors: 2, interval: '10s' });
  });

  test('GIVEN the Gateway API THEN every DestinationRule (Service host and per-version Services) carries the inherited fields in its port entry', () => {
    const { chart, catalog } = given({ routingApi: RoutingApi.GATEWAY_API });
    new CanaryRoute(chart, 'Route', { service: catalog, defaultDestination: Destination.split([{ version: 'v1', percent: 50 }, { version: 'v2', percent: 50 }]) });
    new CircuitBreaker(chart, 'GrpcPool', { service: catalog, port: 9090, connectionPool: ConnectionPool.of({ http: { http2MaxRequests: 500 } }) });
    const objects = synth(chart);
    for (const name of ['catalog', 'catalog-v1', 'catalog-v2']) {
      expect(one(objects, 'DestinationRule', name).spec.trafficPolicy.portLevelSettings[0]).toMatchObject({
        port: { number: 9090 }, tls: { mode: 'SIMPLE' }, outlierDetection: { consecutive5xxErrors: 5 }, loadBalancer: { consistentHash: { httpHeaderName: 'x-user-id' } },
      });
    }
  });

  test('GIVEN the rendered DestinationRule WHEN linted THEN no CI2216 (construct and lint agree: the port entry drops nothing)', () => {
    const { chart, catalog } = given();
    new CircuitBreaker(chart, 'GrpcPool', { service: catalog, port: 9090, connectionPool: ConnectionPool.of({ http: { http2MaxRequests: 500 } }) });
    expect(lint(synth(chart)).filter((f) => f.code === 'CI2216')).toEqual([]);
  });

  test('GIVEN a host retry budget WHEN a port-level policy is added (either order) THEN refused: no port entry can carry it', () => {
    const a = given();
    new CircuitBreaker(a.chart, 'Budget', { service: a.catalog, retryBudget: RetryBudget.of({ percent: 20 }) });
    expect(() => new CircuitBreaker(a.chart, 'GrpcPool', { service: a.catalog, port: 9090, connectionPool: ConnectionPool.of({ http: { http2MaxRequests: 500 } }) }))
      .toThrow(/\[.*GrpcPool\] port: 9090 is invalid: retryBudget cannot be set per port .*GetPortLevelTrafficPolicy.*Hint:/);
    const b = given();
    new CircuitBreaker(b.chart, 'GrpcPool', { service: b.catalog, port: 9090, connectionPool: ConnectionPool.of({ http: { http2MaxRequests: 500 } }) });
    expect(() => new CircuitBreaker(b.chart, 'Budget', { service: b.catalog, retryBudget: RetryBudget.of({ percent: 20 }) })).toThrow(/retryBudget: .* is invalid: retryBudget cannot be set per port/);
    expect(() => new CircuitBreaker(b.chart, 'PortBudget', { service: b.catalog, port: 8080, retryBudget: RetryBudget.of({ percent: 20 }) })).toThrow(/retryBudget cannot be set per port/);
  });
});

describe('lint CI2216: a hand-written portLevelSettings entry that drops destination-level fields', () => {
  const dr = (trafficPolicy: any) => ({ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'catalog', namespace: 'shop' }, spec: { host: 'catalog', trafficPolicy } });
  const host = {
    loadBalancer: { consistentHash: { httpHeaderName: 'x-u' }, localityLbSetting: { failover: [{ from: 'a', to: 'b' }] } },
    outlierDetection: { consecutive5xxErrors: 3 },
    tls: { mode: 'SIMPLE', sni: 'web.example.com' },
    connectionPool: { tcp: { maxConnections: 10 } },
  };

  test('GIVEN the trial\'s DestinationRule (host LB, failover, outlier, TLS; port 9090 sets a pool) WHEN linted THEN one CI2216 warning naming every dropped field', () => {
    const found = lint([dr({ ...host, portLevelSettings: [{ port: { number: 9090 }, connectionPool: { http: { http2MaxRequests: 10 } } }] })]).filter((f) => f.code === 'CI2216');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ level: 'warning' });
    expect(found[0].message).toContain('spec.trafficPolicy.portLevelSettings[0]: port 9090 drops connectionPool.tcp.maxConnections, outlierDetection.consecutive5xxErrors, loadBalancer.consistentHash, loadBalancer.localityLbSetting, tls');
  });

  test('GIVEN an entry that repeats every host field (the library\'s rendering) THEN no CI2216', () => {
    const entry = { port: { number: 9090 }, ...host, connectionPool: { tcp: { maxConnections: 10 }, http: { http2MaxRequests: 10 } } };
    expect(lint([dr({ ...host, portLevelSettings: [entry] })]).filter((f) => f.code === 'CI2216')).toEqual([]);
  });

  test('GIVEN a host retryBudget or proxyProtocol and a port entry THEN CI2216 names it (a port entry cannot hold it)', () => {
    expect(PORT_LEVEL_DROPPED_PARTS).toEqual(['proxyProtocol', 'retryBudget']);
    const found = lint([dr({ retryBudget: { percent: 20 }, portLevelSettings: [{ port: { number: 9090 }, tls: { mode: 'ISTIO_MUTUAL' } }] })]).filter((f) => f.code === 'CI2216');
    expect(found[0]?.message).toContain('drops retryBudget');
  });

  test('GIVEN a port entry whose algorithm choice differs from the host\'s THEN the choice is not reported dropped (one oneof, overridden)', () => {
    expect(portLevelDroppedFields({ loadBalancer: { simple: 'RANDOM' } }, { loadBalancer: { consistentHash: { httpHeaderName: 'x' } } })).toEqual([]);
  });
});
