const BRAND = Symbol.for('cdk8s-istio.OutboundTrafficPolicy');

/**
 * What a sidecar does with traffic to a host the mesh does not know (mesh config
 * `outboundTrafficPolicy.mode`).
 * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-OutboundTrafficPolicy-Mode
 */
export class OutboundTrafficPolicy {
  /** Istio's default: unknown hosts are reached directly (passthrough). */
  public static readonly ALLOW_ANY = new OutboundTrafficPolicy('ALLOW_ANY');
  /**
   * Only hosts of the service registry (Services, and ServiceEntries such as an
   * {@link ExternalService}) are reachable; anything else gets 502 (BlackHoleCluster).
   */
  public static readonly REGISTRY_ONLY = new OutboundTrafficPolicy('REGISTRY_ONLY');

  /** Whether `x` is an OutboundTrafficPolicy (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): boolean {
    return typeof x === 'object' && x !== null && BRAND in x;
  }

  private constructor(
    /** The mesh config mode. */
    public readonly value: string,
  ) {
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** The mode. */
  public toString(): string {
    return this.value;
  }
}
