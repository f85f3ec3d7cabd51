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

// Validation layer (docs/validation.md)
export { validateManifests, MeshValidator, celCoverage, resetCelCounters, Suppressions, Validation, SUPPRESS_ANNOTATION } from './validation';
export type { ValidationOptions, ValidationChecks, CelCoverage, CelRuntimeCounters, Suppression, AnalyzerOptions } from './validation';
export { CHECKS, checkInfo } from './validation/codes';
export type { CheckInfo } from './validation/codes';
export { MeshValidationPlugin } from './validation/plugin';
export type { MeshValidationPluginProps, MeshValidationPluginContext } from './validation/plugin';
export { MeshConfigError } from './private/errors';
export { toYaml, toYamlDocuments } from './synth/yaml';

// Escape hatch: the raw classes `cdk8s import` generated from the pinned Istio 1.30.3 CRDs.
export * as networking from '../imports/networking.istio.io';
export * as security from '../imports/security.istio.io';
export * as telemetry from '../imports/telemetry.istio.io';
export * as extensions from '../imports/extensions.istio.io';
