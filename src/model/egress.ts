/**
 * Egress scoping intent of the mesh model: which workloads get a Sidecar limiting the hosts their
 * proxy is configured for, and which hosts they may reach beyond their declared callees. The hosts
 * themselves are derived from the call graph ({@link egressHostsOf}), never typed by hand.
 */
import { ServiceRef } from './identity';

/** The egress scope of one workload, as written. */
export interface EgressScopeIntent {
  /** The scoped workload. */
  readonly service: ServiceRef;
  /** Construct path of the scope that owns its Sidecar. */
  readonly scope: string;
  /** How it was scoped (`service`, `namespace production`), for messages. */
  readonly via: string;
  /** `namespace/host` entries declared beyond the callees, in the order added (not de-duplicated). */
  readonly extraHosts: readonly string[];
}

/** The egress of one workload, derived: what its Sidecar lists. */
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
