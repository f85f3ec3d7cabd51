/**
 * Renderer-neutral egress scoping intent: which hosts one workload's proxy is configured for.
 * SidecarScope produces it from the call graph; the Sidecar renderer and the mesh report read it.
 */

/** The egress scope of one workload. */
export interface WorkloadEgressIntent {
  /** Namespace of the workload (the Sidecar lives there, so that it can select the pods). */
  readonly namespace: string;
  /** The workload's Service name; also the Sidecar's name. */
  readonly serviceName: string;
  /** Labels selecting the workload's pods (`app: <service>`). */
  readonly selector: { readonly [key: string]: string };
  /** `namespace/host` entries, sorted and without duplicates. */
  readonly hosts: readonly string[];
}
