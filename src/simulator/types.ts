/**
 * Requests and answers of the offline simulator. These shapes are the library API and, through
 * `JSON.stringify`, the CLI contract: keys are only ever added, never renamed.
 */
/** An HTTP request as a client sidecar sees it, for {@link MeshSimulator.route}. */
export interface RouteRequest {
  /** The destination host: `<svc>.<ns>`, `<svc>.<ns>.svc.cluster.local`, or a short name with `sourceNamespace`. */
  readonly host: string;
  /** Request headers. Names are case-insensitive, values case-sensitive. @default {} */
  readonly headers?: Record<string, string>;
  /** The `:path`, query string included. @default '/' */
  readonly path?: string;
  /** The HTTP method. @default 'GET' */
  readonly method?: string;
  /** The `:authority` header. @default the `host` as given */
  readonly authority?: string;
  /** The URL scheme. @default 'http' */
  readonly scheme?: string;
  /**
   * The destination (Service) port, for `match.port` and per-port routes.
   * @default the first port of a Service with several ports; else no port: port matches fail
   */
  readonly port?: number;
  /** The client's namespace: resolves short hosts and `match.sourceNamespace`. */
  readonly sourceNamespace?: string;
  /** The client's pod labels, for `match.sourceLabels`. */
  readonly sourceLabels?: Record<string, string>;
  /** `mesh` for sidecar traffic, or `<ns>/<name>` of an ingress Gateway. @default 'mesh' */
  readonly gateway?: string;
}

/** One weighted destination of a route. */
export interface RouteDestination {
  /** The destination FQDN (short names resolved relative to the routing object's namespace). */
  readonly host: string;
  /** The DestinationRule subset, when the route names one. */
  readonly subset?: string;
  /** The destination port, when the route names one. */
  readonly port?: number;
  /** The share of traffic in percent: weight / sum of weights × 100, not rounded. */
  readonly weight: number;
}

/** The retry policy a route ends up with. */
export interface RetryResult {
  /** Retry attempts; 0 means retries are disabled. */
  readonly attempts: number;
  /** Per-try timeout, e.g. `3s`; absent when the route timeout bounds each try. */
  readonly perTryTimeout?: string;
  /** Envoy `retry_on` conditions; absent when retries are disabled. */
  readonly retryOn?: string;
  /** True when the route sets no retries and Istio's default policy applies. */
  readonly default?: boolean;
}

/** The answer of {@link MeshSimulator.route}. */
export interface RouteResult {
  /** True when no rule matches: Envoy answers 404 with response flag `NR`. */
  readonly noRoute?: boolean;
  /**
   * Index of the matching rule in `spec.http` (or `spec.rules` for an HTTPRoute; in `spec.tls`/`spec.tcp` with
   * `section`) of the object that holds the rule: `routedBy`, or, when the root delegated, the `delegate`
   * VirtualService (its rule index, not the root's; {@link RouteResult.delegation} names both).
   */
  readonly rule?: number;
  /** `tls` or `tcp` when a VirtualService without `http` rules routed the request as a connection. */
  readonly section?: 'tls' | 'tcp';
  /**
   * Index of the matching block in the rule's `match` list; absent when the rule has no match. Through a
   * delegate, an index into the merged list istiod builds (each delegate match ANDed with each root match
   * it does not conflict with); {@link RouteResult.delegation} gives the two blocks it joins.
   */
  readonly match?: number;
  /** Weighted destinations, in the order the rule lists them. */
  readonly destinations: RouteDestination[];
  /** The route timeout (`10s`), or null when none is set: Istio disables the route timeout by default. */
  readonly timeout: string | null;
  /** Retries, Istio's default when the route sets none. */
  readonly retries?: RetryResult;
  /** The object that routed: `VirtualService/<ns>/<name>`, or null for the default route. */
  readonly routedBy: string | null;
  /** The request host as an FQDN. */
  readonly host: string;
  /**
   * The Service port the request was routed on: the request's `port`, else the first port of a
   * Service with several ports (absent for a one-port host and no `port`).
   */
  readonly port?: number;
  /** True when no routing object exists for the host and the request goes to the Service as is. */
  readonly defaultRoute?: boolean;
  /**
   * True when the destination port is not HTTP for Istio (a `tcp`, `tls`, `mongo`... port): the sidecar
   * proxies the connection as TCP, so `rule` and `match` then index the VirtualService's `spec.tcp`,
   * and there are no retries.
   */
  readonly tcp?: boolean;
  /** A redirect or direct response the rule answers with instead of forwarding. */
  readonly redirect?: any;
  readonly directResponse?: any;
  /** Fault injection of the matched rule: the delay and/or abort, each with the share of requests it hits. */
  readonly fault?: FaultEffect;
  /** Mirrors of the matched rule: copies of a share of the requests, fire-and-forget. */
  readonly mirrors?: MirrorEffect[];
  /** The forwarded request's path and authority after the matched rule's rewrite. */
  readonly rewrite?: { readonly path?: string; readonly authority?: string; readonly spec: unknown };
  /** Request and response header changes of the matched rule. */
  readonly headers?: { readonly request?: HeaderChanges; readonly response?: HeaderChanges };
  /** The CORS policy of the matched rule, as written. */
  readonly cors?: unknown;
  /** The delegate VirtualService whose rule matched (`VirtualService/<ns>/<name>`), when the root delegated. */
  readonly delegate?: string;
  /**
   * When the root delegated: the root VirtualService and its `delegate` entry, the delegate VirtualService
   * and its rule, each with its own index (and the match blocks the merged match joins).
   */
  readonly delegation?: DelegationResult;
  /** Why this answer, in words. */
  readonly reason: string;
  /** Problems found on the way: a subset with no DestinationRule subset or no pods, an unknown host. */
  readonly warnings: string[];
}

