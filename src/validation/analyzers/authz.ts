/**
 * AuthorizationPolicy analyzers (pkg/config/analysis/analyzers/authz/).
 */
import { list, strings } from '../../manifests';
import type { AuthzSource } from '../../manifests';
import type { Analyzer } from './context';
import { patternMatch } from './principals';
import { podsOf, q } from './util';

/** IST0127 selector matches no workload; IST0101 a source namespace no Namespace matches. */
export const authorizationPoliciesAnalyzer: Analyzer = {
  name: 'authz.AuthorizationPoliciesAnalyzer',
  codes: ['IST0101', 'IST0127'],
  source: 'pkg/config/analysis/analyzers/authz/authorizationpolicies.go',
  analyze(ctx) {
    const root = ctx.index.rootNamespace;
    const knownNs = new Set<string>();
    for (const o of ctx.index.objects) {
      if (typeof o.manifest.metadata?.namespace === 'string' && o.manifest.metadata.namespace) knownNs.add(o.manifest.metadata.namespace);
      if (o.kind === 'Namespace' && o.group === '') knownNs.add(o.name);
    }
    for (const ap of ctx.index.authorizationPolicies) {
      const sel = strings(ap.spec.selector?.matchLabels);
      if (Object.keys(sel).length) {
        const hits = podsOf(ctx, ap.namespace === root ? undefined : ap.namespace, sel);
        if (hits.length === 0) ctx.report(ap, 'IST0127', `spec.selector.matchLabels: ${q(sel)} matches no workload${ap.namespace === root ? '' : ` in namespace ${q(ap.namespace)}`}`);
      }
      list(ap.spec.rules).forEach((rule, i) => {
        list(rule?.from).forEach((f, j) => {
          const src: AuthzSource = f?.source ?? {};
          for (const k of ['namespaces', 'notNamespaces'] as const) {
            list<string>(src[k]).forEach((n, x) => {
              if (typeof n === 'string' && n !== '' && ![...knownNs].some((kn) => patternMatch(n, kn))) {
                ctx.report(ap, 'IST0101', `spec.rules[${i}].from[${j}].source.${k}[${x}]: namespace ${q(n)} matches no Namespace in this set`);
              }
            });
          }
        });
      });
    }
  },
};
