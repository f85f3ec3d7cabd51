import { NamespaceIntent, namespaceOwner, PodSecurityIntent, primaryPort, RESTRICTED_POD_SECURITY, ServiceIntent, serviceOwner, VersionIntent } from '../model';
import { lazyManifest, Manifest, RenderedObject } from './types';

/**
 * Renders the Kubernetes side of the model: Namespaces, and for every service the library deploys
 * its ServiceAccount, Service and one Deployment per version. What the data plane adds (namespace
 * membership labels, sidecar annotations, the ambient waypoint label on Services) is passed in by
 * the renderer the mesh settings select. Pure functions of the model.
 */

/** The Namespace object (child id `Resource` of the MeshNamespace). */
export function renderNamespace(ns: NamespaceIntent, meshLabels: { readonly [key: string]: string }): RenderedObject {
  return {
    owner: namespaceOwner(ns.name),
    id: 'Resource',
    manifest: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns.name, labels: { ...ns.labels, ...meshLabels } } },
  };
}

/** The ServiceAccount of a service the library deploys. */
export function renderServiceAccount(svc: ServiceIntent): RenderedObject {
  return {
    owner: serviceOwner(svc),
    id: 'ServiceAccount',
    manifest: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: svc.serviceAccount, namespace: svc.namespace, labels: { ...svc.selector } } },
  };
}

/** The Service of a service the library deploys: its ports, selecting every version (`app` only). */
export function renderService(svc: ServiceIntent, extraLabels: { readonly [key: string]: string } = {}): RenderedObject {
  return {
    owner: serviceOwner(svc),
    id: 'Service',
    manifest: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: svc.name, namespace: svc.namespace, labels: { ...svc.selector, ...extraLabels } },
      spec: {
        selector: { ...svc.selector },
        ports: svc.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.targetPort, protocol: p.protocol, ...(p.appProtocol !== undefined ? { appProtocol: p.appProtocol } : {}) })),
      },
    },
  };
}

/** One version's Deployment (child id `Deployment-<version>`). */
export function renderDeployment(svc: ServiceIntent, version: VersionIntent, podAnnotations: { readonly [key: string]: string }): RenderedObject {
  const metadata = { name: `${svc.name}-${version.name}`, namespace: svc.namespace, labels: { ...version.podLabels } };
  return { owner: serviceOwner(svc), id: `Deployment-${version.name}`, manifest: lazyManifest('apps/v1', 'Deployment', metadata, () => renderDeploymentManifest(svc, version, podAnnotations).spec) };
}

/** The manifest of one version's Deployment, named `<service>-<version>`, labelled `app` and `version`. */
export function renderDeploymentManifest(svc: ServiceIntent, version: VersionIntent, podAnnotations: { readonly [key: string]: string }): Manifest & { spec: Record<string, unknown> } {
  const w = svc.workload!;
  const port = primaryPort(svc);
  const sec = w.podSecurity ?? RESTRICTED_POD_SECURITY;
  const labels = { ...version.podLabels };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `${svc.name}-${version.name}`, namespace: svc.namespace, labels },
    spec: {
      replicas: version.replicas,
      selector: { matchLabels: { ...labels } },
      template: {
        metadata: { labels: { ...labels }, ...(Object.keys(podAnnotations).length ? { annotations: { ...podAnnotations } } : {}) },
        spec: {
          serviceAccountName: svc.serviceAccount,
          automountServiceAccountToken: sec.automountServiceAccountToken,
          securityContext: podSecurityContext(sec),
          containers: [
            {
              name: w.containerName,
              image: version.image,
              ports: svc.ports.map((p) => ({ name: p.name, containerPort: p.targetPort, protocol: p.protocol })),
              env: (version.env ?? []).map((e) => ({ name: e.name, value: e.value })),
              resources: {
                requests: { ...w.resources.requests },
                limits: { ...w.resources.limits },
              },
              readinessProbe: {
                httpGet: { path: w.readinessProbe.path, port: port.targetPort },
                initialDelaySeconds: w.readinessProbe.initialDelaySeconds,
                periodSeconds: w.readinessProbe.periodSeconds,
              },
              securityContext: containerSecurityContext(sec),
            },
          ],
        },
      },
    },
  };
}

/** The pod-level security context: non-root and the seccomp profile. */
function podSecurityContext(sec: PodSecurityIntent): Record<string, unknown> {
  const seccomp: Record<string, unknown> = { type: sec.seccompProfile };
  if (sec.seccompLocalhostProfile !== undefined) seccomp.localhostProfile = sec.seccompLocalhostProfile;
  return { runAsNonRoot: sec.runAsNonRoot, seccompProfile: seccomp };
}

/** The container security context (its own `runAsNonRoot` too, so it holds if the pod's is changed by a patch). */
function containerSecurityContext(sec: PodSecurityIntent): Record<string, unknown> {
  return {
    allowPrivilegeEscalation: sec.allowPrivilegeEscalation,
    runAsNonRoot: sec.runAsNonRoot,
    ...(sec.runAsUser !== undefined ? { runAsUser: sec.runAsUser } : {}),
    ...(sec.readOnlyRootFilesystem ? { readOnlyRootFilesystem: true } : {}),
    ...(sec.dropAllCapabilities ? { capabilities: { drop: ['ALL'] } } : {}),
  };
}

/** The sidecar resource annotations of a service's pods (sidecar data plane). */
export function sidecarAnnotations(svc: ServiceIntent): { [key: string]: string } {
  const r = svc.workload?.proxyResources ?? {};
  const out: { [key: string]: string } = {};
  if (r.cpuRequest !== undefined) out['sidecar.istio.io/proxyCPU'] = r.cpuRequest;
  if (r.memoryRequest !== undefined) out['sidecar.istio.io/proxyMemory'] = r.memoryRequest;
  if (r.cpuLimit !== undefined) out['sidecar.istio.io/proxyCPULimit'] = r.cpuLimit;
  if (r.memoryLimit !== undefined) out['sidecar.istio.io/proxyMemoryLimit'] = r.memoryLimit;
  return out;
}