/** Which rule of which VirtualService answered a request the root handed to a delegate. */
export interface DelegationResult {
  /** The root VirtualService, `VirtualService/<ns>/<name>` (the answer's `routedBy`). */
  readonly root: string;
  /** Index of the root's `delegate` entry in the root's `spec.http`. */
  readonly rootRule: number;
  /** Index of the entry's match block the request matched; absent when the entry has no match. */
  readonly rootMatch?: number;
  /** The delegate VirtualService, `VirtualService/<ns>/<name>` (the answer's `delegate`). */
  readonly delegate: string;
  /** Index of the matching rule in the delegate's `spec.http` (the answer's `rule`). */
  readonly delegateRule: number;
  /** Index of the delegate rule's match block the request matched; absent when the delegate rule has no match. */
  readonly delegateMatch?: number;
}

/** A request as the destination workload sees it, for {@link MeshSimulator.authorize}. */
export interface AuthzRequest {
  /** The destination: `<svc>.<ns>` (a Service, whose workloads are checked) or its FQDN. */
  readonly to: string;
  /** Only check the workload (Deployment, ...) of this name; @default every workload behind the Service */
  readonly workload?: string;
  /** The caller's mTLS principal, e.g. `cluster.local/ns/production/sa/order-service`. */
  readonly fromPrincipal?: string;
  /** A caller without mTLS: empty principal and namespace. @default false */
  readonly plaintext?: boolean;
  /** The HTTP method. @default 'GET' */
  readonly method?: string;
  /** The path, query string allowed (ignored for matching). @default '/' */
  readonly path?: string;
  /** Request headers; names case-insensitive. @default {} */
  readonly headers?: Record<string, string>;
  /** The workload (container) port. @default the Service's first port's targetPort */
  readonly port?: number;
  /** The Host header. @default the `to` as written */
  readonly host?: string;
  /** The caller's IP, for `ipBlocks` and `source.ip`. */
  readonly sourceIp?: string;
  /** The TLS SNI the caller sent, for `connection.sni` conditions (e.g. an egress gateway's policy). */
  readonly sni?: string;
  /** The JWT principal `<iss>/<sub>`, for `requestPrincipals`. @default `<iss>/<sub>` of `claims`, when both are given */
  readonly requestPrincipal?: string;
  /**
   * The claims of the validated JWT (its payload), for `request.auth.claims[...]`, `request.auth.audiences`
   * (`aud`) and `request.auth.presenter` (`azp`). As Istio configures Envoy's JWT filter
   * (pilot/pkg/security/authn: NormalizePayloadInMetadata), `scope` and `permission` strings are split at spaces;
   * a list claim matches when one of its elements does.
   * @example { iss: 'https://auth.example.com', sub: 'alice', scope: 'orders:read orders:write' }
   */
  readonly claims?: Record<string, unknown>;
  /** Treat the request as plain TCP: HTTP-only rule fields then cannot match. @default from the Service port's protocol */
  readonly tcp?: boolean;
  /** What each CUSTOM provider answers, by provider name. @default 'DENY' for every provider */
  readonly customDecisions?: Record<string, 'ALLOW' | 'DENY'>;
  /**
   * How the request reaches an ambient workload: `service` (to the Service, so through its waypoint
   * when it has one) or `pod` (straight to a pod IP, which skips the waypoint: only the destination's
   * ztunnel sees it, with the caller's identity). A sidecar enforces the same policies either way.
   * @default 'service'
   */
  readonly via?: 'service' | 'pod';
}

