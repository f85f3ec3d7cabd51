// Constructs
export * from './mesh';
export * from './mesh-namespace';
export * from './traced-service';
export * from './host-traffic';
export * from './identity';
export * from './mesh-app';
export * from './warnings';

// Value objects
export * from './values/data-plane';
export * from './values/custom-tag';
export * from './values/extension-provider';

// Intent (read by renderers, validators and the simulator)
export * from './intent/traffic';
export * from './validation/types';
export { MeshConfigError } from './private/errors';
export { toYaml, toYamlDocuments } from './synth/yaml';

// Offline simulator: route, authorize and graph over manifests (docs/simulator.md)
export { MeshSimulator } from './simulator/simulator';
export type * from './simulator/types';
export { MeshModel, loadManifestFiles, parseManifestText } from './simulator/model';
export type { MeshModelOptions, ManifestObject, IndexedObject, Workload } from './simulator/model';
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
