/**
 * Workload spec rules the library checks where a TracedService is written: probe timings, volumes
 * and their mounts, HorizontalPodAutoscaler replicas and targets, PodDisruptionBudget bounds, and the
 * volume names Istio's sidecar injector adds to every pod.
 *
 * Kubernetes (v1.34) `pkg/apis/core/validation` (`validateProbe`, `ValidateVolumes`,
 * `ValidateVolumeMounts`), `pkg/apis/autoscaling/validation` (`ValidateHorizontalPodAutoscaler`) and
 * `pkg/apis/policy/validation` (`ValidatePodDisruptionBudgetSpec`) accept 0 for most probe fields
 * because the API server then fills in its default; a TracedService refuses 0 where it would silently
 * become a different value, and states each bound once here.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.34.0/pkg/apis/core/validation/validation.go
 * @see https://github.com/istio/istio/blob/1.30.3/manifests/charts/istio-control/istio-discovery/files/injection-template.yaml
 */
import { dns1123Label } from './names';
import { INT32_MAX } from './numbers';

/** The probe kinds: readiness, liveness and startup. */
export type ProbeKind = 'readiness' | 'liveness' | 'startup';

/**
 * How strictly a workload rule reads a value. One rule, two levels:
 * - `'api'`: what the Kubernetes API server rejects (the validation layer, over any manifest). It
 *   accepts 0 where it then fills in its default, and leaves types and int32 overflow to the schema;
 * - `'library'`: what a TracedService accepts where it is written: the API rule, and also refuses 0
 *   where the API server would silently replace it, non-integers, and values above int32.
 */
export type RuleStrictness = 'api' | 'library';

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/**
 * A probe timing field in whole seconds or counts (`validateProbe`: each field non-negative). The
 * library also refuses 0 for every field but `initialDelaySeconds` (0 would be replaced by the API
 * server's default) and values above int32.
 */
export function probeField(field: string, v: unknown, strictness: RuleStrictness = 'library'): string | undefined {
  if (strictness === 'api') return isInt(v) && v < 0 ? 'must be greater than or equal to 0' : undefined;
  const min = field === 'initialDelaySeconds' ? 0 : 1;
  return isInt(v) && v >= min && v <= INT32_MAX ? undefined : `${field} must be an integer in ${min}..${INT32_MAX}`;
}

/**
 * `successThreshold` of a liveness or startup probe must be 1 (`validateLivenessProbe`,
 * `validateStartupProbe`; the API server defaults an absent one to 1); readiness takes any count,
 * whose range is {@link probeField}'s.
 */
export function probeSuccessThreshold(kind: ProbeKind, v: unknown, strictness: RuleStrictness = 'library'): string | undefined {
  const api = strictness === 'api';
  if (kind !== 'readiness' && v !== 1 && !(api && v === undefined)) {
    return api ? 'must be 1' : `successThreshold must be 1 for a ${kind} probe (the API server rejects any other value)`;
  }
  return api ? undefined : probeField('successThreshold', v);
}

/**
 * Volume names Istio 1.30's sidecar injector adds to a pod (injection-template.yaml): a pod volume of
 * the same name makes the injected pod invalid (duplicate volume name), so every pod would be rejected.
 */
export const ISTIO_INJECTED_VOLUMES: readonly string[] = [
  'workload-socket', 'credential-socket', 'workload-certs', 'gke-workload-certificate', 'custom-bootstrap-volume', 'istio-envoy',
  'istio-data', 'istio-podinfo', 'istio-token', 'istiod-ca-cert', 'istio-ca-crl', 'istio-certs', 'lightstep-certs',
];

/** A pod volume name: a DNS-1123 label that the sidecar injector does not use itself. */
export function podVolumeName(v: unknown): string | undefined {
  const bad = dns1123Label(v);
  if (bad) return `a volume name ${bad}`;
  return ISTIO_INJECTED_VOLUMES.includes(v as string) ? `"${v}" is a volume the Istio sidecar injector adds to every pod (a second one makes the pod invalid)` : undefined;
}

