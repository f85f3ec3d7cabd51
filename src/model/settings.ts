/**
 * Mesh-wide settings in the model: what every renderer reads to decide the shape of the output.
 * The data plane and the routing API select the renderer (src/render/index.ts, `selectRenderer`).
 */

/** `sidecar` (an Envoy per pod) or `ambient` (ztunnel, waypoints for L7). */
export type DataPlaneName = 'sidecar' | 'ambient';

/** `istio` (VirtualService/DestinationRule) or `gateway-api` (HTTPRoute, per-version Services). */
export type RoutingApiName = 'istio' | 'gateway-api';

/** A mesh-config extension provider, as mesh config writes it. */
export interface ExtensionProviderIntent {
  /** The provider name Telemetry resources refer to. */
  readonly name: string;
  /** The provider entry of mesh config `extensionProviders`, e.g. `{ name, opentelemetry: { service, port } }`. */
  readonly meshConfig: { readonly [key: string]: unknown };
  /** The collector's host (for Sidecar egress scoping and the app SDK endpoint), when the provider has one. */
  readonly host?: string;
  /** The collector's port, when the provider has one. */
  readonly port?: number;
  /** The collector's namespace, when it can be told from the service name. */
  readonly namespace?: string;
}

/** Mesh-wide tracing: one Telemetry resource in the root namespace. */
export interface TracingIntent {
  /** Name of the Telemetry resource. */
  readonly resourceName: string;
  /** The provider spans go to (one of the mesh's extension providers). */
  readonly provider: ExtensionProviderIntent;
  /** Percentage of requests sampled, 0..100. */
  readonly samplingPercentage: number;
  /** Custom tags by tag name, each as Telemetry writes it (`{ header: { name } }`, ...). */
  readonly customTags: { readonly [tag: string]: { readonly [key: string]: unknown } };
}

/** The mesh settings. */
export interface MeshSettings {
  /** The root namespace: policies there apply mesh-wide. */
  readonly rootNamespace: string;
  /** The trust domain of workload principals. */
  readonly trustDomain: string;
  /** The data plane. */
  readonly dataPlane: DataPlaneName;
  /** The routing API. */
  readonly routingApi: RoutingApiName;
  /** Declared extension providers, in declaration order (the tracing provider included). */
  readonly extensionProviders: readonly ExtensionProviderIntent[];
  /** Mesh-wide tracing, when configured. */
  readonly tracing?: TracingIntent;
  /**
   * istiod runs with `ENABLE_LAYERED_WAYPOINT_AUTHORIZATION_POLICIES=true`: waypoints also enforce, at
   * L4, the selector and namespace-wide policies that apply to their own pods. Absent when false.
   */
  readonly layeredWaypointAuthorization?: boolean;
  /**
   * The control-plane revision, when the ControlPlane sets one: sidecar namespaces then opt in with
   * `istio.io/rev=<revision>` instead of `istio-injection: enabled`.
   */
  readonly revision?: string;
  /**
   * The Mesh declares that the cluster runs the istio-cni node agent with sidecars: injected pods then
   * have no privileged `istio-init`. Absent when not declared (ambient runs istio-cni regardless).
   */
  readonly istioCni?: boolean;
}
