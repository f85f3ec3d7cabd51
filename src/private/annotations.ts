/**
 * Annotation on an AuthorizationPolicy listing (comma-separated) the principals it names that live
 * outside the deployable set, e.g. the ingress gateway. The library writes it for every
 * `ExternalIdentity` a policy names, so `cdk8s-istio lint` of synthesized YAML knows them too (CI3002).
 * Shared by the renderers that write it and the validation layer that reads it.
 */
export const EXTERNAL_PRINCIPALS_ANNOTATION = 'validation.cdk8s-istio.io/external-principals';
