/**
 * How workloads join the mesh.
 * @see https://istio.io/latest/docs/overview/dataplane-modes/
 */
export class DataPlaneMode {
  /** An Envoy sidecar in every pod (`istio-injection: enabled`). */
  public static readonly SIDECAR = new DataPlaneMode('sidecar');
  /** Ambient mode: node-level ztunnel for L4, waypoint proxies for L7 (`istio.io/dataplane-mode: ambient`). */
  public static readonly AMBIENT = new DataPlaneMode('ambient');
  private constructor(public readonly value: string) {}
  public toString(): string {
    return this.value;
  }
}

/**
 * Which API the routing intent (CanaryRoute) renders to.
 * @see https://istio.io/latest/docs/tasks/traffic-management/ingress/gateway-api/
 */
export class RoutingApi {
  /** Istio's own `VirtualService` and `DestinationRule` (networking.istio.io/v1). */
  public static readonly ISTIO = new RoutingApi('istio');
  /** Kubernetes Gateway API (GAMMA): an `HTTPRoute` attached to the Service, per-version Services as backends. */
  public static readonly GATEWAY_API = new RoutingApi('gateway-api');
  private constructor(public readonly value: string) {}
  public toString(): string {
    return this.value;
  }
}
