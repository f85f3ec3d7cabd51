/**
 * Authentication analyzers (pkg/config/analysis/analyzers/authn/).
 */
import { list, str, strings } from '../../manifests';
import type { Container } from '../../manifests';
import type { Analyzer } from './context';
import { fullName } from './util';

/**
 * IST0175: RequestAuthentications exist, but an istiod Deployment (label `app=istiod`) does not set
 * `BLOCKED_CIDRS_IN_JWKS_URIS`, so istiod fetches any `jwksUri`, internal addresses included.
 */
export const blockedCidrsAnalyzer: Analyzer = {
  name: 'authn.BlockedCIDRsAnalyzer',
  codes: ['IST0175'],
  source: 'pkg/config/analysis/analyzers/authn/blockedcidrs.go',
  analyze(ctx) {
    const ras = ctx.index.requestAuthentications.map(fullName);
    if (ras.length === 0) return;
    const shown = ras.length <= 5 ? ras.join(', ') : `${ras.slice(0, 5).join(', ')}, and ${ras.length - 5} more`;
    for (const d of ctx.index.deployments) {
      if (strings(d.metadata.labels).app !== 'istiod') continue;
      const set = list<Container>(d.spec.template?.spec?.containers).some((c) => list(c?.env).some((e) => e?.name === 'BLOCKED_CIDRS_IN_JWKS_URIS' && str(e?.value)));
      if (set) continue;
      ctx.report(d, 'IST0175', `spec.template.spec.containers: ${ras.length} RequestAuthentication(s) (${shown}) exist, but istiod does not set BLOCKED_CIDRS_IN_JWKS_URIS, so it would fetch a jwksUri on any address`);
    }
  },
};
