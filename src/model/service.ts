/**
 * Services in the mesh model: one record per Service (host), with the identity its pods run as,
 * its ports, its versions and, when the library deploys it, how each version's pods look.
 */

/** One port of a service. The first port of a service is its primary port (routes, policies, probes). */
export interface ServicePortIntent {
  /** The port name; Istio picks the protocol from its prefix (`http`, `grpc`...). */
  readonly name: string;
  /** The port the Service exposes. */
  readonly port: number;
  /** The container port traffic goes to. */
  readonly targetPort: number;
  /** `TCP` (Kubernetes' transport protocol). */
  readonly protocol: string;
  /**
   * The Service port's `appProtocol` (Istio reads the protocol from it before the name), when set.
   * @default - none: Istio reads the name's prefix
   */
  readonly appProtocol?: string;
}

/** An environment variable of a container. */
export interface EnvVarIntent {
  readonly name: string;
  readonly value: string;
}

/** One version of a service: the pods labelled `version: <name>`. */
export interface VersionIntent {
  /** The version label value, also the DestinationRule subset name. */
  readonly name: string;
  /** Replicas of this version. */
  readonly replicas: number;
  /** Labels of the version's pods (`app`, `version`). */
  readonly podLabels: { readonly [key: string]: string };
  /** The container image, when the library deploys the workload. */
  readonly image?: string;
  /** The container's environment, in order, when the library deploys the workload. */
  readonly env?: readonly EnvVarIntent[];
  /** The container's command (entrypoint), when the version sets its own or the service one. */
  readonly command?: readonly string[];
  /** The container's args, when the version sets its own or the service ones. */
  readonly args?: readonly string[];
  /**
   * The version's HorizontalPodAutoscaler. With one, `replicas` is its `minReplicas` (the pods the
   * version always has) and the Deployment leaves `replicas` to the autoscaler.
   */
  readonly autoscaling?: AutoscalingIntent;
  /** The version's PodDisruptionBudget, when it has one. */
  readonly disruptionBudget?: DisruptionBudgetIntent;
  /** The version's own liveness probe, overriding the workload's. */
  readonly livenessProbe?: ProbeIntent;
  /** The version's own startup probe, overriding the workload's. */
  readonly startupProbe?: ProbeIntent;
}

/** A HorizontalPodAutoscaler (`autoscaling/v2`) of one version's Deployment. */
export interface AutoscalingIntent {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** Target average CPU utilization, percent of the requests. */
  readonly cpuUtilization?: number;
  /** Target average memory utilization, percent of the requests. */
  readonly memoryUtilization?: number;
}

/** A PodDisruptionBudget (`policy/v1`) of one version's pods: exactly one of the bounds. */
export interface DisruptionBudgetIntent {
  readonly maxUnavailable?: number;
  readonly minAvailable?: number;
  /** `unhealthyPodEvictionPolicy`: `AlwaysAllow` lets drains evict pods that are not ready anyway. */
  readonly unhealthyPodEvictionPolicy: 'AlwaysAllow' | 'IfHealthyBudget';
}

/** A liveness or startup probe: one handler and its timings (Kubernetes' Probe). */
export interface ProbeIntent {
  /** GET on a path; `port` absent means the primary port. */
  readonly httpGet?: { readonly path: string; readonly port?: number; readonly scheme?: 'HTTP' | 'HTTPS' };
  /** gRPC health checking; `port` absent means the primary port. */
  readonly grpc?: { readonly port?: number; readonly service?: string };
  /** A TCP connect; `port` absent means the primary port. */
  readonly tcpSocket?: { readonly port?: number };
  /** A command run in the container. */
  readonly exec?: { readonly command: readonly string[] };
  readonly initialDelaySeconds?: number;
  readonly periodSeconds?: number;
  readonly timeoutSeconds?: number;
  readonly failureThreshold?: number;
  readonly successThreshold?: number;
}

/** A pod volume and where the container mounts it. */
export interface VolumeIntent {
  /** The volume name (DNS-1123 label). */
  readonly name: string;
  /** A ConfigMap's keys as files. */
  readonly configMap?: { readonly name: string; readonly optional?: boolean; readonly items?: readonly { readonly key: string; readonly path: string }[] };
  /** A Secret's keys as files. */
  readonly secret?: { readonly secretName: string; readonly optional?: boolean; readonly items?: readonly { readonly key: string; readonly path: string }[] };
  /** Scratch space that lives as long as the pod. */
  readonly emptyDir?: { readonly medium?: 'Memory'; readonly sizeLimit?: string };
  /** The absolute path the container mounts it at. */
  readonly mountPath: string;
  /** Whether the mount is read-only. */
  readonly readOnly: boolean;
}

/** An environment variable read from a key of a Secret or a ConfigMap. */
export interface EnvKeyRefIntent {
  readonly name: string;
  readonly secretKeyRef?: { readonly name: string; readonly key: string; readonly optional?: boolean };
  readonly configMapKeyRef?: { readonly name: string; readonly key: string; readonly optional?: boolean };
}

/** Opt-in spreading of a version's pods across zones (`topology.kubernetes.io/zone`). */
export interface TopologySpreadIntent {
  readonly maxSkew: number;
  readonly whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway';
}

