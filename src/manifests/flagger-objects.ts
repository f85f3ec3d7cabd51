/**
 * What Flagger creates for a `Canary` of the Istio provider once it has initialized it, so the
 * simulator can answer for a progressively delivered service from the manifests the library writes
 * (which leave those objects to Flagger). Stated once here, following Flagger v1.44.0:
 *
 * - `pkg/canary/deployment_controller.go`: the primary Deployment `<target>-primary`, a copy of the
 *   target whose selector label (the first of `app`, `name`, `app.kubernetes.io/name` the target's
 *   selector has: the `-selector-labels` default) gets the value `<value>-primary`
 *   (`makePrimaryLabels` keeps every other label);
 * - `pkg/router/kubernetes_default.go`: Services `<apex>` and `<apex>-primary` selecting the primary,
 *   `<apex>-canary` selecting the target, one port (`portName`, default `http`);
 * - `pkg/router/istio.go`: DestinationRules `<apex>-primary` and `<apex>-canary` with the Canary's
 *   `trafficPolicy`, and the VirtualService `<apex>` (`reconcileVirtualService`): hosts
 *   `service.hosts` plus the apex name, gateways `service.gateways` (`mesh` only when none is given),
 *   neither in delegation mode; with `analysis.match`, an A/B route (those matches merged with
 *   `service.match`) before the default route. Weights are Flagger's at rest: everything to the
 *   primary (an analysis moves the A/B route, or the default route's weights, to the canary).
 */
import { isObject, list, str } from './read';
import type { ManifestObject } from './types';

/**
 * The name Flagger gives what it derives from `x` for the primary: the Deployment `<target>-primary`,
 * the Service and DestinationRule `<apex>-primary`, and the selector label value `<value>-primary` of
 * the primary's pods.
 */
export function flaggerPrimaryName(x: string): string {
  return `${x}-primary`;
}

/** The name of the Service and DestinationRule Flagger generates for the canary: `<apex>-canary`. */
export function flaggerCanaryName(x: string): string {
  return `${x}-canary`;
}

/** Flagger's default `-selector-labels`, in the order it looks for them on the target's selector. */
const SELECTOR_LABELS = ['app', 'name', 'app.kubernetes.io/name'];

/** The objects Flagger creates for the Canaries of `objects`, leaving out any `objects` already has. */
export function flaggerObjects(objects: readonly ManifestObject[]): ManifestObject[] {
  const out: ManifestObject[] = [];
  for (const canary of objects) {
    if (canary?.kind !== 'Canary' || !String(canary.apiVersion ?? '').startsWith('flagger.app/')) continue;
    out.push(...canaryObjects(objects, canary));
  }
  const has = (o: ManifestObject) => objects.some((m) => m?.kind === o.kind && m.metadata?.name === o.metadata?.name && m.metadata?.namespace === o.metadata?.namespace);
  return out.filter((o) => !has(o));
}