/** A container mount path: absolute, without `..` elements, not the root, no `:` (the runtime's separator). */
export function mountPath(v: unknown): string | undefined {
  if (typeof v !== 'string' || !v.startsWith('/') || v === '/' || v.includes(':') || v.split('/').includes('..') || /\s/.test(v)) {
    return "a mount path must be an absolute path other than '/', without '..' elements, ':' or whitespace";
  }
  return undefined;
}

/** A HorizontalPodAutoscaler replica bound that does not hold, and why. */
export interface AutoscalingReplicasProblem {
  readonly property: 'minReplicas' | 'maxReplicas';
  readonly rule: string;
}

/**
 * HorizontalPodAutoscaler replicas (`ValidateHorizontalPodAutoscalerSpec`): `minReplicas` at least 1
 * when set (0 needs the alpha HPAScaleToZero gate), `maxReplicas` at least 1 and at least
 * `minReplicas`. The library also needs `minReplicas` (it writes one, default 2), integers, and at most
 * int32. Every bound that does not hold, `minReplicas` first (empty when both hold).
 */
export function autoscalingReplicas(min: unknown, max: unknown, strictness: RuleStrictness = 'library'): AutoscalingReplicasProblem[] {
  const api = strictness === 'api';
  const inRange = (v: unknown, low: number) => isInt(v) && v >= low && (api || v <= INT32_MAX);
  const out: AutoscalingReplicasProblem[] = [];
  if (!(api && min === undefined) && !inRange(min, 1)) {
    out.push({ property: 'minReplicas', rule: api ? 'must be greater than or equal to 1' : `minReplicas must be an integer in 1..${INT32_MAX} (scaling to 0 needs the alpha HPAScaleToZero feature gate)` });
    if (!api) return out;
  }
  if (!inRange(max, 1)) out.push({ property: 'maxReplicas', rule: api ? 'must be greater than 0' : `maxReplicas must be an integer of at least minReplicas (${min})` });
  else if (isInt(min) && (max as number) < min) out.push({ property: 'maxReplicas', rule: api ? 'must be greater than or equal to `minReplicas`' : `maxReplicas must be an integer of at least minReplicas (${min})` });
  return out;
}

/** An HPA resource utilization target: an integer percent of the pods' requests, above 0 (may exceed 100). */
export function utilizationTarget(v: unknown): string | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= INT32_MAX ? undefined : 'a utilization target must be an integer percent of the requests, at least 1';
}

/** Why a PodDisruptionBudget bound of 0 (low) or of every pod (high) is refused. */
const DISRUPTION_REASON = {
  maxUnavailable: { low: '0 blocks every eviction, so node drains hang', high: 'all of them protects nothing' },
  minAvailable: { low: '0 protects nothing', high: 'all of them blocks every eviction, so node drains hang' },
} as const;

/**
 * A PodDisruptionBudget count as written, before the pods it covers are known: an integer of at
 * least 1 (`maxUnavailable: 0` blocks every eviction, so node drains hang; `minAvailable: 0` protects
 * nothing), at most int32.
 */
export function disruptionCount(field: 'maxUnavailable' | 'minAvailable', v: unknown): string | undefined {
  if (isInt(v) && v >= 1 && v <= INT32_MAX) return undefined;
  return `${field} must be an integer of at least 1 (${DISRUPTION_REASON[field].low})`;
}

/**
 * A PodDisruptionBudget bound over `replicas` pods: `maxUnavailable` from 1 (0 blocks every eviction,
 * so node drains hang) to replicas - 1 (replicas or more protects nothing); `minAvailable` from 1 to
 * replicas - 1 (replicas or more blocks every eviction).
 */
export function disruptionBound(field: 'maxUnavailable' | 'minAvailable', v: unknown, replicas: number): string | undefined {
  if (isInt(v) && v >= 1 && v <= replicas - 1) return undefined;
  const why = DISRUPTION_REASON[field][typeof v === 'number' && v < 1 ? 'low' : 'high'];
  return `${field} must be an integer in 1..${replicas - 1} for ${replicas} pods (${why})`;
}
