/**
 * Injection analyzers (pkg/config/analysis/analyzers/injection/).
 */
import type { Analyzer } from './context';
import { allPods, q } from './util';

/** IST0102: a namespace without sidecar injection. */
export const injectionAnalyzer: Analyzer = {
  name: 'injection.Analyzer',
  codes: ['IST0102'],
  source: 'pkg/config/analysis/analyzers/injection/injection.go',
  analyze(ctx) {
    for (const w of allPods(ctx)) {
      const nsObj = ctx.index.namespaceObject(w.namespace);
      const l = nsObj?.metadata.labels ?? {};
      if (nsObj && l['istio-injection'] !== 'enabled' && !l['istio.io/rev'] && l['istio.io/dataplane-mode'] !== 'ambient') {
        ctx.report(w, 'IST0102', `metadata.namespace: namespace ${q(w.namespace)} has neither istio-injection=enabled nor istio.io/rev, so this workload gets no sidecar`);
      }
    }
  },
};
