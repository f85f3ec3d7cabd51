/**
 * CI3002 (ours): every principal and ServiceAccount an AuthorizationPolicy names belongs to a
 * ServiceAccount of the set, or is declared external.
 */
import { list } from '../../manifests';
import type { AuthzSource } from '../../manifests';
import { policyValueMatch } from '../../rules/authz-match';
import { parseSpiffePrincipal, spiffePrincipal } from '../../rules/spiffe';
import { EXTERNAL_PRINCIPALS_ANNOTATION } from '../suppress';
import type { Analyzer } from './context';
import { q } from './util';

/** CI3002: principals that name no ServiceAccount of the set and are not declared external. */
export const principalsAnalyzer: Analyzer = {
  name: 'cdk8s-istio.PrincipalsAnalyzer',
  codes: ['CI3002'],
  source: 'istio-rules.md §2 (ours)',
  analyze(ctx) {
    const serviceAccounts = new Set<string>();
    for (const sa of ctx.index.ofKind('ServiceAccount', '')) serviceAccounts.add(`${sa.namespace}/${sa.name}`);
    // Istio deploys a waypoint Gateway with a ServiceAccount of the Gateway's name: its identity is known.
    for (const gw of ctx.index.ofKind('Gateway', 'gateway.networking.k8s.io')) {
      if (gw.spec.gatewayClassName === 'istio-waypoint') serviceAccounts.add(`${gw.namespace}/${gw.name}`);
    }
    const external = ctx.settings.externalPrincipals;
    const knownPrincipal = (p: string): boolean => {
      if (external.some((e) => policyValueMatch(e, p) || policyValueMatch(p, e))) return true;
      const id = parseSpiffePrincipal(p);
      if (p === '*') return true;
      if (!id) return false;
      if (!id.namespace.includes('*') && !id.serviceAccount.includes('*')) return serviceAccounts.has(`${id.namespace}/${id.serviceAccount}`);
      for (const sa of serviceAccounts) {
        const [ns, name] = sa.split('/');
        if (policyValueMatch(id.namespace, ns) && policyValueMatch(id.serviceAccount, name)) return true;
      }
      return false;
    };
    for (const ap of ctx.index.authorizationPolicies) {
      const declared = String(ap.metadata.annotations?.[EXTERNAL_PRINCIPALS_ANNOTATION] ?? '').split(',').filter(Boolean);
      const known = (p: string): boolean => declared.includes(p) || knownPrincipal(p);
      list(ap.spec.rules).forEach((rule, i) => {
        list(rule?.from).forEach((f, j) => {
          const src: AuthzSource = f?.source ?? {};
          const p = `spec.rules[${i}].from[${j}].source`;
          for (const k of ['principals', 'notPrincipals'] as const) {
            list<string>(src[k]).forEach((pr, x) => {
              if (typeof pr === 'string' && pr !== '' && !known(pr)) {
                ctx.report(ap, 'CI3002', `${p}.${k}[${x}]: principal ${q(pr)} belongs to no ServiceAccount in this set; declare it in externalPrincipals if it lives elsewhere`);
              }
            });
          }
          list<string>(src.serviceAccounts).forEach((sa, x) => {
            if (typeof sa !== 'string' || sa === '') return;
            const [n, a] = sa.includes('/') ? sa.split('/') : [ap.namespace, sa];
            if (!knownPrincipal(spiffePrincipal(ctx.index.trustDomain, n, a))) {
              ctx.report(ap, 'CI3002', `${p}.serviceAccounts[${x}]: ${q(sa)} is no ServiceAccount in this set; declare it in externalPrincipals if it lives elsewhere`);
            }
          });
        });
      });
    }
  },
};
