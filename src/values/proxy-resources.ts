/**
 * CPU and memory quantities of a container, as Kubernetes quantities.
 * @example { cpu: '100m', memory: '128Mi' }
 */
export interface ResourceQuantities {
  /**
   * CPU, e.g. `100m` (0.1 core) or `0.5`.
   * @default - not set
   */
  readonly cpu?: string;
  /**
   * Memory, e.g. `128Mi`. `128M` is 128 * 10^6 bytes, `128Mi` is 128 * 2^20; `128MB` is invalid.
   * @default - not set
   */
  readonly memory?: string;
}

/**
 * Resources of every `istio-proxy` sidecar (`values.global.proxy.resources`). Requests must not
 * exceed limits.
 * @see https://istio.io/latest/docs/reference/config/istio.operator.v1alpha1/
 */
export interface ProxyResources {
  /**
   * What the scheduler reserves for each sidecar.
   * @default - the profile's (Istio's default profile requests 100m/128Mi)
   */
  readonly requests?: ResourceQuantities;
  /**
   * The most each sidecar may use.
   * @default - the profile's (Istio's default profile limits to 2000m/1024Mi)
   */
  readonly limits?: ResourceQuantities;
}
