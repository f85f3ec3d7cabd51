/**
 * Gateway API analyzers (pkg/config/analysis/analyzers/k8sgateway/).
 */
import { str, strings } from '../../manifests';
import type { IndexedObject, PolicyTargeting, StringMap } from '../../manifests';
import type { Analyzer } from './context';
import { q } from './util';

const GATEWAY_NAME = 'gateway.networking.k8s.io/gateway-name';

/**
 * IST0166: an AuthorizationPolicy, RequestAuthentication, Telemetry or WasmPlugin whose `selector`
 * selects the pods of a Gateway API gateway, where selectors have no effect (use `targetRef`).
 */
export const k8sGatewaySelectorAnalyzer: Analyzer = {
  name: 'k8sgateway.SelectorAnalyzer',
  codes: ['IST0166'],
  source: 'pkg/config/analysis/analyzers/k8sgateway/workloadselector.go',
  analyze(ctx) {
    const gatewayPods = new Map<string, StringMap[]>();
    for (const pod of ctx.index.workloads) {
      if (!Object.prototype.hasOwnProperty.call(pod.labels, GATEWAY_NAME)) continue;
      gatewayPods.set(pod.namespace, [...(gatewayPods.get(pod.namespace) ?? []), pod.labels]);
    }
    const policies: readonly IndexedObject<PolicyTargeting>[] = [
      ...ctx.index.authorizationPolicies, ...ctx.index.requestAuthentications, ...ctx.index.telemetries,
      ...ctx.index.ofKind<PolicyTargeting>('WasmPlugin', 'extensions.istio.io'),
    ];
    for (const p of policies) {
      if (p.spec.targetRef !== undefined && p.spec.targetRef !== null) continue;
      if (p.spec.selector === undefined || p.spec.selector === null) continue;
      const selector = strings(p.spec.selector.matchLabels);
      for (const labels of gatewayPods.get(p.namespace) ?? []) {
        if (!Object.keys(selector).every((k) => labels[k] === selector[k])) continue;
        ctx.report(p, 'IST0166', `spec.selector: selects the pods of Gateway ${q(labels[GATEWAY_NAME])}, where a selector has no effect; use targetRefs`);
      }
    }
  },
};

/** The minimum Gateway API bundle version this Istio needs per CRD (pkg/config/schema/gatewayapi/minimumversions.go). */
const MINIMUM_CRD_VERSIONS: Readonly<Record<string, readonly [number, number, number]>> = {
  'grpcroutes.gateway.networking.k8s.io': [1, 1, 0],
  'backendtlspolicies.gateway.networking.k8s.io': [1, 4, 0],
  'tlsroutes.gateway.networking.k8s.io': [1, 5, 0],
};

/** A semantic version as Masterminds/semver reads it leniently (`v1.2`, `1.2.3-rc.1`), without pre-release. */
function parseVersion(v: string): [number, number, number] | undefined {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)] : undefined;
}

/** IST0176: a Gateway API CRD whose `bundle-version` is below what Istio 1.30 needs; istiod ignores it. */
export const crdVersionAnalyzer: Analyzer = {
  name: 'k8sgateway.CRDVersionAnalyzer',
  codes: ['IST0176'],
  source: 'pkg/config/analysis/analyzers/k8sgateway/crdversion.go',
  analyze(ctx) {
    for (const crd of ctx.index.customResourceDefinitions) {
      const minimum = MINIMUM_CRD_VERSIONS[crd.name];
      const installed = str(crd.metadata.annotations?.['gateway.networking.k8s.io/bundle-version']);
      if (!minimum || installed === undefined) continue;
      const v = parseVersion(installed);
      if (!v) continue;
      const below = v[0] !== minimum[0] ? v[0] < minimum[0] : v[1] !== minimum[1] ? v[1] < minimum[1] : v[2] < minimum[2];
      if (below) ctx.report(crd, 'IST0176', `metadata.annotations["gateway.networking.k8s.io/bundle-version"]: CRD ${crd.name} is at ${installed}, below the ${minimum.join('.')} Istio 1.30 needs; istiod will not watch it`);
    }
  },
};
