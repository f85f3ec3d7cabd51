import { localityFailoverNeedsOutlierDetection } from '../rules/traffic-policy';
import { effectiveSubsetPolicy, HostTrafficIntent, TrafficPolicyIntent } from './traffic';

/**
 * Whether the merged traffic policy one writer contributes to (the whole host, one version's subset, or
 * one port) fails over between localities without outlier detection: the rule of
 * `localityFailoverNeedsOutlierDetection` (the one lint's CI2215 applies to the rendered policy) judged
 * on what the DestinationRule finally carries, whichever CircuitBreakers wrote its parts.
 *
 * How Istio 1.30.3 combines the parts (pilot/pkg/networking/util/util.go `MergeSubsetTrafficPolicy`):
 * a subset inherits each top-level field it does not set from the host (so a host's outlier detection
 * serves a subset's failover; the renderer writes it into the subset, see `effectiveSubsetPolicy`), while
 * port-level settings replace the host's as a whole (a port's failover needs the port's own outlier
 * detection). Returns the rule text, or undefined when the policy is fine.
 */
export function localityFailoverProblem(host: HostTrafficIntent, where: { readonly version?: string; readonly port?: number }): string | undefined {
  let policy: TrafficPolicyIntent | undefined;
  if (where.port !== undefined) policy = host.portPolicies?.find((p) => p.port === where.port)?.policy;
  else if (where.version !== undefined) policy = effectiveSubsetPolicy(host, where.version);
  else policy = host.hostPolicy;
  const failsOver = (policy?.loadBalancer?.localityLbSetting?.failover?.length ?? 0) > 0;
  return localityFailoverNeedsOutlierDetection(failsOver, policy?.outlierDetection !== undefined);
}
