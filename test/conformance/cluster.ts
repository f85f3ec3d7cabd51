/**
 * The cluster a deployable set is applied to, as extra objects for Istio's analyzers.
 *
 * Istio's analyzers read a file set as a snapshot of a cluster: they select workloads by their Pods
 * (destinationrule.PodNotSelectedAnalyzer, sidecar/authz selector analyzers...) and expect the
 * namespaces policies name to exist. A set of manifests has Deployments, not Pods, and does not
 * carry Istio's own namespace. After `kubectl apply` on a cluster with Istio installed there would
 * be:
 * - the namespace `istio-system`, where Istio runs;
 * - one Pod per workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job), with the pod
 *   template's labels, annotations and spec, as the workload controllers create them; in a namespace
 *   labelled for sidecar injection (and unless the pod opts out or uses the host network), the
 *   sidecar injector adds the `istio-proxy` container (the only part of an injected Pod an analyzer
 *   reads is that container's name and image: injection.Analyzer, injection.ImageAnalyzer); in a
 *   namespace labelled `istio.io/dataplane-mode: ambient`, the istio-cni node agent annotates the Pod
 *   `ambient.istio.io/redirection: enabled` (what util.PodInAmbientMode reads).
 *
 * Our lint is never given these objects: it reads Deployments as workloads itself.
 */

/** The proxy image Istio 1.30.3's default injection template uses (hub docker.io/istio, tag 1.30.3). */
export const PROXY_IMAGE = 'docker.io/istio/proxyv2:1.30.3';

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

function injected(nsObject: any | undefined, pod: any): boolean {
  const labels = nsObject?.metadata?.labels ?? {};
  const nsInjected = labels['istio-injection'] === 'enabled' || (labels['istio.io/rev'] !== undefined && labels['istio-injection'] === undefined);
  if (!nsInjected || labels['istio.io/dataplane-mode'] === 'ambient') return false;
  const optOut = pod.metadata?.labels?.['sidecar.istio.io/inject'] ?? pod.metadata?.annotations?.['sidecar.istio.io/inject'];
  if (String(optOut).toLowerCase() === 'false') return false;
  return pod.spec?.hostNetwork !== true;
}

/** The objects the cluster adds to `objects` once they are applied (see the file comment). */
export function clusterContext(objects: readonly any[]): any[] {
  const namespaces = new Map<string, any>();
  for (const o of objects) if (o?.kind === 'Namespace' && o.metadata?.name) namespaces.set(o.metadata.name, o);
  const out: any[] = [];
  if (!namespaces.has('istio-system')) out.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system' } });
  for (const o of objects) {
    if (!WORKLOAD_KINDS.has(o?.kind) || !o.spec?.template) continue;
    const namespace = o.metadata?.namespace ?? 'default';
    const template = o.spec.template;
    const pod: any = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `${o.metadata.name}-0`,
        namespace,
        ...(template.metadata?.labels ? { labels: { ...template.metadata.labels } } : {}),
        ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      },
      spec: JSON.parse(JSON.stringify(template.spec ?? {})),
    };
    const nsLabels = namespaces.get(namespace)?.metadata?.labels ?? {};
    const podMode = pod.metadata.labels?.['istio.io/dataplane-mode'];
    if ((nsLabels['istio.io/dataplane-mode'] === 'ambient' && podMode !== 'none') || podMode === 'ambient') {
      pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), 'ambient.istio.io/redirection': 'enabled' };
    } else if (injected(namespaces.get(namespace), pod)) {
      pod.spec.containers = [...(pod.spec.containers ?? []), { name: 'istio-proxy', image: PROXY_IMAGE }];
      pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), 'sidecar.istio.io/status': '{"containers":["istio-proxy"]}' };
    }
    out.push(pod);
  }
  return out;
}
