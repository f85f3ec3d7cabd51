/**
 * Gateway API per-version DestinationRules carry the whole CircuitBreaker intent of their version.
 *
 * With the Istio routing API a version is a subset of the Service host's DestinationRule: pilot gives
 * the subset's cluster the host policy with each top-level field the subset sets replacing the host's
 * (pilot/pkg/networking/util/util.go `MergeSubsetTrafficPolicy` → `mergeTrafficPolicy`, after
 * `GetPortLevelTrafficPolicy` picked the host's port entry; Istio 1.30.3). With the Gateway API a
 * version is a per-version Service, a host of its own: pilot looks its DestinationRule up by its own
 * hostname (pilot/pkg/model/push_context.go `destinationRule`, `MostSpecificHostMatch`), so nothing of
 * the Service host's DestinationRule reaches it. Its DestinationRule must therefore state everything the
 * subset would get, or a version is weaker (no outlier detection, another load balancer, no TLS
 * origination) than the intent both renderings come from.
 */
import { RoutingApi } from '../src';
import { build, CASES } from './gateway-api-version-cases';
import { one } from './helpers';

type Policy = Record<string, any>;
const PORT_PARTS = ['connectionPool', 'loadBalancer', 'outlierDetection', 'tls'];

/** util.go GetPortLevelTrafficPolicy: the port's entry alone (four parts), else the policy. */
function portLevel(policy: Policy | undefined, port: number): Policy | undefined {
  if (!policy) return undefined;
  const entry = (policy.portLevelSettings ?? []).find((p: any) => p.port?.number === port);
  const chosen = entry ? Object.fromEntries(PORT_PARTS.filter((k) => entry[k] !== undefined).map((k) => [k, entry[k]])) : policy;
  const { portLevelSettings: _drop, ...rest } = chosen;
  return rest;
}

/** util.go MergeSubsetTrafficPolicy (the subsets the library writes have no portLevelSettings). */
function mergeSubset(original: Policy | undefined, subset: Policy | undefined, port: number): Policy {
  const base = portLevel(original, port);
  if (!subset) return base ?? {};
  if (!base) return subset;
  const out = { ...base };
  for (const k of ['connectionPool', 'outlierDetection', 'loadBalancer', 'tls', 'retryBudget']) if (subset[k] !== undefined) out[k] = subset[k];
  return out;
}

describe('Gateway API: a per-version DestinationRule gives its version what the subset gets with the Istio routing API', () => {
  test.each(CASES)('GIVEN %s WHEN rendered with both routing APIs THEN each version\'s cluster policy on port 8080 is the same', (_, breakers) => {
    // GIVEN / WHEN
    const istio = one(build(RoutingApi.ISTIO, breakers), 'DestinationRule', 'order-service').spec;
    const gateway = build(RoutingApi.GATEWAY_API, breakers);
    // THEN
    for (const v of ['v1', 'v2']) {
      const subset = istio.subsets.find((s: any) => s.name === v);
      const subsetCluster = mergeSubset(istio.trafficPolicy, subset.trafficPolicy, 8080);
      const perVersion = gateway.find((o) => o.kind === 'DestinationRule' && o.metadata.name === `order-service-${v}`);
      expect({ v, policy: portLevel(perVersion?.spec.trafficPolicy, 8080) ?? {} }).toEqual({ v, policy: subsetCluster });
    }
  });

  test('GIVEN a host-wide CircuitBreaker and v2 with a smaller TCP pool WHEN rendered with the Gateway API THEN order-service-v2 keeps the host\'s outlier detection, load balancer, TLS and retry budget, and the host\'s HTTP pool', () => {
    const gateway = build(RoutingApi.GATEWAY_API, CASES[0][1]);
    expect(one(gateway, 'DestinationRule', 'order-service-v2').spec).toEqual({
      host: 'order-service-v2',
      trafficPolicy: {
        connectionPool: { tcp: { maxConnections: 50 }, http: { http1MaxPendingRequests: 1000 } },
        outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s' },
        loadBalancer: { simple: 'ROUND_ROBIN' },
        tls: { mode: 'ISTIO_MUTUAL' },
        retryBudget: { percent: 20 },
      },
    });
    // v1 has no policy of its own: the host's, whole
    expect(one(gateway, 'DestinationRule', 'order-service-v1').spec.trafficPolicy).toMatchObject({ connectionPool: { tcp: { maxConnections: 100 } }, tls: { mode: 'ISTIO_MUTUAL' } });
  });
});
