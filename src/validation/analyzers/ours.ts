/**
 * Our own cross-object checks (CI3xxx) that have no Istio analyzer.
 */
import { list, str } from '../../manifests';
import type { Analyzer } from './context';
import { allPods, q } from './util';

/** CI3001: pod templates without `app` and `version` labels. */
export const workloadLabelsAnalyzer: Analyzer = {
  name: 'cdk8s-istio.WorkloadLabelsAnalyzer',
  codes: ['CI3001'],
  source: 'istio-rules.md §2 (ours)',
  analyze(ctx) {
    for (const w of allPods(ctx)) {
      const missing = ['app', 'version'].filter((k) => !w.labels[k]);
      if (missing.length) {
        ctx.report(w, 'CI3001', `spec.template.metadata.labels: missing ${missing.map((k) => q(k)).join(' and ')}; Istio uses app and version labels for telemetry, tracing and subsets`);
      }
    }
  },
};

/** CI3004: a Telemetry provider that is no extension provider of the mesh config in the set. */
export const telemetryProvidersAnalyzer: Analyzer = {
  name: 'cdk8s-istio.TelemetryProvidersAnalyzer',
  codes: ['CI3004'],
  source: 'istio-rules.md §1 Telemetry, §5 (ours)',
  analyze(ctx) {
    if (ctx.mesh.source === 'default') return;
    const known = ctx.mesh.providerNames;
    for (const t of ctx.index.telemetries) {
      for (const section of ['tracing', 'accessLogging', 'metrics'] as const) {
        list<{ providers?: unknown }>(t.spec[section]).forEach((s, i) => {
          list<{ name?: unknown }>(s?.providers).forEach((p, j) => {
            const name = str(p?.name);
            if (name && !known.has(name)) {
              ctx.report(t, 'CI3004', `spec.${section}[${i}].providers[${j}].name: provider ${q(name)} is not an extensionProvider in the mesh config in this set (known: ${[...known].sort().join(', ')}); Istio would silently ignore it`);
            }
          });
        });
      }
    }
  },
};
