import type { IWorkloadIdentity } from '../identity';
import type { TracedService } from '../traced-service';

/**
 * Renderer-neutral security intent: who may call a workload, on which operations, under which
 * conditions, and how the workload accepts connections. Constructs (TracedService.allowFrom,
 * ZeroTrustPolicy) write it; renderers turn it into Istio objects (sidecar mode: `selector`;
 * ambient mode: `targetRefs`), and the simulator and the Sidecar scoping read the call graph from it.
 * Identities stay identities here: principals are derived with the mesh trust domain at render time.
 */

/** How a path is compared: exact, `<value>*`, `*<value>`, `*` (present) or a `{*}`/`{**}` template. */
export type PathMatchKind = 'exact' | 'prefix' | 'suffix' | 'present' | 'template';

/** One path condition. */
export interface PathMatchIntent {
  readonly kind: PathMatchKind;
  /** The literal part (`/api/payments/` for a prefix), `*` for present, the template itself for templates. */
  readonly value: string;
}

/** A condition value: a string, or an identity that renders as its principal. */
export type ConditionValue = string | IWorkloadIdentity;

/** One `when` condition. At least one of values/notValues is non-empty. */
export interface ConditionIntent {
  /** An allowed attribute key, e.g. `request.headers[x-user-role]`. */
  readonly key: string;
  /** The attribute must match one of these. */
  readonly values: readonly ConditionValue[];
  /** The attribute must match none of these. */
  readonly notValues: readonly ConditionValue[];
}

/** What a request does: ANDed fields, each an OR of its values. Empty arrays mean "any". */
export interface OperationIntent {
  readonly methods: readonly string[];
  readonly paths: readonly PathMatchIntent[];
  readonly ports: readonly number[];
}

/** Who sends a request. */
export interface SourceIntent {
  /** The caller is one of these identities (principal AND the identity's namespace). */
  readonly identities: readonly IWorkloadIdentity[];
  /** Fail-open negations, only with `Risk.FAIL_OPEN_FOR_PLAINTEXT`: the caller is none of these identities. */
  readonly notIdentities: readonly IWorkloadIdentity[];
  /** Fail-open negations, only with `Risk.FAIL_OPEN_FOR_PLAINTEXT`: the caller is in none of these namespaces. */
  readonly notNamespaces: readonly string[];
}

/** One authorization rule. An absent source/operation matches anything; all conditions must hold. */
export interface AuthorizationRuleIntent {
  readonly source?: SourceIntent;
  readonly operation?: OperationIntent;
  readonly when: readonly ConditionIntent[];
  /** Construct path of the workload the rule was added to (for messages). */
  readonly addedBy: string;
}

/** ALLOW or DENY. */
export type AuthorizationAction = 'ALLOW' | 'DENY';

/** The policy of one workload for one action. */
export interface WorkloadAuthorizationIntent {
  readonly action: AuthorizationAction;
  /** Namespace of the workload. */
  readonly namespace: string;
  /** Labels selecting the workload's pods (`app: <service>`). */
  readonly selector: { readonly [key: string]: string };
  /** The workload's Service name, for renderers that target Services (ambient `targetRefs`). */
  readonly serviceName: string;
  readonly rules: readonly AuthorizationRuleIntent[];
}

/** Peer authentication of a scope: mesh (root namespace), namespace or workload. */
export interface MtlsIntent {
  /** UNSET, DISABLE, PERMISSIVE or STRICT. */
  readonly mode: string;
  /** Per-port overrides (workload scope only), sorted by port. */
  readonly portLevel: ReadonlyArray<{ readonly port: number; readonly mode: string }>;
}

/**
 * One call-graph edge: `caller` may call `target` under `rule`. Produced by every allow rule that
 * names a caller; Sidecar egress scoping derives each caller's egress hosts from these edges.
 */
export interface CallEdge {
  /** The caller's identity: a TracedService or an ExternalIdentity. */
  readonly caller: IWorkloadIdentity;
  /** The service being called (a TracedService). */
  readonly target: TracedService;
  /** The allow rule the edge comes from. */
  readonly rule: AuthorizationRuleIntent;
}