/** The answer of {@link MeshSimulator.authorize}. */
export interface AuthzResult {
  readonly decision: 'ALLOW' | 'DENY';
  /** `<ns>/<name>` of the deciding AuthorizationPolicy (or PeerAuthentication), or null when no single policy decided. */
  readonly policy: string | null;
  /** The kind of the deciding object. */
  readonly kind?: 'AuthorizationPolicy' | 'PeerAuthentication';
  /** Index of the matching rule in the deciding policy. */
  readonly rule?: number;
  /** Why, in words. */
  readonly reason: string;
  /** The workload the decision is about: `<ns>/<name>`. */
  readonly workload?: string;
  /** The effective mTLS mode of the workload port. */
  readonly mtls?: string;
  /** Where the decision was made: the workload's sidecar, its ztunnel (ambient, L4 only), or its waypoint. */
  readonly enforcedBy?: 'sidecar' | 'ztunnel' | 'waypoint';
  /** AUDIT policies whose rules matched (they never decide). */
  readonly audit?: string[];
  /**
   * What the dry-run policies (annotation `istio.io/dry-run: "true"`) would decide: istiod puts them in
   * Envoy's shadow rules, which log a result and never enforce it. One entry per action that has
   * dry-run policies at an enforcement point; absent when none applies.
   */
  readonly shadow?: ShadowDecision[];
}

/** The shadow decision of the dry-run policies of one action at one enforcement point. */
export interface ShadowDecision {
  /** The action of the dry-run policies: their shadow rules are evaluated per action. */
  readonly action: 'ALLOW' | 'DENY' | 'CUSTOM';
  /** ALLOW shadow rules allow when one matches; DENY and CUSTOM ones deny when one matches. */
  readonly decision: 'ALLOW' | 'DENY';
  /** `<ns>/<name>` of the matching dry-run policy, or null when none matches. */
  readonly policy: string | null;
  /** Index of the matching rule. */
  readonly rule?: number;
  readonly enforcedBy: 'sidecar' | 'ztunnel' | 'waypoint';
  readonly reason: string;
}

/** A delay or an abort of a share of the requests. */
export interface FaultEffect {
  /** The injected delay and the share of requests delayed (percent). */
  readonly delay?: { readonly fixedDelay: string; readonly percent: number };
  /** The status answered instead of forwarding, and the share of requests aborted (percent). */
  readonly abort?: { readonly httpStatus?: number; readonly grpcStatus?: string; readonly percent: number };
}

/** A copy of a share of the requests, sent fire-and-forget. */
export interface MirrorEffect {
  readonly host: string;
  readonly subset?: string;
  readonly port?: number;
  /** Share of the requests copied, percent. */
  readonly percent: number;
}

/** Header changes in one direction. */
export interface HeaderChanges {
  readonly set?: Record<string, string>;
  readonly add?: Record<string, string>;
  readonly remove?: string[];
}

/** The effects of a matched route; only the present ones are set. */
export interface RouteEffectsResult {
  readonly fault?: FaultEffect;
  readonly mirrors?: MirrorEffect[];
  /** The forwarded request's path and authority after the rewrite, and the rewrite as written. */
  readonly rewrite?: { readonly path?: string; readonly authority?: string; readonly spec: unknown };
  readonly headers?: { readonly request?: HeaderChanges; readonly response?: HeaderChanges };
  readonly cors?: unknown;
}
