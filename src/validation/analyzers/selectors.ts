/**
 * Workload selectors of Sidecar and Telemetry resources (pkg/config/analysis/analyzers/sidecar/selector.go,
 * telemetry/selector.go, telemetry/default_selector.go), rule by rule.
 */
import { strings } from '../../manifests';
import type { IndexedObject, StringMap, Workload } from '../../manifests';
import type { Analyzer, AnalyzerContext } from './context';
import { fullName, namespaceInAmbient, names, podInAmbient, q, selectorText } from './util';

/** The pods `selector` selects in the object's namespace, recorded per pod. */
function selectPods(ctx: AnalyzerContext, o: IndexedObject, selector: StringMap, perPod: Map<Workload, IndexedObject[]>): boolean {
  const hits = ctx.index.selectWorkloads(o.namespace, selector);
  for (const w of hits) perPod.set(w, [...(perPod.get(w) ?? []), o]);
  return hits.length > 0;
}

/**
 * IST0101 a Sidecar whose workloadSelector matches no pod in its namespace; IST0110 several Sidecars
 * selecting one pod (reported per pod); IST0111 several selector-less Sidecars in one namespace;
 * IST0167 a Sidecar whose pods or namespace are in ambient mode, where it has no effect.
 */
export const sidecarSelectorAnalyzer: Analyzer = {
  name: 'sidecar.SelectorAnalyzer',
  codes: ['IST0101', 'IST0110', 'IST0111', 'IST0167'],
  source: 'pkg/config/analysis/analyzers/sidecar/selector.go',
  analyze(ctx) {
    const perPod = new Map<Workload, IndexedObject[]>();
    const perNamespace = new Map<string, IndexedObject[]>();
    for (const sc of ctx.index.sidecars) {
      const selector = strings(sc.spec.workloadSelector?.labels);
      if (Object.keys(selector).length === 0) {
        perNamespace.set(sc.namespace, [...(perNamespace.get(sc.namespace) ?? []), sc]);
        continue;
      }
      if (!selectPods(ctx, sc, selector, perPod)) {
        ctx.report(sc, 'IST0101', `spec.workloadSelector.labels: selector ${q(selectorText(selector))} matches no pod in namespace ${q(sc.namespace)}`);
      }
    }
    const reported = new Set<IndexedObject>();
    for (const [pod, sidecars] of perPod) {
      const ambient = podInAmbient(ctx, pod);
      if (sidecars.length === 1 && !ambient) continue;
      for (const sc of sidecars) {
        if (ambient) {
          if (!reported.has(sc)) ctx.report(sc, 'IST0167', 'spec.workloadSelector: the selected workload is in ambient mode, the policy has no impact');
          reported.add(sc);
          continue;
        }
        ctx.report(sc, 'IST0110', `spec.workloadSelector: Sidecars ${names(sidecars).join(', ')} all select pod ${fullName(pod)}; only one Sidecar may select a workload`);
      }
    }
    for (const [ns, sidecars] of perNamespace) {
      if (namespaceInAmbient(ctx.index.namespaceObject(ns))) {
        for (const sc of sidecars) {
          if (!reported.has(sc)) ctx.report(sc, 'IST0167', 'spec: the namespace is in ambient mode, the policy has no impact');
          reported.add(sc);
        }
        continue;
      }
      if (sidecars.length < 2) continue;
      for (const sc of sidecars) {
        ctx.report(sc, 'IST0111', `spec: namespace ${q(ns)} has ${sidecars.length} Sidecars without workloadSelector (${names(sidecars).join(', ')}); at most one is allowed`);
      }
    }
  },
};

/**
 * IST0101 a Telemetry whose selector matches no pod in its namespace; IST0159 several Telemetry
 * resources selecting one pod (reported per pod). Telemetry without selector labels is not checked here.
 */
export const telemetrySelectorAnalyzer: Analyzer = {
  name: 'telemetry.SelectorAnalyzer',
  codes: ['IST0101', 'IST0159'],
  source: 'pkg/config/analysis/analyzers/telemetry/selector.go',
  analyze(ctx) {
    const perPod = new Map<Workload, IndexedObject[]>();
    for (const t of ctx.index.telemetries) {
      const selector = strings(t.spec.selector?.matchLabels);
      if (Object.keys(selector).length === 0) continue;
      if (!selectPods(ctx, t, selector, perPod)) {
        ctx.report(t, 'IST0101', `spec.selector.matchLabels: selector ${q(selectorText(selector))} matches no pod in namespace ${q(t.namespace)}`);
      }
    }
    for (const [pod, telemetries] of perPod) {
      if (telemetries.length < 2) continue;
      for (const t of telemetries) {
        ctx.report(t, 'IST0159', `spec.selector: Telemetry resources ${names(telemetries).join(', ')} all select pod ${fullName(pod)}; only one may select a workload`);
      }
    }
  },
};

/** IST0160: several Telemetry resources without `selector` in one namespace. */
export const telemetryDefaultSelectorAnalyzer: Analyzer = {
  name: 'telemetry.DefaultSelectorAnalyzer',
  codes: ['IST0160'],
  source: 'pkg/config/analysis/analyzers/telemetry/default_selector.go',
  analyze(ctx) {
    const perNamespace = new Map<string, IndexedObject[]>();
    for (const t of ctx.index.telemetries) {
      if (t.spec.selector !== undefined && t.spec.selector !== null) continue;
      perNamespace.set(t.namespace, [...(perNamespace.get(t.namespace) ?? []), t]);
    }
    for (const [ns, list2] of perNamespace) {
      if (list2.length < 2) continue;
      for (const t of list2) ctx.report(t, 'IST0160', `spec: namespace ${q(ns)} has ${list2.length} Telemetry resources without selector (${names(list2).join(', ')}); at most one is allowed`);
    }
  },
};

