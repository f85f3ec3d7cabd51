/**
 * Helpers several analyzers share (pkg/config/analysis/analyzers/util/).
 */
import { podInAmbient as sharedPodInAmbient, podInSidecarMesh, strings } from '../../manifests';
import type { IndexedObject, Workload } from '../../manifests';
import type { AnalyzerContext } from './context';

/** JSON-quotes a value for a message. */
export const q = (v: unknown): string => JSON.stringify(v);

/** `namespace/name` of an indexed object, `name` alone without namespace (Istio's `FullName.String()`). */
export function fullName(o: { readonly namespace: string; readonly name: string }): string {
  return o.namespace ? `${o.namespace}/${o.name}` : o.name;
}

/** The sidecar container name; containers of a pod; in-mesh judgements: stated once in src/manifests/data-plane.ts. */
export { ISTIO_PROXY, allContainers, namespaceInAmbient } from '../../manifests';

/** Control-plane objects (`util.IsIstioControlPlane`): label `istio` (any value) or `release=istio`. */
export function isIstioControlPlane(o: IndexedObject): boolean {
  const labels = strings(o.metadata.labels);
  return Object.prototype.hasOwnProperty.call(labels, 'istio') || labels.release === 'istio';
}

/** Whether a pod is in the sidecar mesh (`util.PodInMesh`): {@link podInSidecarMesh} over the context's index. */
export function podInMesh(ctx: AnalyzerContext, w: Workload): boolean {
  return podInSidecarMesh(ctx.index, w);
}

/** Whether a pod is captured by ambient (`util.PodInAmbientMode`): {@link sharedPodInAmbient} over the context's index. */
export function podInAmbient(ctx: AnalyzerContext, w: Workload): boolean {
  return sharedPodInAmbient(ctx.index, w);
}

/** Labels as a Kubernetes selector string (`k=v,...` sorted by key): `selectorString` of rules/labels. */
export { selectorString as selectorText } from '../../rules/labels';

/** Sorted names, for messages. */
export function names(objs: readonly { readonly name: string }[]): string[] {
  return objs.map((o) => o.name).sort();
}
