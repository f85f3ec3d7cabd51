/**
 * Security intent of the mesh model: who may call each workload, on which operations, under which
 * conditions (ALLOW and DENY rules, each naming caller identities), how each workload, namespace and
 * the whole mesh accept connections (mTLS), and which namespaces deny by default. Constructs
 * (`allowFrom`, ZeroTrustPolicy) write it; renderers turn it into AuthorizationPolicies and
 * PeerAuthentications (sidecar: `selector`; ambient: `targetRefs` at the waypoint). Identities stay
 * identities: principals are derived with the mesh trust domain when rendering.
 */
import { IdentityRef, ServiceRef } from './identity';

/** How a path is compared: exact, `<value>*`, `*<value>`, `*` (present) or a `{*}`/`{**}` template. */
export type PathMatchKind = 'exact' | 'prefix' | 'suffix' | 'present' | 'template';

/** One path condition. */
export interface PathMatchIntent {
  readonly kind: PathMatchKind;
  /** The literal part (`/api/payments/` for a prefix), `*` for present, the template itself for templates. */
  readonly value: string;
}

/** A condition value: a string, or an identity that renders as its principal. */
export type ConditionValue = string | IdentityRef;

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
  readonly identities: readonly IdentityRef[];
  /** Fail-open negations, only with `Risk.FAIL_OPEN_FOR_PLAINTEXT`: the caller is none of these identities. */
  readonly notIdentities: readonly IdentityRef[];
  /** Fail-open negations, only with `Risk.FAIL_OPEN_FOR_PLAINTEXT`: the caller is in none of these namespaces. */
  readonly notNamespaces: readonly string[];
  /**
   * End-user (JWT) principals `<iss>/<sub>` the request must carry (Istio's `requestPrincipals`,
   * `*` patterns allowed); needs a RequestAuthentication for the issuer on the workload.
   */
  readonly requestPrincipals?: readonly string[];
}

/** One authorization rule. An absent source/operation matches anything; all conditions must hold. */
export interface AuthorizationRuleIntent {
  readonly source?: SourceIntent;
  readonly operation?: OperationIntent;
  readonly when: readonly ConditionIntent[];
  /** Construct path of the construct the rule was added through (for messages). */
  readonly addedBy: string;
}

/** ALLOW or DENY. */
export type AuthorizationAction = 'ALLOW' | 'DENY';

/** Peer authentication of a scope: mesh (root namespace), namespace or workload. */
export interface MtlsIntent {
  /** UNSET, DISABLE, PERMISSIVE or STRICT. */
  readonly mode: string;
  /** Per-port overrides (workload scope only), sorted by port. */
  readonly portLevel: ReadonlyArray<{ readonly port: number; readonly mode: string }>;
}

/** The security intent of one workload (one service). */
export interface WorkloadSecurityIntent {
  /** The workload's Service. */
  readonly service: ServiceRef;
  /** ALLOW rules, in the order they were added. */
  readonly allow: readonly AuthorizationRuleIntent[];
  /** DENY rules, in the order they were added. */
  readonly deny: readonly AuthorizationRuleIntent[];
  /** The workload's own mTLS mode, when set. */
  readonly mtls?: MtlsIntent;
  /** Construct path of the writer of `mtls`. */
  readonly mtlsSource?: string;
  /** Declared external identities (ExternalIdentity) the rules name, in first-use order. */
  readonly externalIdentities: readonly IdentityRef[];
}

/** The security settings of one namespace. */
export interface NamespaceSecurityIntent {
  /** The namespace. */
  readonly namespace: string;
  /** Whether the namespace renders a real default deny (an ALLOW policy that matches nothing). */
  readonly defaultDeny: boolean;
  /** The namespace-wide mTLS mode, when set. */
  readonly mtls?: string;
  /** Construct path of the writer. */
  readonly source: string;
}

/** Mesh-wide security: the mesh mTLS mode and the secured namespaces. */
export interface MeshSecurityIntent {
  /** The mesh-wide mTLS mode (a PeerAuthentication in the root namespace), when set. */
  readonly meshMtls?: string;
  /** Construct path of the writer of the mesh-wide settings (the ZeroTrustPolicy), when any. */
  readonly source?: string;
  /** Secured namespaces, in the order they were added. */
  readonly namespaces: readonly NamespaceSecurityIntent[];
}

/**
 * One call-graph edge: `caller` may call `target` under `rule`. Produced by every allow rule that
 * names a caller; Sidecar egress scoping derives each caller's egress hosts from these edges.
 */
export interface CallEdge {
  /** The caller's identity. */
  readonly caller: IdentityRef;
  /** The service being called. */
  readonly target: ServiceRef;
  /** The allow rule the edge comes from. */
  readonly rule: AuthorizationRuleIntent;
}

/** The call-graph edges into one workload: one per identity named by an ALLOW rule, in order. */
export function edgesOf(w: WorkloadSecurityIntent): CallEdge[] {
  return w.allow.flatMap((rule) => (rule.source?.identities ?? []).map((caller) => ({ caller, target: w.service, rule })));
}
