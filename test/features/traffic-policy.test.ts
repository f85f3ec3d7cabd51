import { Duration } from 'cdk8s';
import {
  CanaryAnalysis,
  CanaryRoute,
  CircuitBreaker,
  Destination,
  LoadBalancer,
  MeshSimulator,
  MetricCheck,
  OutlierDetection,
  PROXY_SYSTEM_CA_BUNDLE,
  RetryBudget,
  RoutingApi,
  UpstreamTls,
} from '../../src';
import { validateManifests } from '../../src/validation';
import { meshChart, one, service, synth } from '../helpers';

function given(routingApi?: RoutingApi) {
  const { chart, ns } = meshChart(routingApi ? { routingApi } : {});
  const cart = service(chart, ns, 'cart', { versions: [{ name: 'v1' }, { name: 'v2' }] });
  return { chart, cart };
}

function clean(objects: any[]) {
  return validateManifests(objects.map((manifest) => ({ manifest }))).filter((f) => f.level !== 'info').map((f) => `${f.code} ${f.kind}/${f.name} ${f.message}`);
}

describe('traffic policy: load balancer, locality, upstream TLS, retry budget', () => {
  test('GIVEN consistent hashing on a header and locality failover with outlier detection THEN the DestinationRule carries both, and validates clean', () => {
    const { chart, cart } = given();
    new CircuitBreaker(chart, 'CartPolicy', {
      service: cart,
      loadBalancer: LoadBalancer.consistentHash({ httpHeaderName: 'x-user-id' }).withLocality({ failover: [{ from: 'europe-west1', to: 'europe-west4' }] }),
      outlierDetection: OutlierDetection.of({ consecutive5xxErrors: 5 }),
      retryBudget: RetryBudget.of({ percent: 20, minRetryConcurrency: 3 }),
    });
    const objects = synth(chart);
    expect(one(objects, 'DestinationRule', 'cart').spec.trafficPolicy).toMatchObject({
      loadBalancer: { consistentHash: { httpHeaderName: 'x-user-id' }, localityLbSetting: { enabled: true, failover: [{ from: 'europe-west1', to: 'europe-west4' }] } },
      outlierDetection: { consecutive5xxErrors: 5 },
      retryBudget: { percent: 20, minRetryConcurrency: 3 },
    });
    expect(clean(objects)).toEqual([]);
  });

  test('GIVEN locality failover without outlier detection anywhere THEN synth is refused (Istio never fails over; istio/istio#48084)', () => {
    const { chart, cart } = given();
    new CircuitBreaker(chart, 'P', { service: cart, loadBalancer: LoadBalancer.leastRequest().withLocality({ failover: [{ from: 'a', to: 'b' }] }) });
    expect(() => synth(chart)).toThrow(/\[test\/P\] props\.loadBalancer: "locality failover" is invalid: .*needs outlier detection.*48084.*Hint: set outlierDetection, in this CircuitBreaker or another one of cart/);
  });

  // The merged policy is judged, whichever CircuitBreakers wrote its parts: pilot reads the one
  // DestinationRule (cluster_traffic_policy.go applyTrafficPolicy), and a subset inherits each top-level
  // field it does not set from the host (pilot/pkg/networking/util/util.go MergeSubsetTrafficPolicy /
  // mergeTrafficPolicy, Istio 1.30.3); port-level settings replace the host's as a whole.
  test.each([['outlier first', true], ['failover first', false]])('GIVEN outlier detection and failover from two CircuitBreakers (%s) THEN accepted; the one policy carries both and lint agrees', (_, outlierFirst) => {
    const { chart, cart } = given();
    const outlier = () => new CircuitBreaker(chart, 'Outlier', { service: cart, outlierDetection: OutlierDetection.of({ consecutive5xxErrors: 2 }) });
    const lb = () => new CircuitBreaker(chart, 'Lb', { service: cart, loadBalancer: LoadBalancer.roundRobin().withLocality({ failover: [{ from: 'us-east1', to: 'us-west1' }] }) });
    if (outlierFirst) { outlier(); lb(); } else { lb(); outlier(); }
    const objects = synth(chart);
    expect(one(objects, 'DestinationRule', 'cart').spec.trafficPolicy).toMatchObject({
      loadBalancer: { localityLbSetting: { failover: [{ from: 'us-east1', to: 'us-west1' }] } },
      outlierDetection: { consecutive5xxErrors: 2 },
    });
    expect(clean(objects)).toEqual([]);
  });

  test('GIVEN host-level outlier detection and a per-version failover THEN accepted; the subset policy carries the inherited outlier detection (no CI2215)', () => {
    const { chart, cart } = given();
    new CircuitBreaker(chart, 'Lb', { service: cart, version: 'v1', loadBalancer: LoadBalancer.roundRobin().withLocality({ failover: [{ from: 'us-east1', to: 'us-west1' }] }) });
    new CircuitBreaker(chart, 'Outlier', { service: cart, outlierDetection: OutlierDetection.of({ consecutive5xxErrors: 2 }) });
    const objects = synth(chart);
    const dr = one(objects, 'DestinationRule', 'cart');
    expect(dr.spec.subsets.find((s: any) => s.name === 'v1').trafficPolicy).toEqual({
      loadBalancer: { simple: 'ROUND_ROBIN', localityLbSetting: { enabled: true, failover: [{ from: 'us-east1', to: 'us-west1' }] } },
      outlierDetection: { consecutive5xxErrors: 2 },
    });
    expect(clean(objects)).toEqual([]);
  });

  test('GIVEN a per-version failover and outlier detection only for another version THEN synth is refused naming the version', () => {
    const { chart, cart } = given();
    new CircuitBreaker(chart, 'Lb', { service: cart, version: 'v1', loadBalancer: LoadBalancer.roundRobin().withLocality({ failover: [{ from: 'us-east1', to: 'us-west1' }] }) });
    new CircuitBreaker(chart, 'Outlier', { service: cart, version: 'v2', outlierDetection: OutlierDetection.of({ consecutive5xxErrors: 2 }) });
    expect(() => synth(chart)).toThrow(/\[test\/Lb\] props\.loadBalancer: "locality failover" is invalid: .*Hint: set outlierDetection for version v1 or for the whole host/);
  });

  test('GIVEN a weighted locality distribution THEN rendered; weights not totalling 100 are refused', () => {
    const { chart, cart } = given();
    new CircuitBreaker(chart, 'P', { service: cart, loadBalancer: LoadBalancer.roundRobin().withLocality({ distribute: [{ from: 'us-west/zone1/*', to: { 'us-west/zone1/*': 80, 'us-west/zone2/*': 20 } }] }) });
    expect(one(synth(chart), 'DestinationRule', 'cart').spec.trafficPolicy.loadBalancer).toEqual({
      simple: 'ROUND_ROBIN', localityLbSetting: { enabled: true, distribute: [{ from: 'us-west/zone1/*', to: { 'us-west/zone1/*': 80, 'us-west/zone2/*': 20 } }] },
    });
    expect(() => LoadBalancer.random().withLocality({ distribute: [{ from: 'a', to: { b: 80, c: 19 } }] })).toThrow(/total 99, not 100/);
    expect(() => LoadBalancer.random().withLocality({ distribute: [{ from: 'a', to: { b: 80 } }], failover: [{ from: 'a', to: 'b' }] })).toThrow(/distribute and failover together/);
    expect(() => LoadBalancer.random().withLocality({ failover: [{ from: 'a', to: 'a' }] })).toThrow(/different regions/);
  });

  test('GIVEN consistent hashing on zero or two keys THEN refused', () => {
    expect(() => LoadBalancer.consistentHash({})).toThrow(/exactly one hash key/);
    expect(() => LoadBalancer.consistentHash({ httpHeaderName: 'x-user-id', useSourceIp: true })).toThrow(/exactly one hash key/);
    expect(LoadBalancer.consistentHash({ httpCookie: { name: 'session', ttl: Duration.hours(1) } }).toIntent()).toEqual({ consistentHash: { httpCookie: { name: 'session', ttl: 3600000 } } });
  });

  test('GIVEN two writers of the load balancer choice THEN the second is refused naming the first', () => {
    const { chart, cart } = given();
    new CircuitBreaker(chart, 'A', { service: cart, loadBalancer: LoadBalancer.roundRobin() });
    expect(() => new CircuitBreaker(chart, 'B', { service: cart, loadBalancer: LoadBalancer.consistentHash({ useSourceIp: true }) })).toThrow(/loadBalancer\.consistentHash.*already set by test\/A/);
  });

  test.each([[-0.1], [100.1]])('GIVEN a retry budget percent %p THEN refused', (percent) => {
    expect(() => RetryBudget.of({ percent })).toThrow(/percent/);
  });

  test.each([[0], [100]])('GIVEN a retry budget percent %p (bound) THEN accepted', (percent) => {
    expect(RetryBudget.of({ percent }).toIntent()).toEqual({ percent });
  });

  test('GIVEN upstream TLS THEN rendered; MUTUAL needs a credential, ISTIO_MUTUAL refuses one', () => {
    const { chart, cart } = given();
    new CircuitBreaker(chart, 'P', { service: cart, tls: UpstreamTls.simple({ sni: 'cart.example.com' }) });
    expect(one(synth(chart), 'DestinationRule', 'cart').spec.trafficPolicy.tls).toEqual({ mode: 'SIMPLE', caCertificates: PROXY_SYSTEM_CA_BUNDLE, sni: 'cart.example.com' });
    expect(() => UpstreamTls.mutual({ credentialName: '' })).toThrow(/client key and certificate/);
    expect(UpstreamTls.mutual({ credentialName: 'cart-client' }).toIntent()).toEqual({ mode: 'MUTUAL', credentialName: 'cart-client' });
  });

  // Istio 1.30.3 pilot/pkg/networking/core/cluster_tls.go: SIMPLE without caCertificates verifies against
  // CaCertificatePath "system"; the analyzer (destinationrule/ca-certificates.go, IST0128) still warns unless
  // caCertificates is set, so the library states the system bundle (found by a consumer trial: no way to fix IST0128).
  test('GIVEN UpstreamTls.simple() without a CA THEN the proxy system bundle is stated AND Istio\'s IST0128 has nothing to warn about', () => {
    const { chart, cart } = given();
    new CircuitBreaker(chart, 'P', { service: cart, tls: UpstreamTls.simple() });
    const objects = synth(chart);
    expect(one(objects, 'DestinationRule', 'cart').spec.trafficPolicy.tls).toEqual({ mode: 'SIMPLE', caCertificates: '/etc/ssl/certs/ca-certificates.crt' });
    expect(clean(objects).filter((f) => f.startsWith('IST0128'))).toEqual([]);
  });

  test('GIVEN UpstreamTls.simple() with a CA bundle of the user THEN it is rendered', () => {
    expect(UpstreamTls.simple({ caCertificates: '/etc/certs/partner-ca.pem' }).toIntent()).toEqual({ mode: 'SIMPLE', caCertificates: '/etc/certs/partner-ca.pem' });
  });

  // Istio 1.30.3 pkg/config/validation/agent/validation.go ValidateTLS: "cannot specify client certificates or CA
  // certificate or CA CRL If credentialName is set" — the same rule (src/rules/tls.ts) refuses it in lint (CI2214).
  test('GIVEN a CA bundle with a credential THEN refused at the factory AND lint refuses the same YAML', () => {
    expect(() => UpstreamTls.simple({ credentialName: 'cart-ca', caCertificates: '/etc/ca.pem' })).toThrow(/caCertificates: "\/etc\/ca.pem" is invalid: .*cannot be set together with credentialName.*Hint: put the CA certificate into the Secret/);
    const dr = { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'cart', namespace: 'shop' }, spec: { host: 'cart', trafficPolicy: { tls: { mode: 'SIMPLE', credentialName: 'cart-ca', caCertificates: '/etc/ca.pem' } } } };
    expect(clean([dr])).toEqual(expect.arrayContaining([expect.stringMatching(/^CI2214 .*cannot be set together with credentialName/)]));
    // a credential alone states no bundle: the Secret carries the CA
    expect(UpstreamTls.simple({ credentialName: 'cart-ca' }).toIntent()).toEqual({ mode: 'SIMPLE', credentialName: 'cart-ca' });
  });

  test.each([
    ['a relative path', () => UpstreamTls.simple({ caCertificates: 'ca.pem' }), /absolute file path inside the proxy/],
    ['MUTUAL', () => UpstreamTls.mutual({ credentialName: 'c', caCertificates: '/etc/ca.pem' }), /MUTUAL TLS takes no CA bundle here.*Hint: the Secret named by credentialName carries/],
    ['ISTIO_MUTUAL', () => UpstreamTls.istioMutual({ caCertificates: '/etc/ca.pem' } as any), /ISTIO_MUTUAL TLS takes no CA bundle here/],
  ])('GIVEN a CA bundle %s THEN refused with a hint', (_name, make, error) => {
    expect(make).toThrow(error);
  });

  test('GIVEN a load balancer with the Gateway API THEN the per-host DestinationRule still carries it', () => {
    const { chart, cart } = given(RoutingApi.GATEWAY_API);
    new CircuitBreaker(chart, 'P', { service: cart, loadBalancer: LoadBalancer.consistentHash({ httpHeaderName: 'x-user-id' }) });
    const objects = synth(chart);
    expect(one(objects, 'DestinationRule', 'cart').spec.trafficPolicy.loadBalancer).toEqual({ consistentHash: { httpHeaderName: 'x-user-id' } });
    expect(clean(objects)).toEqual([]);
  });

  test('GIVEN a progressive host with consistent hashing THEN the Flagger Canary carries the load balancer', () => {
    const { chart, cart } = given();
    new CanaryRoute(chart, 'R', {
      service: cart,
      defaultDestination: Destination.version('v1'),
      progressive: CanaryAnalysis.weighted({ stepWeight: 10, maxWeight: 50, metrics: [MetricCheck.requestSuccessRate({ minPercent: 99 })] }),
    });
    new CircuitBreaker(chart, 'P', { service: cart, loadBalancer: LoadBalancer.consistentHash({ httpHeaderName: 'x-user-id' }) });
    const objects = synth(chart);
    expect(one(objects, 'Canary', 'cart').spec.service.trafficPolicy).toMatchObject({ loadBalancer: { consistentHash: { httpHeaderName: 'x-user-id' } } });
    expect(clean(objects).filter((m) => !m.startsWith('CI2002'))).toEqual([]);
  });

  test('GIVEN a retry budget on a progressive host THEN refused at synth naming the alternative (Flagger cannot carry it)', () => {
    const { chart, cart } = given();
    new CanaryRoute(chart, 'R', {
      service: cart,
      defaultDestination: Destination.version('v1'),
      progressive: CanaryAnalysis.weighted({ stepWeight: 10, maxWeight: 50, metrics: [MetricCheck.requestSuccessRate({ minPercent: 99 })] }),
    });
    expect(() => new CircuitBreaker(chart, 'P', { service: cart, retryBudget: RetryBudget.of({ percent: 20 }) })).toThrow(/retryBudget.*Flagger.*maxRetries/);
  });

  test('GIVEN consistent hashing THEN the simulator still routes the host (the load balancer does not change the route)', () => {
    const { chart, cart } = given();
    new CanaryRoute(chart, 'R', { service: cart, defaultDestination: Destination.version('v1') });
    new CircuitBreaker(chart, 'P', { service: cart, loadBalancer: LoadBalancer.consistentHash({ httpHeaderName: 'x-user-id' }) });
    expect(MeshSimulator.fromManifests(synth(chart)).route({ host: 'cart.production' })).toMatchObject({ destinations: [{ subset: 'v1', weight: 100 }] });
  });
});
