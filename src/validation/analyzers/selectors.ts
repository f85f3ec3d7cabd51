/**
 * Workload-selector conflicts of Sidecar and Telemetry resources
 * (pkg/config/analysis/analyzers/sidecar/selector.go, telemetry/selector.go, telemetry/default_selector.go).
 */
import type { IndexedObject, StringMap, Workload } from '../../manifests';
import type { Analyzer, AnalyzerContext } from './context';
import { podsOf, q } from './util';

function selectorConflicts(ctx: AnalyzerContext, objs: readonly IndexedObject[], selectorOf: (o: IndexedObject) => StringMap | undefined,
  conflictCode: string, multiCode: string, kind: string): void {
  const selectorless = new Map<string, IndexedObject[]>();
  const perWorkload = new Map<Workload, IndexedObject[]>();
  for (const o of objs) {
    const sel = selectorOf(o);
    if (!sel || Object.keys(sel).length === 0) {
      if (o.spec.targetRefs || o.spec.targetRef) continue;
      selectorless.set(o.namespace, [...(selectorless.get(o.namespace) ?? []), o]);
      continue;
    }
    for (const w of podsOf(ctx, o.namespace, sel)) perWorkload.set(w, [...(perWorkload.get(w) ?? []), o]);
  }
  for (const [ns, list] of selectorless) {
    if (list.length < 2) continue;
    for (const o of list) {
      ctx.report(o, multiCode, `spec: namespace ${q(ns)} has ${list.length} ${kind} resources without a workload selector (${list.map((x) => x.name).sort().join(', ')}); at most one is allowed`);
    }
  }
  for (const [w, list] of perWorkload) {
    if (list.length < 2) continue;
    for (const o of list) {
      ctx.report(o, conflictCode, `spec.selector: selects workload ${w.namespace}/${w.name}, which ${list.length - 1} other ${kind} resource(s) also select (${list.map((x) => x.name).sort().join(', ')})`);
    }
  }
}

/** IST0110 / IST0111: Sidecars selecting the same workload, or several without selector in a namespace. */
export const sidecarSelectorAnalyzer: Analyzer = {
  name: 'sidecar.SelectorAnalyzer',
  codes: ['IST0110', 'IST0111'],
  source: 'pkg/config/analysis/analyzers/sidecar/selector.go',
  analyze(ctx) {
    selectorConflicts(ctx, ctx.index.sidecars, (o) => o.spec.workloadSelector?.labels, 'IST0110', 'IST0111', 'Sidecar');
  },
};

/** IST0159 / IST0160: Telemetry resources selecting the same workload, or several without selector. */
export const telemetrySelectorAnalyzer: Analyzer = {
  name: 'telemetry.SelectorAnalyzer',
  codes: ['IST0159', 'IST0160'],
  source: 'pkg/config/analysis/analyzers/telemetry/selector.go',
  analyze(ctx) {
    selectorConflicts(ctx, ctx.index.telemetries, (o) => o.spec.selector?.matchLabels, 'IST0159', 'IST0160', 'Telemetry');
  },
};
