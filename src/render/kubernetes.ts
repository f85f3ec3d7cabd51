import { DisruptionBudgetIntent, IntentProblem, NamespaceIntent, namespaceOwner, PodSecurityIntent, primaryPort, ProbeIntent, RESTRICTED_POD_SECURITY, ServiceIntent, ServicePortIntent, serviceOwner, VersionIntent } from '../model';
import { flaggerPrimaryName } from '../manifests/flagger-objects';
import { isHttpProtocol, portProtocol } from '../rules/protocol';
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
  return withWorkloadFeatures(svc, version, {
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
                ...readinessCheck(port, w.readinessProbe.path),
                initialDelaySeconds: w.readinessProbe.initialDelaySeconds,
                periodSeconds: w.readinessProbe.periodSeconds,
              },
              securityContext: containerSecurityContext(sec),
            },
          ],
        },
      },
    },
  });
}

/**
 * How the readiness probe checks the primary port, by the protocol Istio reads from it: an HTTP GET on
 * an HTTP port, the gRPC health protocol on a gRPC port (kubelet gRPC probes, Kubernetes >= 1.27), a TCP
 * connect on any other port (an HTTP GET on a gRPC or TCP port never succeeds, so no pod would be ready).
 */
export function readinessCheck(port: ServicePortIntent, path: string): Record<string, unknown> {
  const protocol = portProtocol(port.port, port.name, port.protocol, port.appProtocol);
  if (protocol === 'GRPC') return { grpc: { port: port.targetPort } };
  if (isHttpProtocol(protocol) && protocol !== 'GRPC-Web') return { httpGet: { path, port: port.targetPort } };
  return { tcpSocket: { port: port.targetPort } };
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

// ---- Workload features (issue 18 item 3): probes, volumes, key-sourced env, command/args,
// autoscaling, disruption budgets, zone spread. Applied over the Deployment the lines above write,
// so a service without them renders exactly as before.

/** The zone label topology spread uses. */
export const ZONE_TOPOLOGY_KEY = 'topology.kubernetes.io/zone';

/** The Deployment with the workload features of the service and version applied. */
function withWorkloadFeatures<T extends Manifest & { spec: Record<string, unknown> }>(svc: ServiceIntent, version: VersionIntent, d: T): T {
  const w = svc.workload!;
  const spec: Record<string, any> = { ...d.spec };
  // The autoscaler owns the replica count: a count here would reset it on every apply.
  if (version.autoscaling) delete spec.replicas;
  const template = spec.template as { metadata: unknown; spec: Record<string, any> };
  const pod: Record<string, any> = { ...template.spec };
  const [main, ...others] = pod.containers as Record<string, any>[];
  const { name, image, ...rest } = main;
  const port = primaryPort(svc).targetPort;
  const container: Record<string, any> = {
    name,
    image,
    ...(version.command ? { command: [...version.command] } : {}),
    ...(version.args ? { args: [...version.args] } : {}),
    ...rest,
  };
  if (w.envKeyRefs?.length) container.env = [...(container.env ?? []), ...w.envKeyRefs.map(renderEnvKeyRef)];
  const security = container.securityContext;
  delete container.securityContext;
  const liveness = version.livenessProbe ?? w.livenessProbe;
  const startup = version.startupProbe ?? w.startupProbe;
  if (liveness) container.livenessProbe = renderProbe(liveness, port);
  if (startup) container.startupProbe = renderProbe(startup, port);
  if (w.volumes?.length) container.volumeMounts = w.volumes.map((v) => ({ name: v.name, mountPath: v.mountPath, ...(v.readOnly ? { readOnly: true } : {}) }));
  container.securityContext = security;
  pod.containers = [container, ...others];
  if (w.volumes?.length) pod.volumes = w.volumes.map(renderVolume);
  if (w.topologySpread) {
    pod.topologySpreadConstraints = [{
      maxSkew: w.topologySpread.maxSkew,
      topologyKey: ZONE_TOPOLOGY_KEY,
      whenUnsatisfiable: w.topologySpread.whenUnsatisfiable,
      labelSelector: { matchLabels: { ...version.podLabels } },
    }];
  }
  spec.template = { ...template, spec: pod };
  return { ...d, spec };
}

function renderEnvKeyRef(e: NonNullable<NonNullable<ServiceIntent['workload']>['envKeyRefs']>[number]): Record<string, unknown> {
  const ref = e.secretKeyRef ? { secretKeyRef: { ...e.secretKeyRef } } : { configMapKeyRef: { ...e.configMapKeyRef! } };
  return { name: e.name, valueFrom: ref };
}

/** A Kubernetes probe; a handler without a port probes the primary port. */
export function renderProbe(p: ProbeIntent, primary: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (p.httpGet) out.httpGet = { path: p.httpGet.path, port: p.httpGet.port ?? primary, ...(p.httpGet.scheme ? { scheme: p.httpGet.scheme } : {}) };
  if (p.grpc) out.grpc = { port: p.grpc.port ?? primary, ...(p.grpc.service !== undefined ? { service: p.grpc.service } : {}) };
  if (p.tcpSocket) out.tcpSocket = { port: p.tcpSocket.port ?? primary };
  if (p.exec) out.exec = { command: [...p.exec.command] };
  for (const k of ['initialDelaySeconds', 'periodSeconds', 'timeoutSeconds', 'failureThreshold', 'successThreshold'] as const) {
    if (p[k] !== undefined) out[k] = p[k];
  }
  return out;
}

function renderVolume(v: NonNullable<NonNullable<ServiceIntent['workload']>['volumes']>[number]): Record<string, unknown> {
  if (v.configMap) return { name: v.name, configMap: { name: v.configMap.name, ...(v.configMap.items ? { items: v.configMap.items.map((i) => ({ ...i })) } : {}), ...(v.configMap.optional !== undefined ? { optional: v.configMap.optional } : {}) } };
  if (v.secret) return { name: v.name, secret: { secretName: v.secret.secretName, ...(v.secret.items ? { items: v.secret.items.map((i) => ({ ...i })) } : {}), ...(v.secret.optional !== undefined ? { optional: v.secret.optional } : {}) } };
  return { name: v.name, emptyDir: { ...v.emptyDir } };
}

/** The HorizontalPodAutoscaler and PodDisruptionBudget of one version (child ids `HorizontalPodAutoscaler-<v>`, `PodDisruptionBudget-<v>`). */
export function renderVersionScaling(svc: ServiceIntent, version: VersionIntent, deploymentName = `${svc.name}-${version.name}`): RenderedObject[] {
  const out: RenderedObject[] = [];
  const metadata = { name: deploymentName, namespace: svc.namespace, labels: { ...version.podLabels } };
  const a = version.autoscaling;
  if (a) {
    const metrics = ([['cpu', a.cpuUtilization], ['memory', a.memoryUtilization]] as const)
      .filter(([, v]) => v !== undefined)
      .map(([resource, v]) => ({ type: 'Resource', resource: { name: resource, target: { type: 'Utilization', averageUtilization: v } } }));
    out.push({
      owner: serviceOwner(svc),
      id: `HorizontalPodAutoscaler-${version.name}`,
      manifest: {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata,
        spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: deploymentName }, minReplicas: a.minReplicas, maxReplicas: a.maxReplicas, metrics },
      },
    });
  }
  if (version.disruptionBudget) {
    out.push(renderDisruptionBudget(serviceOwner(svc), `PodDisruptionBudget-${version.name}`, metadata, version.podLabels, version.disruptionBudget));
  }
  return out;
}

