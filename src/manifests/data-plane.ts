/**
 * Which data plane captures a workload, stated once for the analyzers (src/validation/analyzers) and the
 * simulator (src/simulator): Istio's `util.PodInMesh`, `util.NamespaceInAmbientMode` and
 * `util.PodInAmbientMode` (pkg/config/analysis/analyzers/util/in_mesh.go, Istio 1.30.3).
 */
import type { IndexedObject, ManifestIndex, Workload } from './manifest-index';
import type { Container } from './types';
import { list, str, strings } from './read';

/** The sidecar container name. */
export const ISTIO_PROXY = 'istio-proxy';

/** Containers and init containers of a pod. */
export function allContainers(w: Workload): readonly Container[] {
  return [...list<Container>(w.podSpec.containers), ...list<Container>(w.podSpec.initContainers)];
}

/**
 * Whether a pod is in the sidecar mesh (`util.PodInMesh` / `DeploymentInMesh`): it has an `istio-proxy`
 * container, else its `sidecar.istio.io/inject` label, else that annotation, decides; else its namespace's
 * `istio-injection: enabled` label.
 */
export function podInSidecarMesh(index: ManifestIndex, w: Workload): boolean {
  const containers = w.fromTemplate ? list<Container>(w.podSpec.containers) : allContainers(w);
  if (containers.some((c) => c?.name === ISTIO_PROXY && typeof c.image === 'string' && c.image !== '')) return true;
  if (Object.prototype.hasOwnProperty.call(w.labels, 'sidecar.istio.io/inject')) return w.labels['sidecar.istio.io/inject'] === 'true';
  if (Object.prototype.hasOwnProperty.call(w.podAnnotations, 'sidecar.istio.io/inject')) return w.podAnnotations['sidecar.istio.io/inject'] === 'true';
  const ns = index.namespaceObject(w.namespace);
  return ns !== undefined && strings(ns.metadata.labels)['istio-injection'] === 'enabled';
}

/** Whether a Namespace is in ambient mode (`util.NamespaceInAmbientMode`). */
export function namespaceInAmbient(ns: IndexedObject | undefined): boolean {
  if (!ns) return false;
  const l = strings(ns.metadata.labels);
  if (l['istio-injection'] === 'enabled') return false;
  if (str(l['istio.io/rev'])) return false;
  return l['istio.io/dataplane-mode'] === 'ambient';
}

/**
 * Whether istio-cni would capture the workload's pods for ambient when they are created: in an ambient
 * namespace or labelled `istio.io/dataplane-mode: ambient`, not opted out (`istio.io/dataplane-mode: none`)
 * and not sidecar-injected. This is what the cni annotates `ambient.istio.io/redirection: enabled`.
 */
export function capturedByAmbient(index: ManifestIndex, w: Workload): boolean {
  if (w.labels['istio.io/dataplane-mode'] === 'none') return false;
  const nsAmbient = namespaceInAmbient(index.namespaceObject(w.namespace)) || w.labels['istio.io/dataplane-mode'] === 'ambient';
  return nsAmbient && !podInSidecarMesh(index, w);
}

/**
 * Whether a pod is captured by ambient as Istio's analyzers judge it (`util.PodInAmbientMode`): a `Pod`
 * object by the `ambient.istio.io/redirection: enabled` annotation alone (a live pod carries it); a pod
 * template by {@link capturedByAmbient}, the annotation the cni would give its pods.
 */
export function podInAmbient(index: ManifestIndex, w: Workload): boolean {
  if (w.podAnnotations['ambient.istio.io/redirection'] === 'enabled') return true;
  return w.fromTemplate && capturedByAmbient(index, w);
}
