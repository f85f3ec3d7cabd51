import { WorkloadEgressIntent } from '../intent/egress';

/**
 * The spec of a `networking.istio.io/v1` Sidecar limiting one workload's egress: a workload selector
 * and one egress listener (no port, so it applies to every port) with the given hosts.
 */
export function renderSidecarSpec(intent: WorkloadEgressIntent): Record<string, unknown> {
  const labels = Object.fromEntries(Object.keys(intent.selector).sort().map((k) => [k, intent.selector[k]]));
  return {
    workloadSelector: { labels },
    egress: [{ hosts: [...intent.hosts] }],
  };
}
