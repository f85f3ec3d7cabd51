/**
 * DestinationRule analyzers (pkg/config/analysis/analyzers/destinationrule/).
 */
import { list, str } from '../../manifests';
import type { StringMap } from '../../manifests';
import type { Analyzer } from './context';
import { hostFqdn, hostKnown, podsOf, q } from './util';

/** IST0174 unknown host; IST0173 a subset selects no pod. */
export const podNotSelectedAnalyzer: Analyzer = {
  name: 'destinationrule.PodNotSelectedAnalyzer',
  codes: ['IST0173', 'IST0174'],
  source: 'pkg/config/analysis/analyzers/destinationrule/subset.go',
  analyze(ctx) {
    for (const dr of ctx.index.destinationRules) {
      const host = str(dr.spec.host);
      if (host === undefined) continue;
      const h = hostFqdn(ctx, host, dr.namespace);
      if (h.includes('*')) continue;
      if (!hostKnown(ctx, h)) {
        ctx.report(dr, 'IST0174', `spec.host: ${q(host)} matches no Service or ServiceEntry in this set`);
        continue;
      }
      const svc = ctx.index.serviceOfHost(h);
      if (!svc) continue;
      list<{ name?: string; labels?: StringMap }>(dr.spec.subsets).forEach((s, i) => {
        const sel = { ...(svc.spec.selector ?? {}), ...(s?.labels ?? {}) };
        if (podsOf(ctx, svc.namespace, sel).length === 0) {
          ctx.report(dr, 'IST0173', `spec.subsets[${i}]: subset ${q(s?.name)} labels ${q(s?.labels ?? {})} select no pods of Service ${svc.namespace}/${svc.name}`);
        }
      });
    }
  },
};