/**
 * A PodDisruptionBudget (`policy/v1`) over the pods `selector` selects: exactly one Deployment's pods
 * (its own selector, or its pod labels), so no pod is covered by two budgets (the eviction API refuses
 * to evict a pod that more than one budget covers).
 */
export function renderDisruptionBudget(owner: string, id: string, metadata: Manifest['metadata'], selector: { readonly [key: string]: string }, b: DisruptionBudgetIntent): RenderedObject {
  return {
    owner,
    id,
    manifest: {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata,
      spec: {
        ...(b.minAvailable !== undefined ? { minAvailable: b.minAvailable } : { maxUnavailable: b.maxUnavailable }),
        selector: { matchLabels: { ...selector } },
        unhealthyPodEvictionPolicy: b.unhealthyPodEvictionPolicy,
      },
    },
  };
}

/**
 * The PodDisruptionBudget of a Flagger-delivered service (child id `PodDisruptionBudget`), over the
 * pods that serve: Flagger's primary Deployment `<name>-primary`, which selects `app: <name>-primary`
 * and starts with the target's replicas (createPrimaryDeployment), while the target we write is scaled
 * to zero between analyses (ScaleToZero). Selecting exactly the primary's selector, it covers no
 * canary pod (those keep `app: <name>`). The canary version's budget decides it, as for a Deployment.
 */
