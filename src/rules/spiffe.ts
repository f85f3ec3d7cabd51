/**
 * Workload identities as Istio writes them in AuthorizationPolicy principals: the SPIFFE ID
 * `spiffe://<trust domain>/ns/<namespace>/sa/<service account>` without its scheme
 * (pkg/spiffe/spiffe.go at 1.30.3: `Identity.String`, `ParseIdentity`).
 */

/** The parts of a workload principal. */
export interface WorkloadPrincipal {
  readonly trustDomain: string;
  readonly namespace: string;
  readonly serviceAccount: string;
}

/** The principal of a ServiceAccount: `<trust domain>/ns/<namespace>/sa/<service account>`. */
export function spiffePrincipal(trustDomain: string, namespace: string, serviceAccount: string): string {
  return `${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}

/**
 * The parts of a principal `<trust domain>/ns/<namespace>/sa/<service account>` (`ParseIdentity`
 * after the scheme: five `/`-separated segments, the second `ns` and the fourth `sa`), each part
 * non-empty; undefined for anything else. Parts may hold `*` (policy patterns) and are returned as written.
 */
export function parseSpiffePrincipal(p: string): WorkloadPrincipal | undefined {
  const parts = p.split('/');
  if (parts.length !== 5 || parts[1] !== 'ns' || parts[3] !== 'sa' || parts.some((x) => x === '')) return undefined;
  return { trustDomain: parts[0], namespace: parts[2], serviceAccount: parts[4] };
}
