/**
 * Annotation on an AuthorizationPolicy listing (comma-separated) the principals it names that live
 * outside the deployable set, e.g. the ingress gateway. The library writes it for every
 * `ExternalIdentity` a policy names, so `cdk8s-istio lint` of synthesized YAML knows them too (CI3002).
 * Shared by the renderers that write it and the validation layer that reads it.
 */
export const EXTERNAL_PRINCIPALS_ANNOTATION = 'validation.cdk8s-istio.io/external-principals';

/**
 * Annotation on an object that relies on a gateway Istio's install provides outside the deployable
 * set (comma-separated Service names; the one known is `istio-egressgateway`, the shared egress
 * gateway of the root namespace), e.g. the Gateway, routes and policy of an external service routed
 * through the egress gateway. The analyzers then count that gateway's Pod and Service as present,
 * as `istioctl analyze` counts the ingress gateway in file mode, so `cdk8s-istio lint` of the
 * synthesized YAML knows it too. Shared by the renderer that writes it and the analyzers that read it.
 */
export const INSTALLED_GATEWAYS_ANNOTATION = 'validation.cdk8s-istio.io/installed-gateways';

/**
 * Annotation on the objects the mesh renders for a service deployed elsewhere (`MeshService.fromAttributes`:
 * Helm, another repository): a JSON record of its Service (namespace, name, ports, selector), versions,
 * ServiceAccount and data plane. The analyzers and the simulator then count that Service and one pod per
 * version as present (nothing is reported about them), so routes, DestinationRules and policies that name
 * it validate at synth and in `cdk8s-istio lint` of the synthesized YAML alike.
 */
export const DEPLOYED_ELSEWHERE_ANNOTATION = 'validation.cdk8s-istio.io/deployed-elsewhere';
