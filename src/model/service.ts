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
