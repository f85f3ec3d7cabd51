/**
 * Deprecated fields and kinds (pkg/config/analysis/analyzers/deprecation/).
 */
import { isObject, list, num, str } from '../../manifests';
import type { HttpRoute } from '../../manifests';
import type { Analyzer } from './context';

const REMOVED_RBAC_KINDS = ['ClusterRbacConfig', 'RbacConfig', 'ServiceRole', 'ServiceRoleBinding'];

/**
 * IST0002: `fault.delay.percent` in a VirtualService (use `percentage`); a Sidecar's
 * `outboundTrafficPolicy.egressProxy` (ignored); a CustomResourceDefinition of a removed rbac.istio.io kind.
 */
export const deprecationAnalyzer: Analyzer = {
  name: 'deprecation.FieldAnalyzer',
  codes: ['IST0002'],
  source: 'pkg/config/analysis/analyzers/deprecation/deprecation.go',
  analyze(ctx) {
    for (const vs of ctx.index.virtualServices) {
      list<HttpRoute>(vs.spec.http).forEach((r, i) => {
        if ((num(r?.fault?.delay?.percent) ?? 0) > 0) ctx.report(vs, 'IST0002', `spec.http[${i}].fault.delay.percent: HTTPRoute.fault.delay.percent is deprecated; use HTTPRoute.fault.delay.percentage`, 'fault.delay.percent');
      });
    }
    for (const sc of ctx.index.sidecars) {
      const otp = sc.spec.outboundTrafficPolicy;
      if (isObject(otp) && otp.egressProxy !== undefined && otp.egressProxy !== null) ctx.report(sc, 'IST0002', 'spec.outboundTrafficPolicy.egressProxy: OutboundTrafficPolicy.EgressProxy ignored');
    }
    for (const crd of ctx.index.customResourceDefinitions) {
      const kind = str(crd.spec.names?.kind);
      if (crd.spec.group === 'rbac.istio.io' && kind && REMOVED_RBAC_KINDS.includes(kind)) ctx.report(crd, 'IST0002', `spec: Custom resource type rbac.istio.io ${kind} is removed`);
    }
  },
};
