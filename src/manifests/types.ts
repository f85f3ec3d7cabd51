/**
 * The shapes of the Kubernetes and Istio objects the analyzers and the simulator read, as they appear
 * in manifests. Every field is optional and read-only: manifests are input, possibly malformed (the
 * schema checks report that), so readers still guard values with the helpers in `./read`.
 *
 * Only the fields something reads are declared; an object may hold any others.
 */

/** A string-to-string map: labels, annotations, selectors. */
export type StringMap = Readonly<Record<string, string>>;

/** `metadata` of any object. */
export interface ObjectMeta {
  readonly name?: string;
  readonly namespace?: string;
  readonly labels?: StringMap;
  readonly annotations?: StringMap;
  readonly [k: string]: unknown;
}

/** A Kubernetes object as read from a manifest. */
export interface ManifestObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: ObjectMeta;
  readonly spec?: unknown;
  readonly status?: unknown;
  readonly [k: string]: unknown;
}

/** `metav1.Condition` (and Istio's `IstioCondition`, which has the same fields). */
export interface Condition {
  readonly type?: string;
  readonly status?: string;
  readonly reason?: string;
  readonly message?: string;
}

/** A `metav1.LabelSelector`. */
export interface LabelSelector {
  readonly matchLabels?: StringMap;
  readonly matchExpressions?: ReadonlyArray<{ readonly key?: string; readonly operator?: string; readonly values?: readonly string[] }>;
}

// ---- core/v1 and apps/v1 ----

/** A Service port. */
export interface ServicePort {
  readonly name?: string;
  readonly port?: number;
  readonly targetPort?: number | string;
  readonly protocol?: string;
  readonly appProtocol?: string;
  readonly nodePort?: number;
}

/** `Service.spec`. */
export interface ServiceSpec {
  readonly selector?: StringMap;
  readonly ports?: readonly ServicePort[];
  readonly type?: string;
  readonly clusterIP?: string;
  readonly externalName?: string;
}

/** A container of a pod spec. */
export interface Container {
  readonly name?: string;
  readonly image?: string;
  readonly securityContext?: { readonly runAsUser?: number };
  readonly env?: ReadonlyArray<{ readonly name?: string; readonly value?: string }>;
  readonly ports?: ReadonlyArray<{ readonly name?: string; readonly containerPort?: number; readonly protocol?: string }>;
}

/** `Pod.spec` (and a pod template's spec). */
export interface PodSpec {
  readonly containers?: readonly Container[];
  readonly initContainers?: readonly Container[];
  readonly securityContext?: { readonly runAsUser?: number };
  readonly serviceAccountName?: string;
  readonly serviceAccount?: string;
  readonly hostNetwork?: boolean;
  readonly nodeName?: string;
}

/** A pod template: the pod a controller creates. */
export interface PodTemplate {
  readonly metadata?: ObjectMeta;
  readonly spec?: PodSpec;
}

/** `Deployment.spec` (StatefulSet, DaemonSet, ReplicaSet and Job have the same fields we read). */
export interface WorkloadControllerSpec {
  readonly replicas?: number;
  readonly selector?: LabelSelector;
  readonly template?: PodTemplate;
}

/** `ConfigMap` top-level data. */
export interface ConfigMapData {
  readonly data?: StringMap;
}

// ---- Istio networking ----

/** A destination of a route, mirror or delegate. */
export interface Destination {
  readonly host?: string;
  readonly subset?: string;
  readonly port?: { readonly number?: number };
}

/** A weighted destination of an HTTP/TCP/TLS route. */
export interface RouteDestination {
  readonly destination?: Destination;
  readonly weight?: number;
}

/** An Istio `StringMatch`. */
export interface StringMatch {
  readonly exact?: string;
  readonly prefix?: string;
  readonly regex?: string;
}

/** `HTTPMatchRequest`. */
export interface HttpMatchRequest {
  readonly name?: string;
  readonly uri?: StringMatch;
  readonly scheme?: StringMatch;
  readonly method?: StringMatch;
  readonly authority?: StringMatch;
  readonly headers?: Readonly<Record<string, StringMatch>>;
  readonly port?: number;
  readonly sourceLabels?: StringMap;
  readonly gateways?: readonly string[];
  readonly queryParams?: Readonly<Record<string, StringMatch>>;
  readonly ignoreUriCase?: boolean;
  readonly withoutHeaders?: Readonly<Record<string, StringMatch>>;
  readonly sourceNamespace?: string;
  readonly statPrefix?: string;
}

/** `HTTPRoute` of a VirtualService. */
export interface HttpRoute {
  readonly name?: string;
  readonly match?: readonly HttpMatchRequest[];
  readonly route?: readonly RouteDestination[];
  readonly mirror?: Destination;
  readonly mirrors?: ReadonlyArray<{ readonly destination?: Destination }>;
  readonly redirect?: unknown;
  readonly directResponse?: unknown;
  readonly delegate?: unknown;
  readonly fault?: { readonly delay?: { readonly percent?: number } };
  readonly [k: string]: unknown;
}

/** A TCP or TLS route of a VirtualService (their matches have no name). */
export interface L4Route {
  readonly match?: ReadonlyArray<Readonly<Record<string, unknown>>>;
  readonly route?: readonly RouteDestination[];
}

/** `VirtualService.spec`. */
export interface VirtualServiceSpec {
  readonly hosts?: readonly string[];
  readonly gateways?: readonly string[];
  readonly exportTo?: readonly string[];
  readonly http?: readonly HttpRoute[];
  readonly tcp?: readonly L4Route[];
  readonly tls?: readonly L4Route[];
}