export function renderPrimaryDisruptionBudget(svc: ServiceIntent, canaryVersion: string): RenderedObject[] {
  const b = svc.versions.find((v) => v.name === canaryVersion)?.disruptionBudget;
  if (!svc.workload || !b) return [];
  const primary = flaggerPrimaryName(svc.selector.app ?? svc.name);
  return [renderDisruptionBudget(serviceOwner(svc), 'PodDisruptionBudget', { name: flaggerPrimaryName(svc.name), namespace: svc.namespace, labels: { ...svc.selector } }, { app: primary }, b)];
}

/**
 * What Flagger cannot take over from a progressive host's workload: an autoscaler (Flagger needs
 * `autoscalerRef` and creates the primary's own) and a zone spread (it selects the version's pods by a
 * label Flagger changes on its primary: `app` becomes `<name>-primary`). A disruption budget is
 * rendered for the primary instead ({@link renderPrimaryDisruptionBudget}).
 */
export function progressiveWorkloadProblems(svc: ServiceIntent, canaryVersion: string, at: string | undefined): IntentProblem[] {
  const v = svc.versions.find((x) => x.name === canaryVersion);
  const out: IntentProblem[] = [];
  const hint = 'drop it for this service while Flagger delivers it, or deliver it without progressive';
  if (v?.autoscaling) out.push({ property: 'progressive', value: 'autoscaling', rule: `${svc.name} has a HorizontalPodAutoscaler, which Flagger must drive itself (Canary autoscalerRef, a primary HPA): this library does not render that yet`, hint, at });
  if (svc.workload?.topologySpread) out.push({ property: 'progressive', value: 'topologySpread', rule: `${svc.name}'s zone spread selects app: ${svc.name}, which Flagger's primary pods no longer carry`, hint, at });
  return out;
}

/**
 * An ambient namespace of a revisioned control plane (Istio 1.30.3). `istio.io/rev` on the namespace
 * tells which istiod revision deploys its waypoints (pkg/revisions/tag_watcher.go `IsMine`: the
 * Gateway's own label, else its namespace's), and the waypoint Gateway carries it too. But the
 * revision's sidecar injector also matches `istio.io/rev=<rev>` namespaces unless `istio-injection`
 * is set (mutatingwebhook.yaml, `rev.namespace.sidecar-injector`), and nothing in it skips ambient
 * namespaces: without `istio-injection: disabled` every pod would get a sidecar and leave ambient.
 * With it, Istio's injection analyzer sees one mesh label, not conflicting ones (IST0123,
 * pkg/config/analysis/analyzers/injection/injection.go), as Istio's own test framework labels them.
 */
export function renderAmbientRevision(namespace: RenderedObject, objects: readonly RenderedObject[], revision: string): RenderedObject[] {
  const m = namespace.manifest;
  const labeled = { ...namespace, manifest: { ...m, metadata: { ...m.metadata, labels: { ...m.metadata.labels, 'istio.io/rev': revision, 'istio-injection': 'disabled' } } } };
  return [labeled, ...objects.map((o) => (o.manifest.kind === 'Gateway'
    ? { ...o, manifest: { ...o.manifest, metadata: { ...o.manifest.metadata, labels: { ...o.manifest.metadata.labels, 'istio.io/rev': revision } } } }
    : o))];
}
