/**
 * Cross-object checks over one deployable set: Istio's analyzers (`istioctl analyze`), one function per
 * Istio analyzer and named after it, with Istio's codes and levels, plus our own (CI3xxx). They all read
 * one typed {@link ManifestIndex}.
 */
import { ManifestIndex } from '../../manifests';
import type { ManifestObject } from '../../manifests';
import { authorizationPoliciesAnalyzer } from './authz';
import { AnalyzerFinding, FindingCollector } from './context';
import type { Analyzer } from './context';
import { serviceAssociationAnalyzer } from './deployment';
import { podNotSelectedAnalyzer } from './destinationrule';
import { injectionAnalyzer } from './injection';
import { MeshConfig, resolveMeshConfig } from './mesh-config';
import { workloadLabelsAnalyzer, telemetryProvidersAnalyzer } from './ours';
import { principalsAnalyzer } from './principals';
import { sidecarSelectorAnalyzer, telemetrySelectorAnalyzer } from './selectors';
import { portNameAnalyzer } from './service';
import {
  conflictingMeshGatewayHostsAnalyzer, destinationHostAnalyzer, destinationRuleAnalyzer, subsetTrafficAnalyzer, unreachableRulesAnalyzer,
} from './virtualservice';

export type { Analyzer, AnalyzerContext, AnalyzerFinding, AnalysisSettings } from './context';
export type { MeshConfig, MeshConfigView } from './mesh-config';

/** Every analyzer, Istio's first (alphabetically by Istio package), then ours. */
export const ANALYZERS: readonly Analyzer[] = [
  authorizationPoliciesAnalyzer,
  serviceAssociationAnalyzer,
  podNotSelectedAnalyzer,
  injectionAnalyzer,
  unreachableRulesAnalyzer,
  portNameAnalyzer,
  sidecarSelectorAnalyzer,
  telemetrySelectorAnalyzer,
  conflictingMeshGatewayHostsAnalyzer,
  destinationHostAnalyzer,
  destinationRuleAnalyzer,
  workloadLabelsAnalyzer,
  principalsAnalyzer,
  subsetTrafficAnalyzer,
  telemetryProvidersAnalyzer,
];

/** Options of the cross-object checks. */
export interface AnalyzerOptions {
  /**
   * Principals (`<trust-domain>/ns/<ns>/sa/<sa>`, `*` prefix/suffix patterns allowed) that
   * AuthorizationPolicies may name although no ServiceAccount in the set declares them.
   * @default - none
   */
  readonly externalPrincipals?: readonly string[];
  /**
   * The mesh root namespace.
   * @default - the mesh config's rootNamespace, else 'istio-system'
   */
  readonly rootNamespace?: string;
  /**
   * Run only the analyzers of these names (e.g. `virtualservice.DestinationHostAnalyzer`).
   * @default - every analyzer
   */
  readonly analyzers?: readonly string[];
  /**
   * The mesh config, parsed (e.g. from `lint --mesh-config FILE`).
   * @default - the mesh config in the set, else Istio's defaults
   */
  readonly meshConfig?: MeshConfig;
}

/** Runs the cross-object checks over one deployable set. */
export function analyze(manifests: readonly ManifestObject[], options: AnalyzerOptions = {}): AnalyzerFinding[] {
  const probe = new ManifestIndex(manifests, { rootNamespace: options.rootNamespace });
  const mesh = resolveMeshConfig(probe, options.meshConfig);
  const index = probe;
  const collector = new FindingCollector();
  const selected = options.analyzers ? new Set(options.analyzers) : undefined;
  const settings = { externalPrincipals: options.externalPrincipals ?? [] };
  for (const a of ANALYZERS) {
    if (selected && !selected.has(a.name)) continue;
    a.analyze(collector.contextFor(a, { index, mesh, settings }));
  }
  return collector.findings;
}
