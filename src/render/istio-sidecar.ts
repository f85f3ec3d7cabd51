import { sourceOwner, WorkloadEgressIntent } from '../model';
import { lazyManifest, RenderedObject } from './types';

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

/**
 * The Sidecar of one scoped workload, owned by its scope (child id `Sidecar-<namespace>-<service>`).
 * `egress` is asked only when the spec is read.
 */
export function renderSidecar(scope: string, service: { readonly namespace: string; readonly name: string }, egress: () => WorkloadEgressIntent): RenderedObject {
  return {
    owner: sourceOwner(scope),
    id: `Sidecar-${service.namespace}-${service.name}`,
    manifest: lazyManifest('networking.istio.io/v1', 'Sidecar', { name: service.name, namespace: service.namespace }, () => renderSidecarSpec(egress())),
  };
}