/** Container resources as Kubernetes quantities. */
export interface ResourceRequirementsIntent {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

/** Per-pod sidecar proxy resources (`sidecar.istio.io/*` annotations, sidecar data plane only). */
export interface ProxyResourcesIntent {
  readonly cpuRequest?: string;
  readonly memoryRequest?: string;
  readonly cpuLimit?: string;
  readonly memoryLimit?: string;
}

/** How the library deploys a service's pods (one Deployment per version). */
export interface WorkloadIntent {
  /** The container name. */
  readonly containerName: string;
  /** Container resources. */
  readonly resources: ResourceRequirementsIntent;
  /** The readiness probe: an HTTP GET on the primary port. */
  readonly readinessProbe: { readonly path: string; readonly initialDelaySeconds: number; readonly periodSeconds: number };
  /** The sidecar proxy resources of each pod. */
  readonly proxyResources: ProxyResourcesIntent;
  /**
   * The pod's security settings; absent means the Pod Security Standards "restricted" defaults
   * (see {@link RESTRICTED_POD_SECURITY}).
   */
  readonly podSecurity?: PodSecurityIntent;
  /** The liveness probe, when set. */
  readonly livenessProbe?: ProbeIntent;
  /** The startup probe, when set. */
  readonly startupProbe?: ProbeIntent;
  /** Pod volumes and their mounts in the container, in order. */
  readonly volumes?: readonly VolumeIntent[];
  /** Environment variables from Secret/ConfigMap keys, after the literal ones, sorted by name. */
  readonly envKeyRefs?: readonly EnvKeyRefIntent[];
  /** Spreading of each version's pods across zones, when asked for. */
  readonly topologySpread?: TopologySpreadIntent;
}

/**
 * The security settings of a pod the library writes. The defaults ({@link RESTRICTED_POD_SECURITY})
 * meet Pod Security "restricted"; each field is a separate, typed opt-out.
 */
export interface PodSecurityIntent {
  /** `spec.automountServiceAccountToken` (the Kubernetes API token in the pod). */
  readonly automountServiceAccountToken: boolean;
  /** `runAsNonRoot` (pod and container). */
  readonly runAsNonRoot: boolean;
  /** `seccompProfile.type` of the pod: `RuntimeDefault`, `Localhost` or `Unconfined`. */
  readonly seccompProfile: string;
  /** The Localhost seccomp profile file, with `seccompProfile: 'Localhost'`. */
  readonly seccompLocalhostProfile?: string;
  /** The container's `allowPrivilegeEscalation`. */
  readonly allowPrivilegeEscalation: boolean;
  /** Whether the container drops every Linux capability. */
  readonly dropAllCapabilities: boolean;
  /** The container's `readOnlyRootFilesystem`. */
  readonly readOnlyRootFilesystem: boolean;
  /** `runAsUser` of the container, when set. */
  readonly runAsUser?: number;
}

/** Pod Security "restricted" defaults: no token, non-root, RuntimeDefault seccomp, no escalation, no capabilities. */
export const RESTRICTED_POD_SECURITY: PodSecurityIntent = {
  automountServiceAccountToken: false,
  runAsNonRoot: true,
  seccompProfile: 'RuntimeDefault',
  allowPrivilegeEscalation: false,
  dropAllCapabilities: true,
  readOnlyRootFilesystem: false,
};

/** One service of the mesh. */
export interface ServiceIntent {
  /** The Service name (the host). */
  readonly name: string;
  /** The namespace. */
  readonly namespace: string;
  /** The ServiceAccount its pods run as (the workload identity). */
  readonly serviceAccount: string;
  /** The ports; the first is the primary port. At least one. */
  readonly ports: readonly ServicePortIntent[];
  /** Labels that select every pod of the service (`app`). */
  readonly selector: { readonly [key: string]: string };
  /** The versions, in declaration order. At least one. */
  readonly versions: readonly VersionIntent[];
  /**
   * How the library deploys the pods. Absent for a service deployed elsewhere: then only mesh
   * objects are rendered for it, never its Deployment, Service or ServiceAccount.
   */
  readonly workload?: WorkloadIntent;
  /**
   * How a service the library does not deploy was adopted: `workloads` (MeshService.fromWorkloads:
   * the app writes its Service object, and the mesh labels it), `attributes` (MeshService.fromAttributes:
   * deployed elsewhere, the mesh writes nothing of it but mesh objects).
   * @default - the library deploys it (`workload`), or a consumer's own IMeshService (treated as `attributes`)
   */
  readonly adopted?: 'workloads' | 'attributes';
  /** Construct path of the construct that declared the service. */
  readonly source: string;
}

/** The primary port of a service. */
export function primaryPort(s: ServiceIntent): ServicePortIntent {
  return s.ports[0];
}

/** The names of a service's versions, in declaration order. */
export function versionNames(s: ServiceIntent): string[] {
  return s.versions.map((v) => v.name);
}

/** The namespace of the mesh, as written. */
export interface NamespaceIntent {
  /** The namespace name. */
  readonly name: string;
  /** Labels given by the user (mesh membership labels are added by the renderer). */
  readonly labels: { readonly [key: string]: string };
  /** Ambient mode: whether the namespace may get a waypoint. */
  readonly waypoint: boolean;
  /**
   * A namespace this app does not write. `adopted`: it exists (a Helm chart or another repository
   * creates it) and the app adopted it (`MeshNamespace.fromName`): the mesh writes its namespace-wide
   * objects there (PeerAuthentication, default deny, Sidecars, waypoint), but no Namespace object and
   * so no labels. `named`: only named by a service deployed elsewhere (`MeshService.fromAttributes`
   * with a namespace name): the mesh writes only that service's own objects, each selecting its pods.
   * @default - this app writes the Namespace (a MeshNamespace)
   */
  readonly adoption?: 'adopted' | 'named';
  /** Construct path of the construct that declared it. */
  readonly source: string;
}

/** Whether the app writes the Namespace object (a MeshNamespace), rather than adopting or only naming it. */
export function writesNamespace(ns: NamespaceIntent): boolean {
  return ns.adoption === undefined;
}
