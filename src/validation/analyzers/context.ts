/**
 * What every analyzer gets: the typed manifest index of one deployable set, the effective mesh config,
 * the caller's settings, and a way to report a finding with an Istio (or our) code.
 */
import type { IndexedObject, ManifestIndex, ManifestObject } from '../../manifests';
import { checkInfo } from '../codes';
import type { RawFinding } from '../report';
import type { HostRegistry } from './hosts';
import type { MeshConfigView } from './mesh-config';

/** A cross-object finding, the manifest it is about, and the analyzer that found it. */
export interface AnalyzerFinding extends RawFinding {
  readonly target: ManifestObject;
  /** The analyzer's name, e.g. `virtualservice.DestinationHostAnalyzer`. */
  readonly analyzer: string;
}

/** Settings of one analysis run that are not in the manifests. */
export interface AnalysisSettings {
  /**
   * Principals (`<trust-domain>/ns/<ns>/sa/<sa>`, `*` prefix/suffix patterns allowed) that
   * AuthorizationPolicies may name although no ServiceAccount in the set declares them.
   */
  readonly externalPrincipals: readonly string[];
}

/** The view of one analysis run an analyzer works on. */
export interface AnalyzerContext {
  /** The manifests of the set, indexed. */
  readonly index: ManifestIndex;
  /** The effective mesh config (explicit, found in the set, or Istio's defaults). */
  readonly mesh: MeshConfigView;
  readonly settings: AnalysisSettings;
  /** Every ServiceEntry and Service host, by visibility. */
  readonly hosts: HostRegistry;
  /**
   * Reports `code` about `target`; the level is the code's, from the checks table. Like `istioctl
   * analyze`, which drops messages that print the same (same parameters and line), a finding with the
   * same target, code and `key` as an earlier one is dropped.
   * @param key what makes this finding distinct, as Istio's message parameters and line do. @default the message
   */
  report(target: IndexedObject, code: string, message: string, key?: string): void;
}

/**
 * One analyzer: a small function over the index, named after the Istio analyzer it follows (its Go
 * package and type, e.g. `virtualservice.DestinationHostAnalyzer`), or `cdk8s-istio.<Name>` for ours.
 */
export interface Analyzer {
  readonly name: string;
  /** Every code it can report. */
  readonly codes: readonly string[];
  /** Where the rules come from. */
  readonly source: string;
  analyze(ctx: AnalyzerContext): void;
}

/** Collects findings for several analyzers over one context. */
export class FindingCollector {
  public readonly findings: AnalyzerFinding[] = [];
  private readonly seen = new Map<ManifestObject, Set<string>>();

  constructor(private readonly skip: ReadonlySet<ManifestObject> = new Set()) {}

  /** The context `analyzer` reports through. */
  public contextFor(analyzer: Analyzer, base: Omit<AnalyzerContext, 'report'>): AnalyzerContext {
    const report = (target: IndexedObject, code: string, message: string, key: string = message): void => {
      if (!analyzer.codes.includes(code)) throw new Error(`analyzer ${analyzer.name} reported ${code}, which it does not declare`);
      const info = checkInfo(code);
      if (!info) throw new Error(`analyzer ${analyzer.name} reported ${code}, which the checks table does not list`);
      if (this.skip.has(target.manifest)) return;
      const seen = this.seen.get(target.manifest) ?? new Set<string>();
      this.seen.set(target.manifest, seen);
      const identity = `${analyzer.name}\u0000${code}\u0000${key}`;
      if (seen.has(identity)) return;
      seen.add(identity);
      this.findings.push({ target: target.manifest, code, level: info.level, message, analyzer: analyzer.name });
    };
    return { ...base, report };
  }
}
