import { Duration } from 'cdk8s';
import { parseDurationMs, renderDuration } from '../rules/duration';
import { labelsMatch } from '../rules/labels';
import { IndexedObject, ManifestIndex, Workload } from '../manifests';
import { RetryResult, RouteDestination } from './types';
import { codeUnitOrder } from '../private/order';

/**
 * What every routing API shares once a rule is chosen: weights in percent, retries and timeouts as
 * Istio renders them, and the subset checks.
 */

/** Istio's retry policy for a route that sets none (`DefaultPolicy` in pilot's retry.go). */
export const ISTIO_DEFAULT_RETRIES: RetryResult = Object.freeze({
  attempts: 2,
  retryOn: 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes',
  default: true,
});

/** Weight in percent: weight / sum × 100, no rounding; a lone destination without weight takes 100. */
export function weigh(entries: { host: string; subset?: string; port?: number; raw?: number }[]): RouteDestination[] {
  const sum = entries.reduce((s, e) => s + (typeof e.raw === 'number' ? e.raw : 0), 0);
  return entries.map((e) => {
    const weight = entries.length === 1 ? 100 : sum === 0 ? 0 : ((typeof e.raw === 'number' ? e.raw : 0) * 100) / sum;
    return { host: e.host, ...(e.subset !== undefined ? { subset: e.subset } : {}), ...(e.port !== undefined ? { port: e.port } : {}), weight };
  });
}

/** Istio's ConvertPolicy: unset → default; attempts ≤ 0 → disabled; else default overridden field by field. */
export function retriesOf(retries: any): RetryResult {
  if (retries === undefined || retries === null) return ISTIO_DEFAULT_RETRIES;
  const attempts = Number(retries.attempts ?? 0);
  if (!(attempts > 0)) return { attempts: 0 };
  let retryOn = typeof retries.retryOn === 'string' && retries.retryOn !== '' ? retries.retryOn : ISTIO_DEFAULT_RETRIES.retryOn!;
  // Istio adds retriable-status-codes when retryOn lists bare status codes.
  if (retryOn.split(',').some((t: string) => /^\d+$/.test(t)) && !retryOn.includes('retriable-status-codes')) retryOn += ',retriable-status-codes';
  return {
    attempts,
    ...(retries.perTryTimeout ? { perTryTimeout: normalizeDuration(retries.perTryTimeout) } : {}),
    retryOn,
  };
}

/** Renders a duration canonically (`10s`, `1500ms`), so `10s` and `10000ms` compare equal. */
export function normalizeDuration(d: string): string {
  const ms = parseDurationMs(String(d));
  return ms === undefined ? String(d) : renderDuration(Duration.millis(ms));
}

/** Warns about a subset that no DestinationRule defines, or whose labels select no pods. */
export function checkDestination(model: ManifestIndex, d: RouteDestination, warnings: string[]): void {
  const svc = model.serviceOfHost(d.host);
  if (!svc) {
    if (d.host.endsWith(`.svc.${model.domainSuffix}`)) warnings.push(`destination ${d.host} names no Service in the manifests (IST0101)`);
    else if (!model.serviceEntryFor(d.host)) {
      warnings.push(`destination ${d.host} names no Service or ServiceEntry (IST0101): istiod takes a host with a dot as written, not as <svc>.<ns>.svc.${model.domainSuffix}, so Envoy has no cluster for it`);
    }
    return;
  }
  const pods = model.workloadsOfService(svc);
  if (d.subset === undefined) {
    if (pods.length === 0) warnings.push(`destination ${d.host} has no pods: Service ${svc.namespace}/${svc.name} selects no workload`);
    return;
  }
  const drs = destinationRulesFor(model, d.host);
  const subset = drs.flatMap((dr) => (dr.spec.subsets ?? []) as any[]).find((s) => s?.name === d.subset);
  if (!subset) {
    warnings.push(`subset ${d.subset} of ${d.host} is defined in no DestinationRule (IST0101): requests to it fail with 503`);
    return;
  }
  if (!pods.some((w) => labelsMatch(subset.labels ?? {}, w.labels))) {
    warnings.push(`subset ${d.subset} of ${d.host} selects no pods (IST0173): requests to it fail with 503`);
  }
}

/** DestinationRules whose host (resolved as istiod resolves config hosts) is `fqdn`, the one in the service's namespace first. */
export function destinationRulesFor(model: ManifestIndex, fqdn: string): IndexedObject[] {
  const svcNs = fqdn.split('.')[1];
  const found = model.ofKind('DestinationRule').filter((dr) => typeof dr.spec.host === 'string' && model.configFqdn(dr.spec.host, dr.namespace) === fqdn);
  return [...found.filter((dr) => dr.namespace === svcNs), ...found.filter((dr) => dr.namespace !== svcNs)];
}

/**
 * The workloads a destination reaches: the Service's pods, narrowed by the subset's labels when the
 * destination names a subset. Empty when the host is no Service or the subset is undefined.
 */
export function workloadsOfDestination(model: ManifestIndex, d: RouteDestination): Workload[] {
  const svc = model.serviceOfHost(d.host);
  if (!svc) return [];
  const pods = model.workloadsOfService(svc);
  if (d.subset === undefined) return pods;
  const subset = destinationRulesFor(model, d.host)
    .flatMap((dr) => (dr.spec.subsets ?? []) as any[])
    .find((s) => s?.name === d.subset);
  return subset ? pods.filter((w) => labelsMatch(subset.labels ?? {}, w.labels)) : [];
}

/**
 * Traffic share per `version` pod label, in percent: each destination's weight goes to the version
 * its pods carry (`(unknown)` when they carry none or several, `(no pods)` when there are none).
 * Lets two renderings that name destinations differently (subsets vs per-version Services) be compared.
 */
export function versionSplit(model: ManifestIndex, destinations: readonly RouteDestination[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of destinations) {
    const versions = [...new Set(workloadsOfDestination(model, d).map((w) => w.labels.version ?? '(unknown)'))];
    const key = versions.length === 0 ? '(no pods)' : versions.length === 1 ? versions[0] : '(unknown)';
    out[key] = (out[key] ?? 0) + d.weight;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => codeUnitOrder(a, b)));
}
