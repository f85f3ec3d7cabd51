/**
 * A workload identity: a Kubernetes ServiceAccount in a namespace. Istio derives the SPIFFE principal
 * `<trust-domain>/ns/<namespace>/sa/<service-account>` from it; policies take identities, never
 * principal strings.
 */
export interface IWorkloadIdentity {
  /** The ServiceAccount name. */
  readonly serviceAccountName: string;
  /** The ServiceAccount's namespace. */
  readonly identityNamespace: string;
}

/** The principal Istio gives an identity, e.g. `cluster.local/ns/production/sa/order-service`. */
export function principalOf(identity: IWorkloadIdentity, trustDomain: string): string {
  return `${trustDomain}/ns/${identity.identityNamespace}/sa/${identity.serviceAccountName}`;
}