function canaryObjects(objects: readonly ManifestObject[], canary: ManifestObject): ManifestObject[] {
  const spec: any = canary.spec ?? {};
  const provider = str(spec.provider);
  if (provider !== undefined && provider !== 'istio') return [];
  const namespace = canary.metadata?.namespace;
  const targetName = str(spec.targetRef?.name);
  const target: any = objects.find((o) => o?.kind === 'Deployment' && o.metadata?.name === targetName && o.metadata?.namespace === namespace);
  const service: any = isObject(spec.service) ? spec.service : {};
  if (!target || typeof service.port !== 'number') return [];
  const matchLabels: Record<string, string> = target.spec?.selector?.matchLabels ?? {};
  const label = SELECTOR_LABELS.find((l) => typeof matchLabels[l] === 'string');
  if (!label) return [];
  const value = matchLabels[label];
  const apex = str(service.name) ?? targetName!;
  const primary = flaggerPrimaryName(apex);
  const canaryName = flaggerCanaryName(apex);
  const primaryLabels = (labels: Record<string, string> | undefined) => ({ ...(labels ?? {}), [label]: flaggerPrimaryName(value) });
  const template = target.spec?.template ?? {};
  const out: ManifestObject[] = [{
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: flaggerPrimaryName(targetName!), namespace, labels: primaryLabels(target.metadata?.labels) },
    spec: {
      ...target.spec,
      selector: { matchLabels: { [label]: flaggerPrimaryName(value) } },
      template: { ...template, metadata: { ...(template.metadata ?? {}), labels: primaryLabels(template.metadata?.labels) } },
    },
  }];
  const port = { name: str(service.portName) ?? 'http', port: service.port, protocol: 'TCP', targetPort: service.targetPort ?? service.port };
  for (const [name, selected] of [[apex, flaggerPrimaryName(value)], [primary, flaggerPrimaryName(value)], [canaryName, value]]) {
    out.push({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { selector: { [label]: selected }, ports: [{ ...port }] } });
  }
  for (const name of [canaryName, primary]) {
    out.push({ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name, namespace }, spec: { host: name, ...(service.trafficPolicy ? { trafficPolicy: service.trafficPolicy } : {}) } });
  }
  out.push({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: apex, namespace }, spec: flaggerVirtualServiceSpec(spec, apex, primary, canaryName) });
  return out;
}

/** Flagger's VirtualService for a Canary at rest (pkg/router/istio.go reconcileVirtualService, makeDestination, mergeMatchConditions). */
export function flaggerVirtualServiceSpec(spec: any, apex: string, primary: string, canaryName: string): Record<string, unknown> {
  const service: any = spec.service ?? {};
  const delegation = service.delegation === true;
  const given = list<string>(service.gateways).map(String);
  let hosts = list<string>(service.hosts).map(String);
  if (!hosts.some((h) => h === apex || h === '*')) hosts = [...hosts, apex];
  const gateways = given.length === 0 ? ['mesh'] : given;
  // makeDestination names the port only with portDiscovery and a gateway (or delegation)
  const withPort = service.portDiscovery === true && ((given.length > 0 && given[0] !== 'mesh') || delegation);
  const dest = (host: string, weight: number) => ({ destination: { host, ...(withPort ? { port: { number: service.port } } : {}) }, weight });
  const serviceMatch = list<any>(service.match);
  const common = (): Record<string, unknown> => {
    const r: Record<string, unknown> = {};
    if (service.rewrite) r.rewrite = service.rewrite;
    if (service.timeout) r.timeout = service.timeout;
    if (service.retries) r.retries = service.retries;
    if (service.corsPolicy) r.corsPolicy = service.corsPolicy;
    if (service.headers) r.headers = service.headers;
    return r;
  };
  const withMatch = (m: readonly any[]) => (m.length > 0 ? { match: m } : {});
  const abMatch = list<any>(spec.analysis?.match);
  const http = abMatch.length > 0
    ? [
      { ...withMatch(mergeMatchConditions(abMatch, serviceMatch)), ...common(), route: [dest(primary, 100), dest(canaryName, 0)] },
      { ...withMatch(serviceMatch), ...common(), route: [dest(primary, 100)] },
    ]
    : [{ ...withMatch(serviceMatch), ...common(), route: [dest(primary, 100), dest(canaryName, 0)] }];
  return { hosts: delegation ? [] : hosts, gateways: delegation ? [] : gateways, http };
}

/** Each A/B match laid over each `service.match` block: its headers and sourceLabels replace the block's. */
function mergeMatchConditions(canary: readonly any[], defaults: readonly any[]): any[] {
  if (defaults.length === 0) return [...canary];
  return canary.flatMap((c) => defaults.map((d) => ({
    ...d,
    ...(c?.headers !== undefined ? { headers: c.headers } : {}),
    ...(c?.sourceLabels !== undefined ? { sourceLabels: c.sourceLabels } : {}),
  })));
}
