/** Intent cases for per-version DestinationRules: test/gateway-api-version-policy.test.ts and its conformance twin. */
import { Duration } from 'cdk8s';
import {
  CanaryRoute, CircuitBreaker, ConnectionPool, Destination, LoadBalancer, OutlierDetection, RetryBudget, RoutingApi, UpstreamTls,
} from '../src';
import { meshChart, service, synth } from './helpers';

/** GIVEN order-service (v1, v2, port 8080) split 50/50, with `breakers` applied, under `routingApi`. */
export function build(routingApi: RoutingApi, breakers: (order: any, chart: any) => void) {
  const { chart, ns } = meshChart({ routingApi });
  const order = service(chart, ns, 'order-service', { versions: [{ name: 'v1' }, { name: 'v2' }] });
  new CanaryRoute(chart, 'Route', { service: order, defaultDestination: Destination.split([{ version: 'v1', percent: 50 }, { version: 'v2', percent: 50 }]) });
  breakers(order, chart);
  return synth(chart);
}

/** A host-wide CircuitBreaker setting every part (the retry budget only without port-level policies: refused there). */
const HOST_WIDE = (order: any, chart: any, retryBudget = true) => new CircuitBreaker(chart, 'Host', {
  service: order,
  connectionPool: ConnectionPool.of({ tcp: { maxConnections: 100 }, http: { http1MaxPendingRequests: 1000 } }),
  outlierDetection: OutlierDetection.of({ consecutive5xxErrors: 5, interval: Duration.seconds(10), baseEjectionTime: Duration.seconds(30) }),
  loadBalancer: LoadBalancer.roundRobin(),
  tls: UpstreamTls.istioMutual(),
  ...(retryBudget ? { retryBudget: RetryBudget.of({ percent: 20 }) } : {}),
});

export const CASES: Array<[string, (order: any, chart: any) => void]> = [
  ['v2 sets a smaller TCP pool', (order, chart) => {
    HOST_WIDE(order, chart);
    new CircuitBreaker(chart, 'V2', { service: order, version: 'v2', connectionPool: ConnectionPool.of({ tcp: { maxConnections: 50 } }) });
  }],
  ['v2 sets its own outlier detection', (order, chart) => {
    HOST_WIDE(order, chart);
    new CircuitBreaker(chart, 'V2', { service: order, version: 'v2', outlierDetection: OutlierDetection.of({ consecutive5xxErrors: 2 }) });
  }],
  ['v2 sets its load balancer and TLS', (order, chart) => {
    HOST_WIDE(order, chart);
    new CircuitBreaker(chart, 'V2', { service: order, version: 'v2', loadBalancer: LoadBalancer.random(), tls: UpstreamTls.istioMutual({ sni: 'order-service.production.svc.cluster.local' }) });
  }],
  ['the port has its own outlier detection (a version policy is refused beside port-level ones)', (order, chart) => {
    HOST_WIDE(order, chart, false);
    new CircuitBreaker(chart, 'Port', { service: order, port: 8080, outlierDetection: OutlierDetection.of({ consecutive5xxErrors: 9 }) });
  }],
  ['only v2 has a policy', (order, chart) => {
    new CircuitBreaker(chart, 'V2', { service: order, version: 'v2', outlierDetection: OutlierDetection.of({ consecutive5xxErrors: 2 }) });
  }],
];

