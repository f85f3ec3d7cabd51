/**
 * The typed manifest index shared by the analyzers (src/validation/analyzers) and the simulator:
 * manifests in, objects by kind, pods by label, Services and Namespaces by name, hosts resolved.
 */
export { ManifestIndex, flattenManifests, podView } from './manifest-index';
export type { IndexedObject, ManifestIndexOptions, Workload } from './manifest-index';
export type * from './types';
export * from './read';
export { installedGatewayObjects, installedGatewaysOf } from './installed-gateways';
export { ISTIO_PROXY, allContainers, capturedByAmbient, namespaceInAmbient, podInAmbient, podInSidecarMesh } from './data-plane';
export { flaggerObjects, flaggerVirtualServiceSpec } from './flagger-objects';
export { deployedElsewhereAnnotation, deployedElsewhereObjects } from './deployed-elsewhere';
export type { DeployedElsewhere } from './deployed-elsewhere';
