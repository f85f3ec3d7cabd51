/**
 * Identities and names in the mesh model: plain records, compared by value.
 *
 * The model never holds a construct. A workload is named by `{ namespace, name }` (its Service), a
 * caller by `{ namespace, serviceAccount }` (its ServiceAccount, what Istio derives the principal
 * from). Principals are derived with the mesh trust domain when rendering, never stored.
 */
import { spiffePrincipal } from '../rules/spiffe';

/** A workload identity as plain data: a ServiceAccount in a namespace. */
export interface IdentityRef {
  /** The ServiceAccount's namespace. */
  readonly namespace: string;
  /** The ServiceAccount name. */
  readonly serviceAccount: string;
}

/** A mesh service (one host) as plain data: its Service name in its namespace. */
export interface ServiceRef {
  /** The namespace. */
  readonly namespace: string;
  /** The Service name (the short host name). */
  readonly name: string;
}

/**
 * A workload identity as constructs expose it: a Kubernetes ServiceAccount in a namespace. Istio
 * derives the SPIFFE principal `<trust-domain>/ns/<namespace>/sa/<service-account>` from it; policies
 * take identities, never principal strings. `TracedService` and `ExternalIdentity` implement it.
 */
export interface IWorkloadIdentity {
  /** The ServiceAccount name. */
  readonly serviceAccountName: string;
  /** The ServiceAccount's namespace. */
  readonly identityNamespace: string;
}

/** The plain identity of anything that implements {@link IWorkloadIdentity}. */
export function identityRef(identity: IWorkloadIdentity): IdentityRef {
  return { namespace: identity.identityNamespace, serviceAccount: identity.serviceAccountName };
}

/** The principal Istio gives an identity, e.g. `cluster.local/ns/production/sa/order-service`. */
export function principalOf(identity: IdentityRef | IWorkloadIdentity, trustDomain: string): string {
  const id = isIdentityRef(identity) ? identity : identityRef(identity);
  return spiffePrincipal(trustDomain, id.namespace, id.serviceAccount);
}

/** `namespace/serviceAccount`, for messages and map keys. */
export function identityKey(id: IdentityRef): string {
  return `${id.namespace}/${id.serviceAccount}`;
}

/** `namespace/name`, for messages and map keys. */
export function serviceKey(ref: ServiceRef): string {
  return `${ref.namespace}/${ref.name}`;
}

/** Whether two identities are the same ServiceAccount. */
export function sameIdentity(a: IdentityRef, b: IdentityRef): boolean {
  return a.namespace === b.namespace && a.serviceAccount === b.serviceAccount;
}

/**
 * The fully qualified host of a service, `<name>.<namespace>.svc.cluster.local`. Kubernetes' cluster
 * domain, not the mesh trust domain: Sidecar egress hosts and the report name services this way.
 */
export function serviceFqdn(ref: ServiceRef): string {
  return `${ref.name}.${ref.namespace}.svc.cluster.local`;
}

function isIdentityRef(x: IdentityRef | IWorkloadIdentity): x is IdentityRef {
  return typeof (x as IdentityRef).serviceAccount === 'string' && typeof (x as IdentityRef).namespace === 'string';
}
