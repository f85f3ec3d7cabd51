// Constructs
export * from './mesh';
export * from './mesh-namespace';
export * from './traced-service';
export * from './host-traffic';
export * from './service-security';
export * from './zero-trust-policy';
export * from './mesh-app';
export * from './control-plane';
export * from './warnings';
export * from './canary-route';
export * from './circuit-breaker';
export * from './local-rate-limit';
export * from './waypoint';
export * from './sidecar-scope';
export * from './mesh-report';
export * from './ingress-gateway';
export * from './external-service';
export * from './request-authentication';

// Value objects
export * from './values/data-plane';
export * from './values/custom-tag';
export * from './values/extension-provider';
export * from './values/istio-profile';
export * from './values/access-log';
export * from './values/proxy-resources';
export * from './values/mtls-mode';
export * from './values/http-method';
export * from './values/path-match';
export * from './values/condition';
export * from './values/external-identity';
export * from './values/risk';
export * from './values/string-match';
export * from './values/retry-policy';
export * from './values/destination';
export * from './values/connection-pool';
export * from './values/outlier-detection';
export * from './values/rate-limit';
export * from './values/egress-host';
export * from './values/canary-analysis';
export * from './values/metric-check';
export * from './values/analysis-webhook';
export * from './values/route-path';
export * from './values/gateway-tls';
export * from './values/external-service-options';
export * from './values/jwt';
export * from './values/outbound-traffic-policy';

// The mesh model: plain intent every construct writes, renderers read (docs/architecture.md)
export * from './model';

// Renderers: pure functions model → manifests, selected from the mesh settings in one place
export { selectRenderer, renderModel } from './render';
export type { MeshRenderer, RenderedObject, RenderNotice, RenderResult, RendererCapabilities, Manifest } from './render';
export { versionServiceName, prefixAsRegex } from './render/gateway-api';
export * from './validation/types';
export * from './validation/mesh-config';

// Validation layer (docs/validation.md)
export { validateManifests, MeshValidator, celCoverage, resetCelCounters, Suppressions, Validation, SUPPRESS_ANNOTATION } from './validation';
export type { ValidationOptions, ValidationChecks, CelCoverage, CelRuntimeCounters, Suppression, AnalyzerOptions, IstioMeshConfig } from './validation';
export { CHECKS, checkInfo } from './validation/codes';
export type { CheckInfo } from './validation/codes';
export { MeshValidationPlugin } from './validation/plugin';
export type { MeshValidationPluginProps, MeshValidationPluginContext } from './validation/plugin';
export { MeshConfigError } from './private/errors';
export { toYaml, toYamlDocuments } from './synth/yaml';

// Offline simulator: route, authorize and graph over manifests (docs/simulator.md)
export { MeshSimulator } from './simulator/simulator';
export type * from './simulator/types';
export { ManifestIndex } from './manifests';
export type { ManifestIndexOptions, ManifestObject, IndexedObject, Workload } from './manifests';
export { loadManifestFiles, parseManifestText } from './simulator/load';
export type { MeshSimulatorOptions } from './simulator/load';
export { SimulatorError } from './simulator/match';
export { ISTIO_DEFAULT_RETRIES } from './simulator/destination';
export { GRAPH_FORMATS, meshGraph, renderGraph } from './simulator/graph';
export type { MeshGraph, GraphService, GraphCall, GraphDeny, GraphSplit, GraphFormat } from './simulator/graph';
export { installMeshMatchers, meshMatchers } from './simulator/jest';
export type { MeshMatchers, RouteExpectation, AuthzExpectation } from './simulator/jest';

// Escape hatch: the raw classes `cdk8s import` generated from the pinned Istio 1.30.3 CRDs.
export * as networking from '../imports/networking.istio.io';
export * as security from '../imports/security.istio.io';
export * as telemetry from '../imports/telemetry.istio.io';
export * as extensions from '../imports/extensions.istio.io';
// ... and from the pinned Gateway API v1.5.1 CRDs (HTTPRoute, Gateway).
export * as gatewayApi from '../imports/gateway.networking.k8s.io';
// Flagger v1.44.0 (progressive delivery): the Canary the library emits, for escape hatches.
export * as flagger from '../imports/flagger.app';
// cert-manager v1.21.1: the Certificate an IngressGateway can write, for escape hatches.
export * as certManager from '../imports/cert-manager.io';
