/**
 * AuthorizationPolicy analyzers (pkg/config/analysis/analyzers/authz/), rule by rule.
 */
import { list, str, strings } from '../../manifests';
import type { AuthzSource, StringMap, Workload } from '../../manifests';
import { analyzerNamespaceMatch } from '../../rules/authz-match';
import { parseSpiffePrincipal } from '../../rules/spiffe';
import { EXTERNAL_PRINCIPALS_ANNOTATION } from '../suppress';
import type { Analyzer } from './context';
import { podInAmbient, podInMesh, q, selectorText } from './util';

/**
 * IST0127: a policy that applies to no pod in the mesh or ambient (a mesh-wide one with a selector
 * that matches no pod anywhere; a namespace-wide one in a namespace without pods; a selector that
 * matches no pod of its namespace). IST0101: a `namespaces`/`notNamespaces` pattern no Namespace matches.
 */
export const authorizationPoliciesAnalyzer: Analyzer = {
  name: 'authz.AuthorizationPoliciesAnalyzer',
  codes: ['IST0101', 'IST0127'],
  source: 'pkg/config/analysis/analyzers/authz/authorizationpolicies.go',
  analyze(ctx) {
    // Pods the policies can apply to: in the sidecar mesh or in ambient (`initPodLabelsMap`).
    const applicable = new Map<Workload, boolean>();
    const meshPod = (w: Workload): boolean => {
      let v = applicable.get(w);
      if (v === undefined) applicable.set(w, (v = podInMesh(ctx, w) || podInAmbient(ctx, w)));
      return v;
    };
    const anyPod = (namespace: string | undefined, selector: StringMap): boolean => ctx.index.anyWorkload(namespace, selector, meshPod);
    const namespaces = ctx.index.ofKind('Namespace', '').map((n) => n.name);
    const root = ctx.index.rootNamespace;
    const external = externalNamespaces(ctx.settings.externalPrincipals);
    for (const ap of ctx.index.authorizationPolicies) {
      // The namespaces of callers declared outside the set (ours: Istio knows only the cluster's Namespaces).
      const declared = [...external, ...externalNamespaces(str(ap.metadata.annotations?.[EXTERNAL_PRINCIPALS_ANNOTATION])?.split(',') ?? [])];
      const hasSelector = ap.spec.selector !== undefined && ap.spec.selector !== null;
      const selector = strings(ap.spec.selector?.matchLabels);
      // matchLabels of the wrong type is a schema error (CI1001) that selects nothing Istio could read:
      // reporting it as a selector of no pods would only repeat it (consumer trial F7)
      const labels = ap.spec.selector?.matchLabels;
      if (labels !== undefined && labels !== null && (typeof labels !== 'object' || Array.isArray(labels))) {
        // no selector verdict; the rules below are still checked
      } else if (ap.namespace === root) {
        if (hasSelector && !anyPod(undefined, selector)) {
          ctx.report(ap, 'IST0127', `spec.selector: ${q(selectorText(selector))} matches no pod in the mesh`);
        }
      } else if (!hasSelector) {
        if (!anyPod(ap.namespace, {})) ctx.report(ap, 'IST0127', `spec: namespace ${q(ap.namespace)} has no pod in the mesh for this policy to apply to`);
      } else if (!anyPod(ap.namespace, selector)) {
        ctx.report(ap, 'IST0127', `spec.selector: ${q(selectorText(selector))} matches no pod in the mesh in namespace ${q(ap.namespace)}`);
      }
      list(ap.spec.rules).forEach((rule, i) => {
        list(rule?.from).forEach((f, j) => {
          const src: AuthzSource = f?.source ?? {};
          for (const field of ['namespaces', 'notNamespaces'] as const) {
            list<string>(src[field]).forEach((pattern, k) => {
              const p = str(pattern) ?? '';
              if (!namespaces.some((ns) => analyzerNamespaceMatch(ns, p)) && !declared.some((ns) => analyzerNamespaceMatch(ns, p))) {
                ctx.report(ap, 'IST0101', `spec.rules[${i}].from[${j}].source.${field}[${k}]: namespace ${q(p)} matches no Namespace in this set`);
              }
            });
          }
        });
      });
    }
  },
};

/** The namespaces of principals `<trust-domain>/ns/<ns>/sa/<sa>` (`parseSpiffePrincipal`; patterns with `*` in the namespace skipped). */
function externalNamespaces(principals: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of principals) {
    const id = parseSpiffePrincipal(p.trim());
    if (id && !id.namespace.includes('*')) out.push(id.namespace);
  }
  return out;
}