/** Client TLS settings of a DestinationRule. */
export interface ClientTlsSettings {
  readonly mode?: string;
  readonly caCertificates?: string;
  readonly credentialName?: string;
}

/** `DestinationRule.spec`. */
export interface DestinationRuleSpec {
  readonly host?: string;
  readonly exportTo?: readonly string[];
  readonly subsets?: ReadonlyArray<{ readonly name?: string; readonly labels?: StringMap }>;
  readonly trafficPolicy?: {
    readonly tls?: ClientTlsSettings;
    readonly portLevelSettings?: ReadonlyArray<{ readonly port?: { readonly number?: number }; readonly tls?: ClientTlsSettings }>;
  };
  readonly workloadSelector?: { readonly matchLabels?: StringMap };
}

/** A server of an Istio Gateway. */
export interface GatewayServer {
  readonly port?: { readonly number?: number; readonly name?: string; readonly protocol?: string };
  readonly hosts?: readonly string[];
  readonly bind?: string;
  readonly tls?: { readonly mode?: string; readonly credentialName?: string; readonly serverCertificate?: string; readonly privateKey?: string };
}

/** `Gateway.spec` (networking.istio.io). */
export interface GatewaySpec {
  readonly selector?: StringMap;
  readonly servers?: readonly GatewayServer[];
}

/** `ServiceEntry.spec`. */
export interface ServiceEntrySpec {
  readonly hosts?: readonly string[];
  readonly addresses?: readonly string[];
  readonly ports?: ReadonlyArray<{ readonly number?: number; readonly name?: string; readonly protocol?: string }>;
  readonly exportTo?: readonly string[];
  readonly workloadSelector?: { readonly labels?: StringMap };
  readonly resolution?: string;
}

/** `Sidecar.spec`. */
export interface SidecarSpec {
  readonly workloadSelector?: { readonly labels?: StringMap };
  readonly outboundTrafficPolicy?: { readonly egressProxy?: unknown };
}

/** `EnvoyFilter.spec`. */
export interface EnvoyFilterSpec {
  readonly priority?: number;
  readonly configPatches?: ReadonlyArray<{
    readonly applyTo?: string;
    readonly match?: {
      readonly proxy?: { readonly proxyVersion?: string };
      readonly listener?: { readonly filterChain?: { readonly filter?: { readonly name?: string } } };
    };
    readonly patch?: { readonly operation?: string; readonly value?: unknown };
  }>;
}

// ---- Istio security and telemetry ----

/** A policy target reference. */
export interface PolicyTargetReference {
  readonly group?: string;
  readonly kind?: string;
  readonly name?: string;
  readonly namespace?: string;
}

/** Selector and target fields shared by AuthorizationPolicy, RequestAuthentication, Telemetry, WasmPlugin. */
export interface PolicyTargeting {
  readonly selector?: { readonly matchLabels?: StringMap };
  readonly targetRef?: PolicyTargetReference;
  readonly targetRefs?: readonly PolicyTargetReference[];
}

/** `AuthorizationPolicy.spec.rules[].from[].source`. */
export interface AuthzSource {
  readonly principals?: readonly string[];
  readonly notPrincipals?: readonly string[];
  readonly requestPrincipals?: readonly string[];
  readonly notRequestPrincipals?: readonly string[];
  readonly namespaces?: readonly string[];
  readonly notNamespaces?: readonly string[];
  readonly serviceAccounts?: readonly string[];
  readonly notServiceAccounts?: readonly string[];
  readonly ipBlocks?: readonly string[];
  readonly notIpBlocks?: readonly string[];
  readonly remoteIpBlocks?: readonly string[];
  readonly notRemoteIpBlocks?: readonly string[];
}

/** `AuthorizationPolicy.spec`. */
export interface AuthorizationPolicySpec extends PolicyTargeting {
  readonly action?: string;
  readonly rules?: ReadonlyArray<{
    readonly from?: ReadonlyArray<{ readonly source?: AuthzSource }>;
    readonly to?: ReadonlyArray<{ readonly operation?: Readonly<Record<string, unknown>> }>;
    readonly when?: ReadonlyArray<Readonly<Record<string, unknown>>>;
  }>;
}

/** A provider reference of a Telemetry section. */
export interface TelemetryProviderRef {
  readonly name?: string;
}

/** `Telemetry.spec`. */
export interface TelemetrySpec extends PolicyTargeting {
  readonly tracing?: ReadonlyArray<{ readonly providers?: readonly TelemetryProviderRef[] }>;
  readonly accessLogging?: ReadonlyArray<{ readonly providers?: readonly TelemetryProviderRef[]; readonly disabled?: boolean }>;
  readonly metrics?: ReadonlyArray<{ readonly providers?: readonly TelemetryProviderRef[] }>;
}

// ---- admission and API extensions ----

/** A webhook of a Mutating/ValidatingWebhookConfiguration. */
export interface Webhook {
  readonly name?: string;
  readonly clientConfig?: { readonly url?: string; readonly service?: { readonly name?: string; readonly namespace?: string } };
  readonly namespaceSelector?: LabelSelector;
  readonly objectSelector?: LabelSelector;
}

/** `CustomResourceDefinition.spec`. */
export interface CustomResourceDefinitionSpec {
  readonly group?: string;
  readonly names?: { readonly kind?: string };
}
