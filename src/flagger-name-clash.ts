import { flaggerCanaryName, flaggerPrimaryName } from './manifests/flagger-objects';
import type { Mesh } from './mesh';
import type { ServiceRef } from './model';
import { validationMessage } from './private/errors';

/**
 * A service of the mesh that takes a name or pod label Flagger generates for a progressively delivered
 * service `x` of the same namespace (Flagger v1.44.0): Flagger creates Services and DestinationRules
 * `x-primary` and `x-canary` (pkg/router/kubernetes_default.go, pkg/router/istio.go) and labels its
 * primary pods `app: x-primary` (pkg/canary/deployment_controller.go makePrimaryLabels), which its
 * Services `x` and `x-primary` and the primary's PodDisruptionBudget select. A service named
 * `x-primary` or `x-canary` would have its Service and DestinationRule replaced by Flagger's, and one
 * whose pods carry `app: x-primary` would get x's traffic and count in x's disruption budget.
 * Returns the validation messages (a cdk8s validation of the service's construct, so it holds whatever
 * the declaration order of the service and the progressive route); `property` is the service's name
 * property, `podsProperty` the one that decides its pod labels.
 */
export function flaggerNameClashes(mesh: Mesh, ref: ServiceRef, property: string, podsProperty: string = property): string[] {
  const me = mesh.model.service(ref);
  if (!me) return [];
  const out: string[] = [];
  const progressiveBy = (apex: string): string | undefined => {
    if (apex === me.name || !mesh.model.service({ namespace: me.namespace, name: apex })) return undefined;
    const host = mesh.model.host({ namespace: me.namespace, name: apex });
    return host.progressive ? host.sources.progressive ?? apex : undefined;
  };
  const hint = (apex: string) => `rename ${me.name} (e.g. "${apex}-main"), or deliver ${apex} without progressive`;
  for (const [suffixed, what] of [
    [flaggerPrimaryName, 'Service and DestinationRule'],
    [flaggerCanaryName, 'Service and DestinationRule'],
  ] as const) {
    const apex = apexOf(me.name, suffixed);
    const by = apex !== undefined ? progressiveBy(apex) : undefined;
    if (apex === undefined || by === undefined) continue;
    out.push(validationMessage(property, me.name,
      `${apex} in namespace ${me.namespace} is delivered progressively by Flagger (${by}), which generates the ${what} ${suffixed(apex)} there and would replace this service's own`
      + (suffixed === flaggerPrimaryName ? `; it also labels its primary pods app: ${suffixed(apex)}, so its Services ${apex} and ${suffixed(apex)} and the primary's PodDisruptionBudget would select this service's pods` : ''),
      hint(apex)));
  }
  // pods labeled like Flagger's primary pods, under another service name (an adopted Deployment)
  const apps = new Set([me.selector.app, ...me.versions.map((v) => v.podLabels?.app)].filter((a): a is string => typeof a === 'string'));
  for (const app of apps) {
    const apex = apexOf(app, flaggerPrimaryName);
    if (apex === undefined || apex === apexOf(me.name, flaggerPrimaryName)) continue;
    const owner = mesh.model.services.find((s) => s.namespace === me.namespace && s.name !== me.name && (s.selector.app ?? s.name) === apex && progressiveBy(s.name) !== undefined);
    if (!owner) continue;
    out.push(validationMessage(podsProperty, `app: ${app}`,
      `${owner.name} in namespace ${me.namespace} is delivered progressively by Flagger (${progressiveBy(owner.name)}), which labels its primary pods app: ${app}: its Services ${owner.name} and ${flaggerPrimaryName(owner.name)} and the primary's PodDisruptionBudget would select this service's pods too`,
      `label this service's pods with another app value, or deliver ${owner.name} without progressive`));
  }
  return out;
}

/** `x` when `name` is `suffixed(x)` for a non-empty `x`. */
function apexOf(name: string, suffixed: (x: string) => string): string | undefined {
  const suffix = suffixed('');
  return name.length > suffix.length && name.endsWith(suffix) ? name.slice(0, -suffix.length) : undefined;
}
