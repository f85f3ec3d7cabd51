import { sourceOwner, WorkloadEgressIntent } from '../model';
import { RenderedObject } from './types';

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

/** The Sidecar of one scoped workload, owned by its scope (child id `Sidecar-<namespace>-<service>`). */
export function renderSidecar(scope: string, intent: WorkloadEgressIntent): RenderedObject {
  return {
    owner: sourceOwner(scope),
    id: `Sidecar-${intent.namespace}-${intent.serviceName}`,
    manifest: {
      apiVersion: 'networking.istio.io/v1',
      kind: 'Sidecar',
      metadata: { name: intent.serviceName, namespace: intent.namespace },
      spec: renderSidecarSpec(intent),
    },
  };
}
