/**
 * Helpers several analyzers share (pkg/config/analysis/analyzers/util/).
 */
import { list, str, strings } from '../../manifests';
import type { Container, IndexedObject, Workload } from '../../manifests';
import type { AnalyzerContext } from './context';

/** JSON-quotes a value for a message. */
export const q = (v: unknown): string => JSON.stringify(v);

/** `namespace/name` of an indexed object, `name` alone without namespace (Istio's `FullName.String()`). */
export function fullName(o: { readonly namespace: string; readonly name: string }): string {
  return o.namespace ? `${o.namespace}/${o.name}` : o.name;
}

/** The sidecar container name. */
export const ISTIO_PROXY = 'istio-proxy';

/** Control-plane objects (`util.IsIstioControlPlane`): label `istio` (any value) or `release=istio`. */
export function isIstioControlPlane(o: IndexedObject): boolean {
  const labels = strings(o.metadata.labels);
  return Object.prototype.hasOwnProperty.call(labels, 'istio') || labels.release === 'istio';
}

/** Containers and init containers of a pod. */
export function allContainers(w: Workload): readonly Container[] {
  return [...list<Container>(w.podSpec.containers), ...list<Container>(w.podSpec.initContainers)];
}

/** Whether a pod is in the sidecar mesh (`util.PodInMesh` / `DeploymentInMesh`, util/in_mesh.go). */
export function podInMesh(ctx: AnalyzerContext, w: Workload): boolean {
  const containers = w.fromTemplate ? list<Container>(w.podSpec.containers) : allContainers(w);
  if (containers.some((c) => c?.name === ISTIO_PROXY && typeof c.image === 'string' && c.image !== '')) return true;
  if (Object.prototype.hasOwnProperty.call(w.labels, 'sidecar.istio.io/inject')) return w.labels['sidecar.istio.io/inject'] === 'true';
  if (Object.prototype.hasOwnProperty.call(w.podAnnotations, 'sidecar.istio.io/inject')) return w.podAnnotations['sidecar.istio.io/inject'] === 'true';
  const ns = ctx.index.namespaceObject(w.namespace);
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
 * Whether a pod is captured by ambient (`util.PodInAmbientMode`): istio-cni annotates it
 * `ambient.istio.io/redirection: enabled`. A `Pod` object is judged by that annotation alone, as Istio
 * does; a pod template gets the annotation the CNI would give its pods: in an ambient namespace, not
 * opted out (`istio.io/dataplane-mode: none`) and not sidecar-injected.
 */
export function podInAmbient(ctx: AnalyzerContext, w: Workload): boolean {
  if (w.podAnnotations['ambient.istio.io/redirection'] === 'enabled') return true;
  if (!w.fromTemplate) return false;
  if (w.labels['istio.io/dataplane-mode'] === 'none') return false;
  const ns = ctx.index.namespaceObject(w.namespace);
  const nsAmbient = namespaceInAmbient(ns) || w.labels['istio.io/dataplane-mode'] === 'ambient';
  return nsAmbient && !podInMesh(ctx, w);
}

/** Labels as a Kubernetes selector string (`k=v,...` sorted by key): `selectorString` of rules/labels. */
export { selectorString as selectorText } from '../../rules/labels';

/** Sorted names, for messages. */
export function names(objs: readonly { readonly name: string }[]): string[] {
  return objs.map((o) => o.name).sort();
}
