import { addBrand, brandSymbol, hasBrand } from '../private/brand';

const DATA_PLANE_MODE_BRAND = brandSymbol('DataPlaneMode');

/**
 * How workloads join the mesh.
 * @see https://istio.io/latest/docs/overview/dataplane-modes/
 */
export class DataPlaneMode {
  /** Whether `x` is a DataPlaneMode (works across copies of this package). */
  public static isDataPlaneMode(x: unknown): x is DataPlaneMode {
    return hasBrand(x, DATA_PLANE_MODE_BRAND);
  }

  /** `x instanceof DataPlaneMode`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is DataPlaneMode {
    return hasBrand(x, DATA_PLANE_MODE_BRAND);
  }

  /** An Envoy sidecar in every pod (`istio-injection: enabled`). */
  public static readonly SIDECAR = new DataPlaneMode('sidecar');
  /** Ambient mode: node-level ztunnel for L4, waypoint proxies for L7 (`istio.io/dataplane-mode: ambient`). */
  public static readonly AMBIENT = new DataPlaneMode('ambient');
  private constructor(public readonly value: string) {
    addBrand(this, DATA_PLANE_MODE_BRAND);
  }
  public toString(): string {
    return this.value;
  }
}

const ROUTING_API_BRAND = brandSymbol('RoutingApi');

/**
 * Which API the routing intent (CanaryRoute) renders to.
 * @see https://istio.io/latest/docs/tasks/traffic-management/ingress/gateway-api/
 */
export class RoutingApi {
  /** Whether `x` is a RoutingApi (works across copies of this package). */
  public static isRoutingApi(x: unknown): x is RoutingApi {
    return hasBrand(x, ROUTING_API_BRAND);
  }

  /** `x instanceof RoutingApi`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is RoutingApi {
    return hasBrand(x, ROUTING_API_BRAND);
  }

  /** Istio's own `VirtualService` and `DestinationRule` (networking.istio.io/v1). */
  public static readonly ISTIO = new RoutingApi('istio');
  /** Kubernetes Gateway API (GAMMA): an `HTTPRoute` attached to the Service, per-version Services as backends. */
  public static readonly GATEWAY_API = new RoutingApi('gateway-api');
  private constructor(public readonly value: string) {
    addBrand(this, ROUTING_API_BRAND);
  }
  public toString(): string {
    return this.value;
  }
}
